// The public client: one promise-returning method per ZooKeeper operation, with client paths in and
// out (the chroot is applied at this edge), typed results and typed errors. Watches are registered
// in the reply callback, synchronously, so no notification can slip between a reply and its watch.

import { EventEmitter } from "node:events";
import { AddWatchMode, OpCode, WatcherType } from "../protocol/constants.js";
import type { ACL, ClientInfo, Stat } from "../protocol/data.js";
import type { JuteReader } from "../protocol/jute.js";
import type { Request } from "../protocol/requests.js";
import {
  decodeResponseBody,
  type ReplyHeader,
  type ResponseOf,
  type ResponseRecordName,
} from "../protocol/responses.js";
import { toClientPath, toServerPath, validatePath } from "./connect-string.js";
import { ClientError, serverError } from "./errors.js";
import type { EventStream } from "./event-stream.js";
import type { ClientOptions } from "./options.js";
import { type ConnectionState, Session } from "./session.js";
import {
  type CreateOptions,
  createRequest,
  type Data,
  isSequential,
  multiReadResults,
  multiResults,
  type ReadOp,
  type ReadResult,
  Transaction,
  toBuffer,
} from "./transaction.js";
import type { NodeEvent, OneTimeKind, WatchEvent, Watcher } from "./watches.js";

/** Options of the reads that can leave a one-time watch. */
export interface WatchOption {
  /** Called once when the node changes, or with a sessionEnded event if it never can. */
  readonly watch?: Watcher;
}

/** A one-time watch as a promise: resolves with the change, rejects when the session ends first. */
export interface Watched<T> {
  /** The read's own result. */
  readonly result: T;
  /** Resolves with the first change; rejects with the session's end error if none can come. */
  readonly changed: Promise<NodeEvent>;
}

/** A persistent or recursive watch: iterate its events; `close()` removes it from the server. */
export interface PersistentWatch extends AsyncIterable<NodeEvent> {
  /** The watched client path. */
  readonly path: string;
  /** Ends the iteration and removes the watch from the server (best effort); never rejects. */
  close(): Promise<void>;
}

/** Which one-time watches removeWatches removes. */
export type RemovableWatchKind = "data" | "children" | "any";

const NO_NODE = -101;

/**
 * A client of a ZooKeeper-compatible ensemble; connects in the background as soon as it is made
 * and emits `state` with each {@link ConnectionState}. Paths are client paths (under the chroot).
 *
 * Every operation rejects with the typed error of the code the server replied with (a
 * {@link ServerError} subclass such as {@link NoNodeError}, carrying `code` and `path`); with
 * {@link ConnectionLossError} when the connection dropped before the reply (its
 * `mayHaveBeenApplied` says whether a retry is safe); with {@link RequestTimeoutError} after
 * `requestTimeoutMs`; with {@link SessionExpiredError} once the session has expired; and with
 * {@link ClientError} (`PDK_BAD_ARGUMENT` for an invalid path, `PDK_QUEUE_FULL` when
 * `queuedRequestsMax` or `watchesMax` is reached, `PDK_CLIENT_CLOSED` after `close()`).
 * The `@throws` below name only what each operation adds to that list.
 */
export class Client extends EventEmitter<{ state: [ConnectionState] }> {
  private readonly session: Session;

  /**
   * Starts connecting to `connectString` ("h1:2181,h2:2181/chroot"); see {@link ClientOptions}.
   * @throws {ClientError} `PDK_BAD_CONNECT_STRING` for a malformed string, `PDK_BAD_ARGUMENT` for a bad option.
   */
  constructor(connectString: string, options: ClientOptions = {}) {
    super();
    this.session = new Session(connectString, options);
    this.session.on("state", (state) => this.emit("state", state));
  }

  /** The connection state now. */
  get state(): ConnectionState {
    return this.session.state;
  }

  /** The session id; 0n before the first handshake. */
  get sessionId(): bigint {
    return this.session.sessionId;
  }

  /** The highest zxid in any reply so far: after a sync, the server's last committed zxid. */
  get lastZxidSeen(): bigint {
    return this.session.lastZxidSeen;
  }

  /** The session password (a copy), to resume the session from another client. */
  get sessionPassword(): Buffer {
    return this.session.sessionPassword;
  }

