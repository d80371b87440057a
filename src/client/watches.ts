// The client's table of watches, keyed by client path. The server keeps one watch per
// (connection, path, kind) and sends one notification; this table fans it out to every watcher
// the application registered, following ZooKeeper's rules for which event fires which kind. The
// same table is what a new connection re-arms with SetWatches, so a watch survives reconnects.

import { EventType } from "../protocol/constants.js";
import type { EventStream } from "./event-stream.js";

/** What happened to a watched znode, or which watch was removed (removeWatches). */
export type NodeEventType =
  | "created"
  | "deleted"
  | "dataChanged"
  | "childrenChanged"
  | "dataWatchRemoved"
  | "childWatchRemoved"
  | "persistentWatchRemoved";

/** A change to a znode, delivered to the watches on it. */
export interface NodeEvent {
  /** What happened. */
  readonly type: NodeEventType;
  /** The client path (chroot stripped). */
  readonly path: string;
  /** The zxid of the change from 3.9 servers; -1 from 3.8 servers and for re-armed watches. */
  readonly zxid: bigint;
}

/** Delivered to a one-time watch that can never fire because the session ended. */
export interface SessionEndEvent {
  /** Tells it apart from a NodeEvent. */
  readonly type: "sessionEnded";
  /** The terminal connection state that ended the session. */
  readonly reason: "expired" | "closed" | "authFailed";
  /** The error the session ended with (SessionExpiredError, AuthFailedError or ClientError). */
  readonly error: Error;
}

/** What a one-time watcher receives: the change, or the end of the session. */
export type WatchEvent = NodeEvent | SessionEndEvent;
/** A one-time watch callback; called at most once. */
export type Watcher = (event: WatchEvent) => void;

export type OneTimeKind = "data" | "exist" | "child";
export type PersistentKind = "persistent" | "recursive";

const eventTypeNames = new Map<number, NodeEventType>([
  [EventType.NodeCreated, "created"],
  [EventType.NodeDeleted, "deleted"],
  [EventType.NodeDataChanged, "dataChanged"],
  [EventType.NodeChildrenChanged, "childrenChanged"],
  [EventType.DataWatchRemoved, "dataWatchRemoved"],
  [EventType.ChildWatchRemoved, "childWatchRemoved"],
  [EventType.PersistentWatchRemoved, "persistentWatchRemoved"],
]);

export function nodeEventType(wireType: number): NodeEventType | undefined {
  return eventTypeNames.get(wireType);
}

/** The paths of every armed watch, by the list of SetWatches2 that carries them. */
export interface ArmedWatches {
  readonly data: string[];
  readonly exist: string[];
  readonly child: string[];
  readonly persistent: string[];
  readonly recursive: string[];
}

function parentPaths(path: string): string[] {
  const out: string[] = [];
  let current = path;
  while (current !== "/") {
    const slash = current.lastIndexOf("/");
    current = slash === 0 ? "/" : current.slice(0, slash);
    out.push(current);
  }
  return out;
}

export class WatchTable {
  private readonly oneTime: Record<OneTimeKind, Map<string, Set<Watcher>>> = {
    data: new Map(),
    exist: new Map(),
    child: new Map(),
  };
  private readonly streams: Record<PersistentKind, Map<string, Set<EventStream<NodeEvent>>>> = {
    persistent: new Map(),
    recursive: new Map(),
  };

  constructor(private readonly watchesMax: number) {}

  /** Number of registered watchers (not paths); bounded by watchesMax. */
  get size(): number {
    let total = 0;
    for (const table of [...Object.values(this.oneTime), ...Object.values(this.streams)]) {
      for (const set of table.values()) total += set.size;
    }
    return total;
  }

  get full(): boolean {
    return this.size >= this.watchesMax;
  }

  addOneTime(kind: OneTimeKind, path: string, watcher: Watcher): void {
    const table = this.oneTime[kind];
    let set = table.get(path);
    if (!set) {
      set = new Set();
      table.set(path, set);
    }
    set.add(watcher);
  }

  addStream(kind: PersistentKind, path: string, stream: EventStream<NodeEvent>): void {
    const table = this.streams[kind];
    let set = table.get(path);
    if (!set) {
      set = new Set();
      table.set(path, set);
    }
    set.add(stream);
  }

  /** Removes one stream; true when it was the last on its path, so the server watch can go too. */
  removeStream(kind: PersistentKind, path: string, stream: EventStream<NodeEvent>): boolean {
    const set = this.streams[kind].get(path);
    if (!set?.delete(stream)) return false;
    if (set.size > 0) return false;
    this.streams[kind].delete(path);
    return true;
  }

  /** Delivers a server notification to every watcher it triggers (ZooKeeper's materialize rules). */
  dispatch(event: NodeEvent): void {
    const fire = (kind: OneTimeKind): void => {
      const set = this.oneTime[kind].get(event.path);
      if (!set) return;
      this.oneTime[kind].delete(event.path);
      for (const watcher of set) watcher(event);
    };
    switch (event.type) {
      case "created":
      case "dataChanged":
        fire("data");
        fire("exist");
        break;
      case "childrenChanged":
        fire("child");
        break;
      case "deleted":
        fire("data");
        fire("exist");
        fire("child");
        break;
      default:
        break;
    }
    for (const stream of this.streams.persistent.get(event.path) ?? []) stream.push(event);
    if (event.type !== "childrenChanged") {
      for (const path of [event.path, ...parentPaths(event.path)]) {
        for (const stream of this.streams.recursive.get(path) ?? []) stream.push(event);
      }
    }
  }

  /** Removes the one-time watchers of a kind on a path (after removeWatches), telling each. */
  removeOneTime(kinds: readonly OneTimeKind[], path: string, zxid: bigint): void {
    for (const kind of kinds) {
      const set = this.oneTime[kind].get(path);
      if (!set) continue;
      this.oneTime[kind].delete(path);
      const type: NodeEventType = kind === "child" ? "childWatchRemoved" : "dataWatchRemoved";
      for (const watcher of set) watcher({ type, path, zxid });
    }
  }

  hasOneTime(kinds: readonly OneTimeKind[], path: string): boolean {
    return kinds.some((kind) => (this.oneTime[kind].get(path)?.size ?? 0) > 0);
  }

  armed(): ArmedWatches {
    return {
      data: [...this.oneTime.data.keys()],
      exist: [...this.oneTime.exist.keys()],
      child: [...this.oneTime.child.keys()],
      persistent: [...this.streams.persistent.keys()],
      recursive: [...this.streams.recursive.keys()],
    };
  }

  /** The session is over: every one-time watch hears why and every stream ends with the error. */
  endAll(reason: SessionEndEvent["reason"], error: Error): void {
    const event: SessionEndEvent = { type: "sessionEnded", reason, error };
    for (const table of Object.values(this.oneTime)) {
      const sets = [...table.values()];
      table.clear();
      for (const set of sets) for (const watcher of set) watcher(event);
    }
    for (const table of Object.values(this.streams)) {
      const sets = [...table.values()];
      table.clear();
      for (const set of sets) for (const stream of set) stream.end(error);
    }
  }
}
