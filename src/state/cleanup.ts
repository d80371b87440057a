// Which nodes the server's clean-up should propose to delete, as ZooKeeper's ContainerManager chooses
// them: containers that have had a child (stored cversion > 0) and have none now, containers never used
// for longer than maxNeverUsedIntervalMs when that is set, and childless TTL nodes not modified for
// longer than their TTL. The time is the caller's, so the choice is a pure function of tree and time.

import type { DataTree } from "../data/tree.js";

/**
 * At most `limit` candidate paths, containers first, each set in its insertion order. ZooKeeper takes
 * every candidate each period and paces the deletions (znode.container.maxPerMinute); the caller passes
 * its per-period share of that pace as `limit`.
 */
export function cleanupCandidates(
  tree: DataTree,
  nowMs: bigint,
  limit: number,
  maxNeverUsedIntervalMs: bigint,
): string[] {
  const out: string[] = [];
  if (limit <= 0) return out;
  for (const path of tree.containers()) {
    const node = tree.get(path)!;
    if (tree.numChildren(node) !== 0) continue;
    // A container never used is kept, so one created just before a scan is not deleted at once.
    const used = tree.storedCversion(node) > 0;
    if (used || (maxNeverUsedIntervalMs !== 0n && nowMs - tree.mtime(node) > maxNeverUsedIntervalMs)) {
      out.push(path);
      if (out.length === limit) return out;
    }
  }
  for (const path of tree.ttls()) {
    const node = tree.get(path)!;
    if (tree.numChildren(node) !== 0) continue;
    const ttl = tree.ttlOf(node);
    if (ttl !== 0n && nowMs - tree.mtime(node) > ttl) {
      out.push(path);
      if (out.length === limit) return out;
    }
  }
  return out;
}
