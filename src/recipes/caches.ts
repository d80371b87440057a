// Local mirrors of znodes kept fresh by watches: NodeCache for one node, ChildrenCache for the
// children of one node with their data. Each change re-reads the node and re-arms the watch in the
// same request, so no change is missed between the two. Connection loss needs no handling here:
// the client re-arms watches on reconnect and SetWatches reports what changed meanwhile. When the
// session ends the cache stops and emits `error`; its contents are then stale.

import { NoNodeError, type Stat, type WatchEvent } from "../client/index.js";
import { FollowingCache } from "./following-cache.js";
import { retrying, watchOnce } from "./support.js";

/** A znode as a cache last read it. */
export interface NodeSnapshot {
  /** The data; null when the node was created without data. */
  readonly data: Buffer | null;
  /** The Stat read together with the data. */
  readonly stat: Stat;
}

function sessionEnd(event: WatchEvent): Error | undefined {
  return event.type === "sessionEnded" ? event.error : undefined;
}

/**
 * A local copy of one znode, kept fresh by a watch: `current`, and a `changed` event with the new
 * snapshot (null when deleted). When the session ends it stops, sets `failure` and emits `error`
 * (only if someone listens).
 */
export class NodeCache extends FollowingCache<{ changed: [NodeSnapshot | null]; error: [Error] }> {
  private snapshot: NodeSnapshot | null = null;

  /** The node as last seen, or null if it does not exist. */
  get current(): NodeSnapshot | null {
    return this.snapshot;
  }

  /**
   * Loads the node and keeps watching it; resolves after the first load (retried across
   * connection loss).
   * @throws {SessionExpiredError | NoAuthError} the first load failed.
   */
  async start(): Promise<void> {
    const { fired } = await this.load();
    void this.follow(fired).catch((error: Error) => this.fail(error));
  }

  private async load(): Promise<{ fired: Promise<WatchEvent> }> {
    for (;;) {
      const { watch, fired } = watchOnce();
      try {
        this.snapshot = await retrying(this.client, () => this.client.getData(this.path, { watch }));
        return { fired };
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error;
      }
      // getData sets no watch on a missing node; exists does, and catches a create in between.
      if ((await retrying(this.client, () => this.client.exists(this.path, { watch }))) === null) {
        this.snapshot = null;
        return { fired };
      }
    }
  }

  private async follow(fired: Promise<WatchEvent>): Promise<void> {
    let next = fired;
    while (!this.closed) {
      const ended = sessionEnd(await next);
      if (ended) throw ended;
      if (this.closed) return;
      next = (await this.load()).fired;
      this.emit("changed", this.snapshot);
    }
  }
}

/** What happened to a child in a ChildrenCache's `child` event. */
export type ChildEvent = "added" | "updated" | "removed";

/**
 * A local copy of the children of one znode with their data, kept fresh by watches: `current`,
 * and a `child` event (kind, name, snapshot or null). When the session ends it stops, sets
 * `failure` and emits `error` (only if someone listens).
 */
export class ChildrenCache extends FollowingCache<{
  child: [ChildEvent, string, NodeSnapshot | null];
  error: [Error];
}> {
  private readonly children = new Map<string, NodeSnapshot>();

  /** Child name to its data and Stat, as last seen. */
  get current(): ReadonlyMap<string, NodeSnapshot> {
    return this.children;
  }

  /**
   * Loads the children and keeps watching; resolves after the first load (retried across
   * connection loss).
   * @throws {SessionExpiredError | NoAuthError} the first load failed.
   */
  async start(): Promise<void> {
    const { fired } = await this.loadList();
    void this.follow(fired).catch((error: Error) => this.fail(error));
  }

  private async follow(fired: Promise<WatchEvent>): Promise<void> {
    let next = fired;
    while (!this.closed) {
      const ended = sessionEnd(await next);
      if (ended) throw ended;
      if (this.closed) return;
      next = (await this.loadList()).fired;
    }
  }

  private async loadList(): Promise<{ fired: Promise<WatchEvent> }> {
    const { watch, fired } = watchOnce();
    let names: string[];
    try {
      names = await retrying(this.client, () => this.client.getChildren(this.path, { watch }));
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
      // No parent yet: wait for it to appear.
      if ((await retrying(this.client, () => this.client.exists(this.path, { watch }))) !== null)
        return this.loadList();
      names = [];
    }
    const present = new Set(names);
    for (const [name, snapshot] of [...this.children]) {
      if (present.has(name)) continue;
      this.children.delete(name);
      this.emit("child", "removed", name, snapshot);
    }
    await Promise.all(names.filter((name) => !this.children.has(name)).map((name) => this.loadChild(name)));
    return { fired };
  }

  private async loadChild(name: string): Promise<void> {
    const path = `${this.path}/${name}`;
    const watch = (event: WatchEvent): void => {
      if (event.type === "dataChanged" && !this.closed && this.children.has(name)) {
        void this.loadChild(name).catch((error: Error) => this.fail(error));
      }
    };
    try {
      const snapshot = await retrying(this.client, () => this.client.getData(path, { watch }));
      const known = this.children.has(name);
      this.children.set(name, snapshot);
      this.emit("child", known ? "updated" : "added", name, snapshot);
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
    }
  }
}
