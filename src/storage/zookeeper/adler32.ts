// Adler-32, the checksum ZooKeeper puts on every transaction-log record and seals each snapshot
// with (java.util.zip.Adler32). Incremental, because a snapshot's second seal covers the bytes of
// the first one too.

const MOD = 65521;
/** The most bytes summed before `b` could pass 2^53 in a double: zlib's NMAX. */
const NMAX = 5552;

export class Adler32 {
  private a = 1;
  private b = 0;

  update(bytes: Uint8Array, start = 0, end = bytes.length): this {
    let a = this.a;
    let b = this.b;
    let i = start;
    while (i < end) {
      const stop = Math.min(end, i + NMAX);
      for (; i < stop; i++) {
        a += bytes[i]!;
        b += a;
      }
      a %= MOD;
      b %= MOD;
    }
    this.a = a;
    this.b = b;
    return this;
  }

  /** The checksum of everything so far, as Java's getValue() returns it (an unsigned 32-bit value). */
  get value(): number {
    return ((this.b << 16) | this.a) >>> 0;
  }
}

export function adler32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return new Adler32().update(bytes, start, end).value;
}
