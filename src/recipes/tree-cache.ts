// A local mirror of a whole subtree, kept fresh by one persistent recursive watch (ZooKeeper 3.6+)
// instead of a watch per node. The watch is placed before the first scan, so a change during the
// scan is either seen by the scan or delivered as an event afterwards; events re-read the node.

import { NoNodeError, type PersistentWatch } from "../client/index.js";
import type { NodeSnapshot } from "./caches.js";
import { FollowingCache } from "./following-cache.js";
import { retrying } from "./support.js";

/** Nodes a TreeCache will mirror before it refuses to grow (it emits an error and stops). */
const TREE_NODES_MAX = 100_000;

/**
 * A local copy of a whole subtree (at most 100000 nodes), kept fresh by one persistent recursive
 * watch, so it needs ZooKeeper 3.6 or later. Emits `node` (kind, path, snapshot or null); when the
 * session ends or the tree outgrows the bound it stops, sets `failure` and emits `error` (only if
 * someone listens).
 */
export class TreeCache extends FollowingCache<{
  node: ["added" | "updated" | "removed", string, NodeSnapshot | null];
  error: [Error];
}> {
  private readonly nodes = new Map<string, NodeSnapshot>();
  private watch: PersistentWatch | undefined;
  /** Path to data and Stat, for the root and every descendant that exists. */
  get current(): ReadonlyMap<string, NodeSnapshot> {
    return this.nodes;
  }

  /**
   * Places the watch, loads the subtree and keeps following it; resolves after the first load.
   * @throws {UnimplementedError} the server has no persistent watches (before 3.6).
   * @throws {SessionExpiredError | NoAuthError} the watch or the first load failed.
   */
  async start(): Promise<void> {
    this.watch = await retrying(this.client, () => this.client.addWatch(this.path, { recursive: true }));
    await this.scan(this.path);
    const watch = this.watch;
    void (async () => {
      for await (const event of watch) {
        if (event.type === "deleted") this.remove(event.path);
        else if (event.type === "created") await this.scan(event.path);
        else if (event.type === "dataChanged") await this.load(event.path);
      }
    })().catch((error: Error) => this.fail(error));
  }

  /** Stops following and removes the watch from the server (best effort); `current` keeps the last contents. */
  override async close(): Promise<void> {
    super.close();
    await this.watch?.close();
  }

  private async load(path: string): Promise<boolean> {
    try {
      const snapshot = await retrying(this.client, () => this.client.getData(path));
      if (!this.nodes.has(path) && this.nodes.size >= TREE_NODES_MAX) {
        throw new Error(`tree cache of ${this.path} passed ${TREE_NODES_MAX} nodes`);
      }
      const known = this.nodes.has(path);
      this.nodes.set(path, snapshot);
      this.emit("node", known ? "updated" : "added", path, snapshot);
      return true;
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
      this.remove(path);
      return false;
    }
  }

  private async scan(path: string): Promise<void> {
    if (!(await this.load(path))) return;
    let children: string[];
    try {
      children = await retrying(this.client, () => this.client.getChildren(path));
    } catch (error) {
      if (error instanceof NoNodeError) return;
      throw error;
    }
    for (const child of children) await this.scan(path === "/" ? `/${child}` : `${path}/${child}`);
  }

  private remove(path: string): void {
    for (const [known, snapshot] of [...this.nodes]) {
      if (known === path || known.startsWith(`${path}/`)) {
        this.nodes.delete(known);
        this.emit("node", "removed", known, snapshot);
      }
    }
  }
}
