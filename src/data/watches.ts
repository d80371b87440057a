// The watch registry of one server: which connection watches which path, in ZooKeeper's two tables
// (data watches from getData/exists, child watches from getChildren) with per-entry modes (standard
// one-shot, persistent, persistent-recursive) exactly as WatchManager keeps them. Watches are not
// replicated state: each server holds its own connections' watches, keyed by an opaque watcher W.

import { EventType, type EventTypeValue, WatcherType } from "../protocol/constants.js";

const STANDARD = 1;
const PERSISTENT = 2;
const RECURSIVE = 4;

export interface WatchEvent<W> {
  readonly watcher: W;
  readonly type: EventTypeValue;
  readonly path: string;
}

/** One of ZooKeeper's two WatchManagers: path -> watcher -> mode bits, and its reverse index. */
class WatchTable<W> {
  readonly byPath = new Map<string, Map<W, number>>();
  readonly byWatcher = new Map<W, Set<string>>();
  /** Entries holding the recursive bit; zero lets trigger skip the ancestor walk. */
  recursiveCount = 0;
  /** (path, watcher) entries: ZooKeeper's WatchManager.size(). */
  size = 0;

  add(path: string, w: W, mode: number): void {
    let watchers = this.byPath.get(path);
    if (watchers === undefined) {
      watchers = new Map();
      this.byPath.set(path, watchers);
    }
    const old = watchers.get(w) ?? 0;
    if ((old & mode) !== 0) return;
    watchers.set(w, old | mode);
    if (old === 0) {
      this.size++;
      let paths = this.byWatcher.get(w);
      if (paths === undefined) {
        paths = new Set();
        this.byWatcher.set(w, paths);
      }
      paths.add(path);
    }
    if (mode === RECURSIVE) this.recursiveCount++;
  }

  modes(path: string, w: W): number {
    return this.byPath.get(path)?.get(w) ?? 0;
  }

  /** Clears `mode` bits (all bits when mode is 0) of one entry; true when some bit was cleared. */
  remove(path: string, w: W, mode: number): boolean {
    const watchers = this.byPath.get(path);
    const old = watchers?.get(w) ?? 0;
    const cleared = mode === 0 ? old : old & mode;
    if (cleared === 0) return false;
    this.setModes(path, watchers!, w, old, old & ~cleared);
    return true;
  }

  private setModes(path: string, watchers: Map<W, number>, w: W, old: number, next: number): void {
    if ((old & RECURSIVE) !== 0 && (next & RECURSIVE) === 0) this.recursiveCount--;
    if (next !== 0) {
      watchers.set(w, next);
      return;
    }
    watchers.delete(w);
    this.size--;
    if (watchers.size === 0) this.byPath.delete(path);
    const paths = this.byWatcher.get(w)!;
    paths.delete(path);
    if (paths.size === 0) this.byWatcher.delete(w);
  }

  removeWatcher(w: W): void {
    const paths = this.byWatcher.get(w);
    if (paths === undefined) return;
    for (const path of [...paths]) this.remove(path, w, 0);
  }

  /**
   * Fires the table for a change at `path`: every entry on the path itself (one-shot bits removed),
   * and recursive entries on its ancestors. Each watcher is reported once; `suppress` ones are
   * consumed but not reported (delete fires child watches only for watchers the data table missed).
   */
  trigger(
    path: string,
    type: EventTypeValue,
    out: WatchEvent<W>[],
    fired: Set<W>,
    suppress?: ReadonlySet<W>,
  ): void {
    const here = this.byPath.get(path);
    if (here !== undefined) {
      for (const [w, modes] of [...here]) {
        if ((modes & STANDARD) !== 0) this.setModes(path, here, w, modes, modes & ~STANDARD);
        this.report(w, type, path, out, fired, suppress);
      }
    }
    if (this.recursiveCount === 0 || path === "/") return;
    let ancestor = path;
    while (ancestor !== "/") {
      const slash = ancestor.lastIndexOf("/");
      ancestor = slash <= 0 ? "/" : ancestor.slice(0, slash);
      const watchers = this.byPath.get(ancestor);
      if (watchers === undefined) continue;
      for (const [w, modes] of watchers) {
        if ((modes & RECURSIVE) !== 0) this.report(w, type, path, out, fired, suppress);
      }
    }
  }

  private report(
    w: W,
    type: EventTypeValue,
    path: string,
    out: WatchEvent<W>[],
    fired: Set<W>,
    suppress: ReadonlySet<W> | undefined,
  ): void {
    if (fired.has(w)) return;
    fired.add(w);
    if (suppress?.has(w)) return;
    out.push({ watcher: w, type, path });
  }
}

export class WatchRegistry<W> {
  private readonly data = new WatchTable<W>();
  private readonly child = new WatchTable<W>();

