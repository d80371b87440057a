// A distribution of non-negative integer observations (latencies in ms, sizes, counts) kept as bucket
// counts, so recording one on the request path is a few integer operations and no allocation.
// Quantiles are read off the buckets when someone asks (a scrape, mntr): exact below EXACT_MAX, and
// within 1/16 of the value above it.

const EXACT_MAX = 4096;
/** Sub-buckets per power of two above EXACT_MAX. */
const SUB_BITS = 4;
const SUB = 1 << SUB_BITS;
/** Powers of two covered above EXACT_MAX (up to 2^52, past any latency or size). */
const OCTAVES = 40;

function bucketOf(v: number): number {
  if (v < EXACT_MAX) return v;
  const octave = Math.floor(Math.log2(v)) - 12; // 0 for [4096, 8192)
  const base = 2 ** (octave + 12);
  const sub = Math.floor(((v - base) / base) * SUB);
  return EXACT_MAX + Math.min(octave, OCTAVES - 1) * SUB + Math.min(sub, SUB - 1);
}

/** The smallest value a bucket holds. */
function lowerBoundOf(bucket: number): number {
  if (bucket < EXACT_MAX) return bucket;
  const i = bucket - EXACT_MAX;
  const base = 2 ** (Math.floor(i / SUB) + 12);
  return base + (base * (i % SUB)) / SUB;
}

export class Distribution {
  count = 0;
  sum = 0;
  min = Number.MAX_SAFE_INTEGER;
  max = 0;
  readonly buckets = new Uint32Array(EXACT_MAX + OCTAVES * SUB);

  observe(v: number): void {
    const value = v < 0 ? 0 : Math.round(v);
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.buckets[bucketOf(value)]!++;
  }

  get avg(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** The smallest observed value v with at least q of the observations at or below it. */
  quantile(q: number): number {
    return quantileOf(this.buckets, this.count, q);
  }

  /** Observations of at least v (exact for v below EXACT_MAX). */
  countAtLeast(v: number): number {
    let n = 0;
    for (let b = bucketOf(Math.max(0, Math.round(v))); b < this.buckets.length; b++) n += this.buckets[b]!;
    return n;
  }

  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.min = Number.MAX_SAFE_INTEGER;
    this.max = 0;
    this.buckets.fill(0);
  }
}

/** A quantile of bucket counts (a Distribution's, or the difference of two copies of them). */
export function quantileOf(buckets: ArrayLike<number>, count: number, q: number): number {
  if (count === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * count));
  let seen = 0;
  for (let b = 0; b < buckets.length; b++) {
    seen += buckets[b]!;
    if (seen >= rank) return lowerBoundOf(b);
  }
  return 0;
}
