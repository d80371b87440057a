// The state digests ZooKeeper keeps for the `hash` admin command: one at every zxid that is a
// multiple of 128, the last 1024 of them (DataTree's DIGEST_LOG_INTERVAL and DIGEST_LOG_LIMIT).
// Comparing two servers' lists shows where their states diverged.

const INTERVAL = 128n;
const LIMIT = 1024;

export interface ZxidDigest {
  readonly zxid: bigint;
  readonly digest: bigint;
}

export class DigestLog {
  private readonly entries: ZxidDigest[] = [];
  /** The next multiple of INTERVAL: per applied entry only a comparison, which allocates nothing. */
  private next = 0n;

  /** Whether `zxid` is one the log records. */
  wants(zxid: bigint): boolean {
    if (zxid < this.next) return false;
    this.next = (zxid / INTERVAL + 1n) * INTERVAL;
    return zxid % INTERVAL === 0n;
  }

  record(zxid: bigint, digest: bigint): void {
    this.entries.push({ zxid, digest });
    if (this.entries.length > LIMIT) this.entries.shift();
  }

  list(): readonly ZxidDigest[] {
    return this.entries;
  }
}
