// Byte-level reading and writing for the peer protocol's records: unsigned varints for the counters
// Raft exchanges (small in practice, so a heartbeat is a dozen bytes), fixed 64-bit fields for zxids,
// and length-prefixed byte strings. The reader checks every length against what is left, so a
// record from an untrusted socket can only fail with a PeerCodecError that says what was wrong.

/** Anything wrong with bytes received from a peer: the connection that carried them is closed. */
export class PeerCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PeerCodecError";
  }
}

/** Varints carry JavaScript's safe integers: at most 53 bits, so 8 bytes of 7 bits each. */
const VARINT_BYTES_MAX = 8;

export class WireWriter {
  private buf: Buffer;
  private at: number;

  /** `headBytes` are left free at the start for a frame header (see encodeWriterFrame). */
  constructor(
    initialBytes = 64,
    readonly headBytes = 0,
  ) {
    // allocUnsafe: every byte up to `at` is written before it is read; small sizes come from a pool.
    this.buf = Buffer.allocUnsafe(Math.max(initialBytes, headBytes + 16));
    this.at = headBytes;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.at++] = v;
  }

  u16(v: number): void {
    this.room(2);
    this.at = this.buf.writeUInt16BE(v, this.at);
  }

  u32(v: number): void {
    this.room(4);
    this.at = this.buf.writeUInt32BE(v, this.at);
  }

  /** A zxid or other 64-bit unsigned value, exactly. */
  u64(v: bigint): void {
    if (v < 0n || v > 0xffff_ffff_ffff_ffffn) throw new RangeError(`${v} does not fit in 64 unsigned bits`);
    this.room(8);
    this.at = this.buf.writeBigUInt64BE(v, this.at);
  }

  varint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${v} is not a non-negative safe integer`);
    this.room(VARINT_BYTES_MAX);
    let rest = v;
    while (rest >= 0x80) {
      this.buf[this.at++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.buf[this.at++] = rest;
  }

  bytes(v: Uint8Array): void {
    this.varint(v.length);
    this.room(v.length);
    this.buf.set(v, this.at);
    this.at += v.length;
  }

  string(v: string): void {
    this.bytes(Buffer.from(v, "utf8"));
  }

  /** The bytes written after the head (a view; the writer must not be used afterwards). */
  finish(): Uint8Array {
    return this.buf.subarray(this.headBytes, this.at);
  }

  /** The head and the bytes written, for the caller to fill the head in. */
  finishWithHead(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

export class WireReader {
  private readonly buf: Buffer;
  private at = 0;

  /** `what` names the record in error messages ("raft message", "handshake"). */
  constructor(
    bytes: Uint8Array,
    private readonly what: string,
  ) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.buf.length - this.at;
  }

  fail(problem: string): never {
    throw new PeerCodecError(`${this.what}: ${problem} (at byte ${this.at} of ${this.buf.length})`);
  }

  private need(n: number, field: string): void {
    if (this.remaining < n) this.fail(`${field} needs ${n} bytes, ${this.remaining} left`);
  }

  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.at++]!;
  }

  u16(field: string): number {
    this.need(2, field);
    const v = this.buf.readUInt16BE(this.at);
    this.at += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }

  u64(field: string): bigint {
    this.need(8, field);
    const v = this.buf.readBigUInt64BE(this.at);
    this.at += 8;
    return v;
  }

  varint(field: string): number {
    let value = 0;
    let scale = 1;
    for (let k = 0; k < VARINT_BYTES_MAX; k++) {
      const b = this.u8(field);
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (!Number.isSafeInteger(value)) this.fail(`${field} ${value} exceeds 2^53`);
        return value;
      }
      scale *= 0x80;
    }
    return this.fail(`${field} varint is longer than ${VARINT_BYTES_MAX} bytes`);
  }

  /** A count of items that each take at least `itemBytesMin` bytes, checked against what is left. */
  count(field: string, itemBytesMin: number): number {
    const n = this.varint(field);
    if (n * itemBytesMin > this.remaining) this.fail(`${field} ${n} cannot fit in ${this.remaining} bytes`);
    return n;
  }

  /** A length-prefixed byte string, copied out so it does not pin the receive buffer. */
  bytes(field: string, bytesMax = Number.MAX_SAFE_INTEGER): Uint8Array {
    const n = this.varint(field); // not `${field} length`: that string would be built per entry
    if (n > bytesMax) this.fail(`${field} length ${n} exceeds ${bytesMax}`);
    this.need(n, field);
    // A copy, so a kept entry does not pin a receive buffer, and a plain Uint8Array, so decoded
    // records compare equal to the records sent.
    const v = new Uint8Array(this.buf.buffer, this.buf.byteOffset + this.at, n).slice();
    this.at += n;
    return v;
  }

  string(field: string, bytesMax: number): string {
    const raw = this.bytes(field, bytesMax);
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(raw);
    } catch {
      return this.fail(`${field} is not valid UTF-8`);
    }
  }

  /** The rest of the record, as a view (for bulk data such as a snapshot chunk). */
  rest(): Uint8Array {
    const v = this.buf.subarray(this.at);
    this.at = this.buf.length;
    return v;
  }

  /** Records are exact: trailing bytes mean the sender and receiver disagree on the format. */
  end(): void {
    if (this.remaining !== 0) this.fail(`${this.remaining} unexpected trailing bytes`);
  }
}
