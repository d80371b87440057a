// A fixed-size latency histogram in microseconds: exact below 64 µs, then 32 buckets per power of
// two (about 3% resolution), so recording is a few integer operations with no allocation however
// long a run lasts, and histograms from many sessions merge by adding counts.

const LINEAR_MAX = 64;
const SUB_BUCKETS = 32;
/** Largest value kept apart from `max`: 2^31 µs, about 36 minutes. */
const EXPONENT_MAX = 31;
const BUCKET_COUNT = LINEAR_MAX + (EXPONENT_MAX - 6) * SUB_BUCKETS;

export interface LatencySummary {
  latencyUsP50: number;
  latencyUsP90: number;
  latencyUsP99: number;
  latencyUsP999: number;
  latencyUsMax: number;
}

function bucketOf(us: number): number {
  if (us < LINEAR_MAX) return us;
  const exponent = 31 - Math.clz32(us);
  const shift = exponent - 5;
  return LINEAR_MAX + (exponent - 6) * SUB_BUCKETS + ((us >>> shift) - SUB_BUCKETS);
}

/** The middle of a bucket's range, the value reported for a percentile that lands in it. */
function bucketValue(bucket: number): number {
  if (bucket < LINEAR_MAX) return bucket;
  const exponent = Math.floor((bucket - LINEAR_MAX) / SUB_BUCKETS) + 6;
  const shift = exponent - 5;
  const mantissa = ((bucket - LINEAR_MAX) % SUB_BUCKETS) + SUB_BUCKETS;
  return (mantissa << shift) + ((1 << shift) >>> 1);
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKET_COUNT);
  count = 0;
  maxUs = 0;

  record(us: number): void {
    const value = us < 0 ? 0 : us >= 2 ** EXPONENT_MAX ? 2 ** EXPONENT_MAX - 1 : Math.round(us);
    this.counts[bucketOf(value)]! += 1;
    this.count++;
    if (value > this.maxUs) this.maxUs = value;
  }

  add(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKET_COUNT; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    if (other.maxUs > this.maxUs) this.maxUs = other.maxUs;
  }

  /** The smallest recorded value at or above fraction `q` of the samples (0 when empty). */
  percentile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    // The top sample is known exactly; a bucket's middle would understate it.
    if (rank >= this.count) return this.maxUs;
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(bucketValue(i), this.maxUs);
    }
    return this.maxUs;
  }

  summary(): LatencySummary {
    return {
      latencyUsP50: this.percentile(0.5),
      latencyUsP90: this.percentile(0.9),
      latencyUsP99: this.percentile(0.99),
      latencyUsP999: this.percentile(0.999),
      latencyUsMax: this.maxUs,
    };
  }
}
