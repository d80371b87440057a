// A small streaming 64-bit hash (two 32-bit lanes with different seeds and multipliers) used for
// state digests. It is not cryptographic: it only has to make divergent replicas and corrupted
// snapshots visible, cheaply, without allocating per field. A word costs one multiply and one
// xor-shift per lane (the inner loop of FNV and xxHash); MurmurHash3's finaliser gives the avalanche
// at the end. Every node's digest term is hashed whenever it changes and when a snapshot loads, so
// this loop is on the restart path a million times over.

const K_A = 0x9e3779b1;
const K_B = 0x85ebca77;
const SEED_A = 0x9747b28c;
const SEED_B = 0x5bd1e995;

function absorb(h: number, word: number, k: number): number {
  const m = Math.imul(h ^ word, k);
  return m ^ (m >>> 15);
}

function finalMix(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of bytes[start, end) (one lane); a node keeps its data's. */
export function bytesHash32(b: Uint8Array, start: number, end: number): number {
  let h = SEED_A;
  let i = start;
  for (; i + 4 <= end; i += 4)
    h = absorb(h, b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24), K_A);
  let rest = 0;
  for (; i < end; i++) rest = (rest << 8) | b[i]!;
  if ((end - start) % 4 !== 0) h = absorb(h, rest, K_A);
  return finalMix(h, end - start) | 0;
}

export class Hasher64 {
  private a = SEED_A;
  private b = SEED_B;
  private words = 0;

  reset(): this {
    this.a = SEED_A;
    this.b = SEED_B;
    this.words = 0;
    return this;
  }

  int(v: number): this {
    this.a = absorb(this.a, v, K_A);
    this.b = absorb(this.b, v ^ 0x5a5a5a5a, K_B);
    this.words++;
    return this;
  }

  long(v: bigint): this {
    const u = BigInt.asUintN(64, v);
    return this.int(Number(u >> 32n)).int(Number(u & 0xffffffffn));
  }

  /** Hashes the length first so that ("ab","c") and ("a","bc") differ; -1 marks null. */
  bytes(v: Uint8Array | null): this {
    if (v === null) return this.int(-1);
    this.int(v.length);
    let i = 0;
    for (; i + 4 <= v.length; i += 4)
      this.int((v[i]! << 24) | (v[i + 1]! << 16) | (v[i + 2]! << 8) | v[i + 3]!);
    let rest = 0;
    for (; i < v.length; i++) rest = (rest << 8) | v[i]!;
    return this.int(rest);
  }

  /** Hashes a latin1 string (one byte per char) exactly as `bytes` hashes the same bytes. */
  latin1(v: string | null): this {
    if (v === null) return this.int(-1);
    this.int(v.length);
    let i = 0;
    for (; i + 4 <= v.length; i += 4) {
      this.int(
        (v.charCodeAt(i) << 24) |
          (v.charCodeAt(i + 1) << 16) |
          (v.charCodeAt(i + 2) << 8) |
          v.charCodeAt(i + 3),
      );
    }
    let rest = 0;
    for (; i < v.length; i++) rest = (rest << 8) | v.charCodeAt(i);
    return this.int(rest);
  }

  string(s: string): this {
    this.int(s.length);
    let i = 0;
    for (; i + 2 <= s.length; i += 2) this.int((s.charCodeAt(i) << 16) | s.charCodeAt(i + 1));
    if (i < s.length) this.int(s.charCodeAt(i));
    return this;
  }

  /** The two lanes, high first, as int32s at out[at] and out[at + 1]. */
  finishTo(out: Int32Array, at: number): void {
    out[at] = finalMix(this.a, this.words) | 0;
    out[at + 1] = finalMix(this.b, this.words) | 0;
  }

  finishInto(sum: DigestSum): void {
    sum.addLanes(finalMix(this.a, this.words), finalMix(this.b, this.words));
  }
}

/** An order-independent sum of 64-bit hashes, kept as two 32-bit lanes so no bigint is needed per add. */
export class DigestSum {
  private hi = 0;
  private lo = 0;

  addLanes(hi: number, lo: number): void {
    const lo2 = this.lo + lo;
    this.lo = lo2 % 0x100000000;
    this.hi = (this.hi + hi + (lo2 >= 0x100000000 ? 1 : 0)) % 0x100000000;
  }

  subtractLanes(hi: number, lo: number): void {
    const lo2 = this.lo - lo;
    this.lo = lo2 < 0 ? lo2 + 0x100000000 : lo2;
    const hi2 = this.hi - hi - (lo2 < 0 ? 1 : 0);
    this.hi = hi2 < 0 ? hi2 + 0x100000000 : hi2;
  }

  get value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}