  /** The session timeout the server granted; 0 before the first handshake. */
  get sessionTimeoutMs(): number {
    return this.session.sessionTimeoutMs;
  }

  /** The server of the current connection ("host:port"), if connected. */
  get server(): string | undefined {
    return this.session.server;
  }

  /** The chroot from the connection string, "" when none. */
  get chroot(): string {
    return this.session.chroot;
  }

  /** Connection states as they happen; the iterator ends after expired, authFailed or closed. */
  states(): AsyncIterableIterator<ConnectionState> {
    return this.session.states();
  }

  /**
   * Resolves once connected (read-write, or read-only if allowed), waiting at most `timeoutMs`
   * milliseconds.
   * @throws {ClientError} `PDK_CLIENT_CLOSED` when not connected within `timeoutMs`.
   * @throws {SessionExpiredError | AuthFailedError | ClientError} the error that ended the session.
   */
  async connected(timeoutMs = 30_000): Promise<void> {
    const ready = (): boolean => this.state === "connected" || this.state === "connectedReadOnly";
    if (ready()) return;
    if (this.session.endError) throw this.session.endError;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off("state", onState);
        reject(new ClientError("PDK_CLIENT_CLOSED", `not connected within ${timeoutMs} ms`));
      }, timeoutMs);
      const onState = (): void => {
        const error = this.session.endError;
        if (!ready() && !error) return;
        clearTimeout(timer);
        this.off("state", onState);
        if (error) reject(error);
        else resolve();
      };
      this.on("state", onState);
    });
  }

  /** Closes the session (its ephemeral nodes go) and the connection; idempotent. */
  close(): Promise<void> {
    return this.session.close();
  }

  private serverPath(path: string, sequential = false): string {
    validatePath(path, sequential);
    return toServerPath(this.session.chroot, path);
  }

  /**
   * Sends `request` and decodes the reply as `record`. `onError` may turn an error code into a
   * value (exists: NONODE is null); `onSuccess` runs synchronously with the decoded reply.
   */
  private call<R extends ResponseRecordName, T>(
    request: Request,
    path: string | undefined,
    record: R | undefined,
    map: (response: ResponseOf<R> | undefined) => T,
    onError?: (code: number) => { value: T } | undefined,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.session.submit(
        request,
        path,
        (header: ReplyHeader, body: JuteReader) => {
          if (header.err !== 0) {
            const handled = onError?.(header.err);
            if (handled) resolve(handled.value);
            else reject(serverError(header.err, { path }));
            return;
          }
          resolve(map(record === undefined ? undefined : decodeResponseBody(record, body)));
        },
        reject,
      );
    });
  }

  private watchAdder(kind: OneTimeKind, path: string, watcher: Watcher | undefined): () => void {
    if (watcher === undefined) return () => {};
    if (this.session.watches.full) throw new ClientError("PDK_QUEUE_FULL", "too many watches on this client");
    return () => this.session.watches.addOneTime(kind, path, watcher);
  }

  /**
   * Creates a node and returns its path (with the sequence suffix for sequential modes).
   * @throws {NodeExistsError} the node exists. {@link NoNodeError}: the parent does not.
   * {@link NoChildrenForEphemeralsError}: the parent is ephemeral. {@link ClientError}
   * `PDK_BAD_ARGUMENT`: `ttlMs` missing for a TTL mode or given for another.
   */
  async create(path: string, data: Data = null, options: CreateOptions = {}): Promise<string> {
    return (await this.createWithStat(path, data, options)).path;
  }

  /** Like create, with the new node's Stat. @throws the errors of {@link Client.create}. */
  async createWithStat(
    path: string,
    data: Data = null,
    options: CreateOptions = {},
  ): Promise<{ path: string; stat: Stat }> {
    const request = createRequest(this.serverPath(path, isSequential(options)), data, options) as Request;
    return this.call(request, path, "Create2Response", (r) => ({
      path: toClientPath(this.session.chroot, r!.path),
      stat: r!.stat,
    }));
  }

  /**
   * Deletes a node; `version` -1 matches any version.
   * @throws {NoNodeError} no such node. {@link BadVersionError}: the version differs.
   * {@link NotEmptyError}: the node has children.
   */
  async delete(path: string, version = -1): Promise<void> {
    return this.call(
      { type: OpCode.delete, path: this.serverPath(path), version },
      path,
      undefined,
      () => undefined,
    );
  }

  /**
   * The node's Stat, or null if it does not exist (a missing node is not an error here). A watch
   * fires on create, change or delete.
   */
  async exists(path: string, options: WatchOption = {}): Promise<Stat | null> {
    const watcher = options.watch;
    return this.call(
      { type: OpCode.exists, path: this.serverPath(path), watch: watcher !== undefined },
      path,
      "ExistsResponse",
      (r) => {
        this.watchAdder("data", path, watcher)();
        return r!.stat;
      },
      (code) => {
        if (code !== NO_NODE) return undefined;
        this.watchAdder("exist", path, watcher)();
        return { value: null };
      },
    );
  }

  /**
   * Data (null when the node was created without data) and Stat; a watch fires on a data change
   * or delete.
   * @throws {NoNodeError} no such node (no watch is left).
   */
  async getData(path: string, options: WatchOption = {}): Promise<{ data: Buffer | null; stat: Stat }> {
    const add = this.watchAdder("data", path, options.watch);
    return this.call(
      { type: OpCode.getData, path: this.serverPath(path), watch: options.watch !== undefined },
      path,
      "GetDataResponse",
      (r) => {
        add();
        return { data: r!.data, stat: r!.stat };
      },
    );
  }

  /**
   * Replaces the data; `version` -1 matches any. Returns the new Stat.
   * @throws {NoNodeError} no such node. {@link BadVersionError}: the version differs.
   * {@link QuotaExceededError}: a hard quota refused the write.
   */
  async setData(path: string, data: Data, version = -1): Promise<Stat> {
    return this.call(
      { type: OpCode.setData, path: this.serverPath(path), data: toBuffer(data), version },
      path,
      "SetDataResponse",
      (r) => r!.stat,
    );
  }

  /** The ACL and Stat of a node. @throws {NoNodeError} no such node. */
  async getACL(path: string): Promise<{ acl: ACL[]; stat: Stat }> {
    return this.call({ type: OpCode.getACL, path: this.serverPath(path) }, path, "GetACLResponse", (r) => ({
      acl: [...(r!.acl ?? [])],
      stat: r!.stat,
    }));
  }

  /**
   * Replaces the ACL; `version` is the ACL version (aversion), -1 for any.
   * @throws {NoNodeError} no such node. {@link BadVersionError}: the aversion differs.
   * {@link InvalidAclError}: the ACL is empty or malformed.
   */
  async setACL(path: string, acl: readonly ACL[], version = -1): Promise<Stat> {
    return this.call(
      { type: OpCode.setACL, path: this.serverPath(path), acl, version },
      path,
      "SetACLResponse",
      (r) => r!.stat,
    );
  }

  /**
   * Child names (unsorted, as the server sends them); a watch fires on a child change or delete.
   * @throws {NoNodeError} no such node.
   */
  async getChildren(path: string, options: WatchOption = {}): Promise<string[]> {
    return (await this.getChildrenWithStat(path, options)).children;
  }

  /** Child names with the parent's Stat. @throws {NoNodeError} no such node. */
  async getChildrenWithStat(
    path: string,
    options: WatchOption = {},
  ): Promise<{ children: string[]; stat: Stat }> {
    const add = this.watchAdder("child", path, options.watch);
    return this.call(
      { type: OpCode.getChildren2, path: this.serverPath(path), watch: options.watch !== undefined },
      path,
      "GetChildren2Response",
      (r) => {
        add();
        return { children: [...(r!.children ?? [])], stat: r!.stat };
      },
    );
  }

  /** Waits until the connected server has caught up with the leader, for read-after-write elsewhere. */
  async sync(path = "/"): Promise<void> {
    return this.call(
      { type: OpCode.sync, path: this.serverPath(path) },
      path,
      "SyncResponse",
      () => undefined,
    );
  }

  /** Starts an atomic multi; add ops and `commit()` (which throws; see {@link Transaction.commit}). */
  transaction(): Transaction {
    return new Transaction(this.session.chroot, (ops, paths) => {
      if (ops.length === 0) return Promise.resolve([]);
      return this.call({ type: OpCode.multi, ops }, undefined, "MultiResponse", (r) =>
        multiResults(this.session.chroot, r!.results, paths),
      );
    });
  }

  /**
   * Several reads in one round trip; each read succeeds or fails on its own, so a missing node
   * is an entry in the results rather than a rejection.
   */
  async multiRead(ops: readonly ReadOp[]): Promise<ReadResult[]> {
    if (ops.length === 0) return Promise.resolve([]);
    const wire = ops.map((op) => ({
      type: op.type === "getData" ? OpCode.getData : OpCode.getChildren,
      path: this.serverPath(op.path),
      watch: false,
    }));
    return this.call({ type: OpCode.multiRead, ops: wire }, undefined, "MultiResponse", (r) =>
      multiReadResults(
        r!.results,
        ops.map((op) => op.path),
      ),
    );
  }

  /** Paths of this session's ephemeral nodes under `prefix` (client paths). */
  async getEphemerals(prefix = "/"): Promise<string[]> {
    return this.call(
      { type: OpCode.getEphemerals, path: this.serverPath(prefix) },
      prefix,
      "GetEphemeralsResponse",
      (r) => (r!.ephemerals ?? []).map((path) => toClientPath(this.session.chroot, path)),
    );
  }

  /** Number of descendants of `path`, at every depth. @throws {NoNodeError} no such node. */
  async getAllChildrenNumber(path: string): Promise<number> {
    return this.call(
      { type: OpCode.getAllChildrenNumber, path: this.serverPath(path) },
      path,
      "GetAllChildrenNumberResponse",
      (r) => r!.totalNumber,
    );
  }

  /** The identities the server associates with this connection. */
  async whoAmI(): Promise<ClientInfo[]> {
    return this.call({ type: OpCode.whoAmI }, undefined, "WhoAmIResponse", (r) => [...(r!.clientInfo ?? [])]);
  }

  /**
   * Adds credentials (e.g. digest "user:password"), kept and re-sent on every reconnect.
   * @throws {AuthFailedError} the server refused them; the session then ends.
   */
  async addAuth(scheme: string, auth: Buffer | string): Promise<void> {
    return this.session.addAuth(scheme, typeof auth === "string" ? Buffer.from(auth, "utf8") : auth);
  }

  /** The ensemble configuration (/zookeeper/config, never under the chroot). */
  async getConfig(options: WatchOption = {}): Promise<{ data: Buffer | null; stat: Stat }> {
    const add = this.watchAdder("data", "/zookeeper/config", options.watch);
    return this.call(
      { type: OpCode.getData, path: "/zookeeper/config", watch: options.watch !== undefined },
      "/zookeeper/config",
      "GetDataResponse",
      (r) => {
        add();
        return { data: r!.data, stat: r!.stat };
      },
    );
  }

  /**
   * Incremental (joining/leaving) or bulk (newMembers) reconfiguration; returns the new config.
   * @throws {ReconfigDisabledError} reconfig is off on the server. {@link NewConfigNoQuorumError},
   * {@link ReconfigInProgressError}, {@link BadVersionError} (`fromConfig` is stale), {@link NoAuthError}.
   */
  async reconfig(change: {
    joining?: string;
    leaving?: string;
    newMembers?: string;
    fromConfig?: bigint;
  }): Promise<{ data: Buffer | null; stat: Stat }> {
    return this.call(
      {
        type: OpCode.reconfig,
        joiningServers: change.joining ?? null,
        leavingServers: change.leaving ?? null,
        newMembers: change.newMembers ?? null,
        curConfigId: change.fromConfig ?? -1n,
      },
      undefined,
      "GetDataResponse",
      (r) => ({ data: r!.data, stat: r!.stat }),
    );
  }

  /** One-time watch on existence and data as a promise. */
  async watchExists(path: string): Promise<Watched<Stat | null>> {
    const { watch, changed } = onceWatch();
    return { result: await this.exists(path, { watch }), changed };
  }

  /** One-time watch on data as a promise. @throws {NoNodeError} no such node. */
  async watchData(path: string): Promise<Watched<{ data: Buffer | null; stat: Stat }>> {
    const { watch, changed } = onceWatch();
    return { result: await this.getData(path, { watch }), changed };
  }

  /** One-time watch on the children as a promise. @throws {NoNodeError} no such node. */
  async watchChildren(path: string): Promise<Watched<string[]>> {
    const { watch, changed } = onceWatch();
    return { result: await this.getChildren(path, { watch }), changed };
  }

  /**
   * A persistent watch on `path` (recursive: also every descendant, without childrenChanged). The
   * watch is re-armed after reconnects; `close()` or leaving a for-await loop removes it.
   * @throws {ClientError} `PDK_QUEUE_FULL` when `watchesMax` watches are held already.
   */
  async addWatch(path: string, options: { recursive?: boolean } = {}): Promise<PersistentWatch> {
    const kind = options.recursive ? "recursive" : "persistent";
    if (this.session.watches.full) throw new ClientError("PDK_QUEUE_FULL", "too many watches on this client");
    const serverPath = this.serverPath(path);
    const stream: EventStream<NodeEvent> = this.session.newWatchStream<NodeEvent>(() => {
      if (this.session.watches.removeStream(kind, path, stream) && !this.session.endError) {
        const watcherType = kind === "recursive" ? WatcherType.PersistentRecursive : WatcherType.Persistent;
        // Best effort: a failure leaves a server watch whose events nobody receives.
        this.call(
          { type: OpCode.removeWatches, path: serverPath, watcherType },
          path,
          undefined,
          () => undefined,
        ).catch(() => {});
      }
    });
    await this.call(
      {
        type: OpCode.addWatch,
        path: serverPath,
        mode: kind === "recursive" ? AddWatchMode.PERSISTENT_RECURSIVE : AddWatchMode.PERSISTENT,
      },
      path,
      undefined,
      () => this.session.watches.addStream(kind, path, stream),
    );
    return {
      path,
      [Symbol.asyncIterator]: () => stream,
      close: async () => {
        stream.end();
      },
    };
  }

  /**
   * Removes this client's one-time watches of a kind on `path`, on the server and locally; the
   * removed watchers receive a dataWatchRemoved or childWatchRemoved event. `local` removes them
   * here even when the server cannot be reached.
   * @throws {NoWatcherError} this client has no such watch on `path`.
   */
  async removeWatches(
    path: string,
    kind: RemovableWatchKind,
    options: { local?: boolean } = {},
  ): Promise<void> {
    const kinds: OneTimeKind[] =
      kind === "data" ? ["data", "exist"] : kind === "children" ? ["child"] : ["data", "exist", "child"];
    if (!this.session.watches.hasOneTime(kinds, path)) throw serverError(-121, { path });
    const watcherType =
      kind === "data" ? WatcherType.Data : kind === "children" ? WatcherType.Children : WatcherType.Any;
    try {
      await this.call(
        { type: OpCode.removeWatches, path: this.serverPath(path), watcherType },
        path,
        undefined,
        () => undefined,
      );
    } catch (error) {
      if (!options.local) throw error;
    }
    this.session.watches.removeOneTime(kinds, path, -1n);
  }
}

