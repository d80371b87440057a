// Retention: keep the newest N snapshots that read back whole, and every log segment that recovery
// from the oldest of them needs; remove everything older. Validity is checked by reading the files
// (ZOOKEEPER-3231 purged data when the newest snapshots were all invalid), and nothing is removed
// unless at least one valid snapshot is kept. Used after snapshots (autopurge) and by `paddock purge`.

import { join } from "node:path";
import { StorageError } from "./errors.js";
import type { FileSystem } from "./file-system.js";
import { hex, listSegments } from "./log-reader.js";
import type { StorageLogger } from "./logger.js";
import { decodeSegmentHeader, SEGMENT_HEADER_BYTES } from "./segment-format.js";
import { listSnapshots, readSnapshot } from "./snapshot-file.js";

export interface PurgeResult {
  readonly keptSnapshots: string[];
  readonly removed: string[];
}

export async function purge(
  fs: FileSystem,
  dataDir: string,
  dataLogDir: string,
  retainCount: number,
  logger: StorageLogger,
): Promise<PurgeResult> {
  if (!Number.isInteger(retainCount) || retainCount < 1) {
    throw new RangeError(`retain count must be a positive integer, not ${retainCount}`);
  }
  const snapshots = await listSnapshots(fs, dataDir);
  const kept: { name: string; zxid: bigint }[] = [];
  for (const s of snapshots) {
    if (kept.length >= retainCount) break;
    try {
      await readSnapshot(fs, join(dataDir, s.name), undefined);
      kept.push(s);
    } catch (error) {
      if (!(error instanceof StorageError)) throw error;
      logger.warn(`purge: ${error.message}`);
    }
  }
  const oldestKept = kept[kept.length - 1];
  if (oldestKept === undefined) {
    logger.warn("purge: no valid snapshot, so nothing is removed");
    return { keptSnapshots: [], removed: [] };
  }
  const removed: string[] = [];
  for (const s of snapshots) {
    if (s.zxid < oldestKept.zxid) removed.push(join(dataDir, s.name));
  }
  // Recovery from the oldest kept snapshot starts at the newest segment that begins at or before it.
  const segments = await listSegments(fs, dataLogDir);
  let firstNeeded = -1;
  for (let i = 0; i < segments.length; i++) {
    const f = await fs.open(join(dataLogDir, segments[i]!.name), "read");
    let header: ReturnType<typeof decodeSegmentHeader>;
    try {
      header = decodeSegmentHeader(await f.read(0, SEGMENT_HEADER_BYTES));
    } finally {
      await f.close();
    }
    // A damaged header stops the scan: what comes after it cannot be judged, so it is all kept.
    if (header === undefined) break;
    if (header.prevZxid <= oldestKept.zxid) firstNeeded = i;
  }
  for (let i = 0; i < firstNeeded; i++) removed.push(join(dataLogDir, segments[i]!.name));
  for (const path of removed) await fs.unlink(path);
  if (removed.length > 0) {
    await fs.syncDir(dataDir);
    if (dataLogDir !== dataDir) await fs.syncDir(dataLogDir);
    logger.info(
      `purge: kept ${kept.length} snapshot(s) back to ${hex(oldestKept.zxid)}, removed ${removed.length} file(s)`,
    );
  }
  return { keptSnapshots: kept.map((s) => join(dataDir, s.name)), removed };
}
