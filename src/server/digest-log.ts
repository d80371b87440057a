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

  /** Whether `zxid` is one the log records; checked per applied entry, so it is one bigint op. */
  wants(zxid: bigint): boolean {
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