  /** A getData or exists watch (ZooKeeper does not tell them apart). */
  addData(path: string, w: W): void {
    this.data.add(path, w, STANDARD);
  }

  /** A getChildren watch. */
  addChild(path: string, w: W): void {
    this.child.add(path, w, STANDARD);
  }

  /** addWatch mode PERSISTENT: registered in both tables. */
  addPersistent(path: string, w: W): void {
    this.data.add(path, w, PERSISTENT);
    this.child.add(path, w, PERSISTENT);
  }

  /** addWatch mode PERSISTENT_RECURSIVE: a data-table entry that also matches descendants. */
  addPersistentRecursive(path: string, w: W): void {
    this.data.add(path, w, RECURSIVE);
  }

  /**
   * The notifications one change produces, one per watcher, and the one-shot watches it consumes.
   * `type` is the event at `path`: NodeCreated/NodeDataChanged fire data watches, NodeDeleted fires
   * data then child watches of the path, NodeChildrenChanged fires child watches of the path.
   */
  trigger(type: EventTypeValue, path: string): Array<WatchEvent<W>> {
    const out: WatchEvent<W>[] = [];
    switch (type) {
      case EventType.NodeCreated:
      case EventType.NodeDataChanged:
        this.data.trigger(path, type, out, new Set());
        break;
      case EventType.NodeDeleted: {
        const fired = new Set<W>();
        this.data.trigger(path, type, out, fired);
        this.child.trigger(path, type, out, new Set(), fired);
        break;
      }
      case EventType.NodeChildrenChanged:
        this.child.trigger(path, type, out, new Set());
        break;
      default:
        throw new Error(`invariant: event type ${type} is not produced by a change to the tree`);
    }
    return out;
  }

  /** Drops every watch of a closed connection. */
  removeWatcher(w: W): void {
    this.data.removeWatcher(w);
    this.child.removeWatcher(w);
  }

  /** checkWatches: whether `w` holds a watch of `watcherType` at `path` (DataTree.containsWatcher). */
  has(path: string, watcherType: number, w: W): boolean {
    switch (watcherType) {
      case WatcherType.Children:
        return (this.child.modes(path, w) & STANDARD) !== 0;
      case WatcherType.Data:
        return (this.data.modes(path, w) & STANDARD) !== 0;
      case WatcherType.Persistent:
        return (this.data.modes(path, w) & PERSISTENT) !== 0;
      case WatcherType.PersistentRecursive:
        return (this.data.modes(path, w) & RECURSIVE) !== 0;
      case WatcherType.Any:
        return this.child.modes(path, w) !== 0 || this.data.modes(path, w) !== 0;
      default:
        return false;
    }
  }

  /** removeWatches: removes the watches of `watcherType` and says whether any existed (DataTree.removeWatch). */
  remove(path: string, watcherType: number, w: W): boolean {
    switch (watcherType) {
      case WatcherType.Children:
        return this.child.remove(path, w, STANDARD);
      case WatcherType.Data:
        return this.data.remove(path, w, STANDARD);
      case WatcherType.Persistent: {
        const fromChild = this.child.remove(path, w, PERSISTENT);
        const fromData = this.data.remove(path, w, PERSISTENT);
        return fromChild || fromData;
      }
      case WatcherType.PersistentRecursive:
        return this.data.remove(path, w, RECURSIVE);
      case WatcherType.Any: {
        const fromChild = this.child.remove(path, w, 0);
        const fromData = this.data.remove(path, w, 0);
        return fromChild || fromData;
      }
      default:
        return false;
    }
  }

  /** The data-watch table by path (what `wchp` prints). */
  dataWatchesByPath(): Map<string, W[]> {
    const out = new Map<string, W[]>();
    for (const [path, watchers] of this.data.byPath) out.set(path, [...watchers.keys()]);
    return out;
  }

  /** The data-watch table by watcher (what `wchc` prints). */
  dataWatchesByWatcher(): Map<W, string[]> {
    const out = new Map<W, string[]>();
    for (const [w, paths] of this.data.byWatcher) out.set(w, [...paths]);
    return out;
  }

  /** Data-table summary for `wchs`: connections, paths and (path, connection) pairs. */
  dataWatchSummary(): { connections: number; paths: number; watches: number } {
    return { connections: this.data.byWatcher.size, paths: this.data.byPath.size, watches: this.data.size };
  }

  /** zk_watch_count: (path, watcher) entries in both tables. */
  get watchCount(): number {
    return this.data.size + this.child.size;
  }

  /** Watch entries held by one connection, for a per-session bound. */
  watchesOf(w: W): number {
    return (this.data.byWatcher.get(w)?.size ?? 0) + (this.child.byWatcher.get(w)?.size ?? 0);
  }
}
