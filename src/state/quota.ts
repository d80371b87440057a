// Quotas as ZooKeeper applies them to writes: PrepRequestProcessor's checkQuota (with enforceQuota a
// hard limit refuses the write with QUOTAEXCEEDED; soft limits, and hard ones, produce ZooKeeper's log
// line as a warning) and DataTree's updateQuotaStat / updateQuotaForPath, which keep each quota root's
// zookeeper_stats node counting the nodes (the root included) and data bytes of its subtree. A stats
// node changes in place, data only, as in ZooKeeper: no version, mzxid or watch event.

import { limitPath, QUOTA_ZOOKEEPER, STAT_NODE, statPath } from "../data/quota-roots.js";
import {
  BYTE_HARD_LIMIT,
  BYTES,
  COUNT,
  COUNT_HARD_LIMIT,
  formatStatsTrack,
  parseStatsTrack,
  type StatsTrack,
  statsValue,
} from "../data/stats-track.js";
import type { DataTree, ZNode } from "../data/tree.js";
import { Err } from "../protocol/constants.js";

/** New data for a stats node; the caller records the old data for multi rollback, then writes. */
export interface StatsWrite {
  readonly path: string;
  readonly node: ZNode;
  readonly data: Buffer;
}

const STAT_SUFFIX = `/${STAT_NODE}`;

/** Java long arithmetic. */
function addLong(a: bigint, b: number): bigint {
  return BigInt.asIntN(64, a + BigInt(b));
}

function exceeded(
  root: string,
  what: "count" | "bytes",
  current: bigint,
  soft: bigint,
  hard: bigint,
  warnings: string[],
): boolean {
  const isHard = hard > -1n;
  const limit = isHard ? hard : soft;
  if (current <= limit) return false;
  const kind = `${isHard ? "hard" : "soft"}${what === "count" ? "Count" : "Byte"}Limit`;
  warnings.push(`Quota exceeded: ${root} [current ${what}=${current}, ${kind}=${limit}]`);
  return isHard;
}

export class QuotaRules {
  constructor(
    private readonly tree: DataTree,
    private readonly enforce: boolean,
  ) {}

  /**
   * checkQuota for a write at `path` adding `countDiff` nodes and `bytesDiff` bytes: 0, QUOTAEXCEEDED,
   * or MARSHALLINGERROR where ZooKeeper's parser throws on the limits or stats data. Only with
   * enforceQuota, as in ZooKeeper 3.7+; a hard limit, when set, replaces the soft one.
   */
  check(path: string, bytesDiff: number, countDiff: number, warnings: string[]): number {
    if (!this.enforce) return 0;
    const tree = this.tree;
    const root = tree.quotaRoots().governing(path);
    if (root === undefined) return 0;
    const limitNode = tree.get(limitPath(root));
    if (limitNode === undefined) return 0;
    const limits = parseStatsTrack(tree.dataOf(limitNode));
    if (limits === undefined) return Err.MARSHALLINGERROR;
    const countHard = statsValue(limits, COUNT_HARD_LIMIT);
    const byteHard = statsValue(limits, BYTE_HARD_LIMIT);
    const checkCount = countDiff !== 0 && (statsValue(limits, COUNT) > -1n || countHard > -1n);
    const checkBytes = bytesDiff !== 0 && (statsValue(limits, BYTES) > -1n || byteHard > -1n);
    if (!checkCount && !checkBytes) return 0;
    const statsNode = tree.get(statPath(root));
    if (statsNode === undefined) return 0;
    const stats = parseStatsTrack(tree.dataOf(statsNode));
    if (stats === undefined) return Err.MARSHALLINGERROR;
    if (checkCount) {
      const count = addLong(statsValue(stats, COUNT), countDiff);
      if (exceeded(root, "count", count, statsValue(limits, COUNT), countHard, warnings))
        return Err.QUOTAEXCEEDED;
    }
    if (checkBytes) {
      const bytes = addLong(statsValue(stats, BYTES), bytesDiff);
      if (exceeded(root, "bytes", bytes, statsValue(limits, BYTES), byteHard, warnings))
        return Err.QUOTAEXCEEDED;
    }
    return 0;
  }

  /** updateQuotaStat: the governing root's stats after a change at `path`, if it has a readable one. */
  statsAfter(path: string, bytesDiff: number, countDiff: number, warnings: string[]): StatsWrite | undefined {
    const tree = this.tree;
    const root = tree.quotaRoots().governing(path);
    if (root === undefined) return undefined;
    const stats = statPath(root);
    const node = tree.get(stats);
    if (node === undefined) {
      warnings.push(`Missing node for stat ${stats}`);
      return undefined;
    }
    const track = parseStatsTrack(tree.dataOf(node));
    if (track === undefined) {
      // ZooKeeper's apply throws here; a replica cannot, so the stats are left as the client wrote them.
      warnings.push(`Quota stats node ${stats} holds data that is not count=N,bytes=M; not updated`);
      return undefined;
    }
    track.set(COUNT, addLong(statsValue(track, COUNT), countDiff));
    track.set(BYTES, addLong(statsValue(track, BYTES), bytesDiff));
    return { path: stats, node, data: Buffer.from(formatStatsTrack(track), "utf8") };
  }

  /**
   * updateQuotaForPath: a stats node created under /zookeeper/quota at once holds a recount of the
   * subtree it tracks, whatever data it was created with. The tracked path is the parent minus the
   * prefix, unnormalised, exactly as ZooKeeper derives it (so "" counts the whole tree from the root).
   */
  recountIfStatsNode(path: string): StatsWrite | undefined {
    if (!path.endsWith(STAT_SUFFIX)) return undefined;
    const parent = path.slice(0, path.length - STAT_SUFFIX.length);
    if (!parent.startsWith(QUOTA_ZOOKEEPER)) return undefined;
    const tree = this.tree;
    const tracked = parent.slice(QUOTA_ZOOKEEPER.length);
    let count = 0;
    let bytes = 0n;
    const pending = [tracked];
    while (pending.length > 0) {
      const p = pending.pop()!;
      const node = tree.get(p);
      if (node === undefined) continue;
      count = (count + 1) | 0;
      bytes += BigInt(tree.dataLength(node));
      for (const child of tree.childrenOf(node)) pending.push(`${p}/${child}`);
    }
    const track: StatsTrack = new Map([
      [COUNT, BigInt(count)],
      [BYTES, BigInt.asIntN(64, bytes)],
    ]);
    return { path, node: tree.get(path)!, data: Buffer.from(formatStatsTrack(track), "utf8") };
  }
}