/** A watcher callback and the promise it settles; the promise never counts as unhandled. */
function onceWatch(): { watch: Watcher; changed: Promise<NodeEvent> } {
  let watch!: Watcher;
  const changed = new Promise<NodeEvent>((resolve, reject) => {
    watch = (event: WatchEvent) => (event.type === "sessionEnded" ? reject(event.error) : resolve(event));
  });
  changed.catch(() => {});
  return { watch, changed };
}

/**
 * Creates a client; it connects in the background (await `client.connected()` to wait).
 * @throws {ClientError} `PDK_BAD_CONNECT_STRING` or `PDK_BAD_ARGUMENT`, synchronously.
 */
export function createClient(connectString: string, options: ClientOptions = {}): Client {
  return new Client(connectString, options);
}

/**
 * Creates a client and waits until it is connected, at most `options.sessionTimeoutMs`
 * (default 30000 ms); on failure the client is closed before the promise rejects.
 * @throws {ClientError} `PDK_BAD_CONNECT_STRING`, `PDK_BAD_ARGUMENT`, or `PDK_CLIENT_CLOSED` on timeout.
 * @throws {AuthFailedError | SessionExpiredError} the session ended before it connected.
 */
export async function connect(connectString: string, options: ClientOptions = {}): Promise<Client> {
  const client = new Client(connectString, options);
  try {
    await client.connected(options.sessionTimeoutMs ?? 30_000);
  } catch (error) {
    await client.close();
    throw error;
  }
  return client;
}
