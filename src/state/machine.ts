// The replicated state machine: `apply(entry)` evaluates one committed log entry against the tree
// with ZooKeeper's validation order (PrepRequestProcessor) and effects (DataTree), and returns the
// reply and the watch triggers; `replay(entry)` makes the same change for an entry read back from the
// log at start-up, without building a reply. All validation happens here, so every replica reaches the
// same answer from the same entries; the only time used is the entry's. Reads answer from the same
// tree. Quota rules live in quota.ts, the multi undo log in undo.ts, clean-up selection in cleanup.ts.

import { checkPerm, fixupACL, maskDigests } from "../data/acl.js";
import { DigestSum, Hasher64 } from "../data/hash.js";
import { validatePath } from "../data/path.js";
import { CONTAINER_OWNER, DataTree, NodeKind, SYSTEM_PATHS, ttlOwner, type ZNode } from "../data/tree.js";
import {
  createModeOf,
  Err,
  EventType,
  type EventTypeValue,
  OpCode,
  Perms,
  TTL_MAX_MS,
} from "../protocol/constants.js";
import type { ACL, Id, Stat } from "../protocol/data.js";
import type {
  CheckVersionRequest,
  CreateTTLRequest,
  DeleteRequest,
  MultiOp,
  SetACLRequest,
  SetDataRequest,
} from "../protocol/requests.js";
import { cleanupCandidates } from "./cleanup.js";
import type { CreateOpcode, Entry } from "./entry.js";
import { interpretMultiOps } from "./multi-ops.js";
import { QuotaRules, type StatsWrite } from "./quota.js";
import { rollback, type Undo } from "./undo.js";

export interface StateMachineOptions {
  /** zookeeper.skipACL: every permission check passes. */
  readonly skipACL?: boolean;
  /** zookeeper.extendedTypesEnabled: TTL nodes are allowed. */
  readonly extendedTypesEnabled?: boolean;
  /** zookeeper.enforceQuota: quota limits are checked; a hard limit refuses with QUOTAEXCEEDED. */
  readonly enforceQuota?: boolean;
}

/**
 * One multi sub-result, tagged with the MultiHeader type it is sent with (§9.2). `S` is the Stat
 * type, undefined inside a replay, which builds no Stats (see ReplyParts).
 */
export type MultiResult<S = Stat> =
  | { type: 1; path: string }
  | { type: 15; path: string; stat: S }
  | { type: 2 }
  | { type: 5; stat: S }
  | { type: 13 }
  | { type: -1; err: number };

export type TxnResult<S = Stat> =
  /** A failed non-multi txn: the reply is a header with this (non-zero) error code. */
  | { kind: "error"; err: number }
  | { err: 0; kind: "create"; path: string; stat: S }
  | { err: 0; kind: "delete" }
  | { err: 0; kind: "setData"; stat: S }
  | { err: 0; kind: "setACL"; stat: S }
  /** Always err 0; a failed multi carries its failure in `results` (§9.3). */
  | { err: 0; kind: "multi"; results: MultiResult<S>[] }
  /** createSession, closeSession. */
  | { err: 0; kind: "session" }
  /** epochStart, membership: nothing in the tree changes. */
  | { err: 0; kind: "none" };

/** A change watchers may hear about; `acl` is the changed node's ACL (the parent's for children). */
export interface Trigger {
  type: EventTypeValue;
  path: string;
  acl: readonly ACL[];
}

export interface ApplyOutcome {
  result: TxnResult;
  /** In the order ZooKeeper fires them; empty for failed txns and failed multis. */
  triggers: Trigger[];
  /**
   * What ZooKeeper logs as a warning while handling this entry (quota exceeded, a missing or unreadable
   * stats node), for the server to log; present only when non-empty, whether or not the txn succeeded.
   */
  warnings?: string[];
}

/**
 * What a txn hands its reply besides the state change: the Stats ZooKeeper copies out, and the watch
 * triggers. The ops write through this, so apply and replay run the same code for the change itself.
 */
interface ReplyParts<S> {
  /** The node's Stat as the reply shows it: taken now, before later changes in the same txn. */
  stat(node: ZNode): S;
  trigger(type: EventTypeValue, path: string, acl: readonly ACL[]): void;
  /** NodeChildrenChanged on the parent of `path`, whose ACL is `parentAcl`. */
  childrenChanged(path: string, parentAcl: readonly ACL[]): void;
  /** A failed multi fires nothing. */
  dropTriggers(): void;
}

class LiveReply implements ReplyParts<Stat> {
  readonly triggers: Trigger[] = [];

  constructor(private readonly tree: DataTree) {}

  stat(node: ZNode): Stat {
    return this.tree.statOf(node);
  }

  trigger(type: EventTypeValue, path: string, acl: readonly ACL[]): void {
    this.triggers.push({ type, path, acl });
  }

  childrenChanged(path: string, parentAcl: readonly ACL[]): void {
    this.trigger(EventType.NodeChildrenChanged, watchParent(path), parentAcl);
  }

  dropTriggers(): void {
    this.triggers.length = 0;
  }
}

/** A replay's: no client waits for a reply, and no watch is set before start-up ends. */
const NO_REPLY: ReplyParts<undefined> = {
  stat: () => undefined,
  trigger: () => {},
  childrenChanged: () => {},
  dropTriggers: () => {},
};

/** A read's answer: an error code, or the fields of the response. */
export type ReadResult<T> = { kind: "error"; err: number } | ({ kind: "ok"; err: 0 } & T);

export interface SessionInfo {
  readonly timeoutMs: number;
  readonly ephemerals: ReadonlySet<string>;
}

const NO_EPHEMERALS: ReadonlySet<string> = new Set();

class SessionRecord implements SessionInfo {
  constructor(
    readonly timeoutMs: number,
    private readonly id: bigint,
    private readonly tree: DataTree,
  ) {}

  get ephemerals(): ReadonlySet<string> {
    return this.tree.ephemeralsOf(this.id) ?? NO_EPHEMERALS;
  }
}

/** What one write op leaves behind: an error code, or its result. */
type OpOutcome<T> = number | T;

function errorResult(err: number): { kind: "error"; err: number } {
  return { kind: "error", err };
}

/** ZooKeeper's String.format("%010d", cversion) on a signed 32-bit counter. */
export function sequenceSuffix(cversion: number): string {
  return cversion < 0 ? `-${String(-cversion).padStart(9, "0")}` : String(cversion).padStart(10, "0");
}

function watchParent(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "/" : path.slice(0, slash);
}

/** Java's String.trim(): strips code units <= U+0020 at both ends. */
function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return s.slice(start, end);
}

function normalizeId(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** The digest term of one session, built in `h`. */
function sessionDigestTerm(h: Hasher64, id: bigint, timeoutMs: number): Hasher64 {
  return h.reset().int(0x5e55).long(id).int(timeoutMs);
}

export class StateMachine {
  /** The tree, for read-only use by snapshots, clean-up scans and setWatches; mutate only through apply. */
  readonly tree: DataTree;
  private readonly skipACL: boolean;
  private readonly extendedTypesEnabled: boolean;
  private readonly sessionTable = new Map<bigint, SessionRecord>();
  private readonly quotas: QuotaRules;
  private appliedZxid = 0n;
  private secret: Buffer | undefined;
  /** The warnings of the entry being applied; apply is never re-entered, so one list serves. */
  private warnings: string[] = [];

  constructor(options: StateMachineOptions = {}) {
    this.skipACL = options.skipACL ?? false;
    this.extendedTypesEnabled = options.extendedTypesEnabled ?? false;
    this.tree = new DataTree({ extendedTypesEnabled: this.extendedTypesEnabled });
    this.quotas = new QuotaRules(this.tree, options.enforceQuota ?? false);
  }

  get lastZxid(): bigint {
    return this.appliedZxid;
  }

  /** The ensemble's session secret, once its first leader has proposed one. */
  get sessionSecret(): Buffer | undefined {
    return this.secret;
  }

  get znodeCount(): number {
    return this.tree.znodeCount;
  }

  get approximateDataSize(): number {
    return this.tree.approximateDataSize;
  }

  get ephemeralsCount(): number {
    return this.tree.ephemeralsCount;
  }

  /** Live sessions (keys are signed 64-bit, as jute reads them) with their ephemerals. */
  sessions(): ReadonlyMap<bigint, SessionInfo> {
    return this.sessionTable;
  }

  apply(entry: Entry): ApplyOutcome {
    this.advance(entry.zxid);
    const reply = new LiveReply(this.tree);
    const result = this.applyTxn(entry, reply);
    const outcome: ApplyOutcome = { result, triggers: result.err === 0 ? reply.triggers : [] };
    if (this.warnings.length > 0) outcome.warnings = this.warnings;
    return outcome;
  }

  /**
   * apply for an entry read back from the log at start-up: the same change to the state (tree,
   * digest, sessions, lastZxid), with no reply, watch triggers or warnings, which nobody would read.
   */
  replay(entry: Entry): void {
    this.advance(entry.zxid);
    this.applyTxn(entry, NO_REPLY);
  }

  private advance(zxid: bigint): void {
    if (zxid <= this.appliedZxid) {
      throw new Error(
        `invariant: zxid 0x${zxid.toString(16)} applied after 0x${this.appliedZxid.toString(16)}`,
      );
    }
    this.appliedZxid = zxid;
    this.warnings = [];
  }

  private applyTxn<S>(e: Entry, reply: ReplyParts<S>): TxnResult<S> {
    const txn = e.txn;
    switch (txn.kind) {
      case "createSession": {
        const id = normalizeId(e.sessionId);
        this.sessionTable.set(id, new SessionRecord(txn.timeoutMs, id, this.tree));
        return { err: 0, kind: "session" };
      }
      case "closeSession":
        this.closeSession(e, reply);
        return { err: 0, kind: "session" };
      case "create": {
        const r = this.create(e, txn.opcode, txn.request, undefined, reply);
        return typeof r === "number"
          ? errorResult(r)
          : { err: 0, kind: "create", path: r.path, stat: r.stat };
      }
      case "delete": {
        const r = this.delete(e, txn.request, undefined, reply);
        return r === 0 ? { err: 0, kind: "delete" } : errorResult(r);
      }
      case "setData": {
        const r = this.setData(e, txn.request, undefined, reply);
        return typeof r === "number" ? errorResult(r) : { err: 0, kind: "setData", stat: r };
      }
      case "setACL": {
        const r = this.setACL(e, txn.request, reply);
        return typeof r === "number" ? errorResult(r) : { err: 0, kind: "setACL", stat: r };
      }
      case "multi":
        return this.multi(e, txn.ops, reply);
      case "deleteContainer": {
        const r = this.deleteContainer(e, txn.path, reply);
        return r === 0 ? { err: 0, kind: "delete" } : errorResult(r);
      }
      case "epochStart":
      case "membership":
        return { err: 0, kind: "none" };
      case "sessionSecret":
        // The first one stands: passwords handed out under it must stay valid.
        this.secret ??= Buffer.from(txn.secret);
        return { err: 0, kind: "none" };
    }
  }

  private allowed(acl: readonly ACL[], perm: number, authIds: readonly Id[]): boolean {
    return this.skipACL || checkPerm(acl, perm, authIds);
  }

  /**
   * sessionTracker.checkSession, the first check of every client write: the entry's session must be
   * live. (createSession, closeSession and the server's clean-up, which runs as session 0, skip it.)
   */
  private sessionLive(e: Entry): boolean {
    return this.sessionTable.has(normalizeId(e.sessionId));
  }

  /** Writes a stats node's new data in place, recording the old for a multi's rollback. */
  private writeStats(write: StatsWrite | undefined, undo: Undo[] | undefined): void {
    if (write === undefined) return;
    const tree = this.tree;
    const node = write.node;
    const version = tree.version(node);
    const mzxid = tree.mzxid(node);
    const mtime = tree.mtime(node);
    undo?.push({ kind: "setData", path: write.path, data: tree.dataOf(node), version, mzxid, mtime });
    tree.setData(node, write.data, version, mzxid, mtime);
  }

  private closeSession(e: Entry, reply: ReplyParts<unknown>): void {
    const id = normalizeId(e.sessionId);
    const owned = this.tree.ephemeralsOf(id);
    if (owned !== undefined) {
      for (const path of [...owned]) this.removeNode(path, e.zxid, undefined, reply);
    }
    this.sessionTable.delete(id);
  }

  /** pRequest2TxnCreate's checks in its order, then DataTree.createNode's effects. */
  private create<S>(
    e: Entry,
    opcode: CreateOpcode,
    req: CreateTTLRequest,
    undo: Undo[] | undefined,
    reply: ReplyParts<S>,
  ): OpOutcome<{ path: string; stat: S }> {
    const tree = this.tree;
    const mode = createModeOf(req.flags);
    if (mode === undefined) return Err.BADARGUMENTS;
    if (mode.ttl && !this.extendedTypesEnabled) return Err.UNIMPLEMENTED;
    const ttl = opcode === OpCode.createTTL ? req.ttl : -1n;
    if (mode.ttl ? ttl <= 0n || ttl > TTL_MAX_MS : ttl >= 0n) return Err.BADARGUMENTS;
    // ZooKeeper builds a CreateTTLTxn from the opcode and fails to apply it without a TTL mode.
    if (opcode === OpCode.createTTL && !mode.ttl) return Err.BADARGUMENTS;
    const sessionId = normalizeId(e.sessionId);
    if (!this.sessionLive(e)) return Err.SESSIONEXPIRED;
    const slash = req.path.lastIndexOf("/");
    if (slash < 0 || req.path.includes("\0")) return Err.BADARGUMENTS;
    const acl = fixupACL(req.acl, e.authIds);
    if (acl === undefined) return Err.INVALIDACL;
    const parentPath = req.path.slice(0, slash);
    const parent = tree.get(parentPath);
    if (parent === undefined) return Err.NONODE;
    if (!this.allowed(tree.aclOf(parent), Perms.CREATE, e.authIds)) return Err.NOAUTH;
    const parentCversion = tree.storedCversion(parent);
    const path = mode.sequential ? req.path + sequenceSuffix(parentCversion) : req.path;
    if (validatePath(path) !== undefined) return Err.BADARGUMENTS;
    if (tree.get(path) !== undefined) return Err.NODEEXISTS;
    if (tree.kindOf(parent) === NodeKind.EPHEMERAL) return Err.NOCHILDRENFOREPHEMERALS;
    const bytes = req.data === null ? 0 : req.data.length;
    const quota = this.quotas.check(path, bytes, 1, this.warnings);
    if (quota !== 0) return quota;

    // As in ZooKeeper's DataTree, the opcode (not the flags) decides container and TTL nodes.
    let owner = 0n;
    if (opcode === OpCode.createContainer) owner = CONTAINER_OWNER;
    else if (opcode === OpCode.createTTL) owner = ttlOwner(ttl);
    else if (mode.ephemeral) owner = sessionId;
    undo?.push({ kind: "create", path, parentPath, cversion: parentCversion, pzxid: tree.pzxid(parent) });
    const node = tree.attachUnder(parent, path, {
      data: req.data,
      acl,
      czxid: e.zxid,
      mzxid: e.zxid,
      ctime: e.timeMs,
      mtime: e.timeMs,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: owner,
      pzxid: e.zxid,
    });
    tree.setChildCounters(parent, (parentCversion + 1) | 0, e.zxid);
    // ZooKeeper copies the Stat out before the quota updates, which may rewrite this very node.
    const stat = reply.stat(node);
    this.writeStats(this.quotas.recountIfStatsNode(path), undo);
    this.writeStats(this.quotas.statsAfter(path, bytes, 1, this.warnings), undo);
    reply.trigger(EventType.NodeCreated, path, tree.aclOf(node));
    reply.childrenChanged(path, tree.aclOf(parent));
    return { path, stat };
  }

  /** DataTree.deleteNode: the parent's pzxid rises, its stored cversion does not change. */
  private removeNode(path: string, zxid: bigint, undo: Undo[] | undefined, reply: ReplyParts<unknown>): void {
    const tree = this.tree;
    const parentPath = path.slice(0, path.lastIndexOf("/"));
    const parent = tree.get(parentPath)!;
    const pzxid = tree.pzxid(parent);
    const image = tree.detach(path);
    undo?.push({ kind: "delete", path, parentPath, image, pzxid });
    if (zxid > pzxid) tree.setChildCounters(parent, tree.storedCversion(parent), zxid);
    const bytes = image.data === null ? 0 : image.data.length;
    this.writeStats(this.quotas.statsAfter(path, -bytes, -1, this.warnings), undo);
    reply.trigger(EventType.NodeDeleted, path, image.acl);
    reply.childrenChanged(path, tree.aclOf(parent));
  }

  /** getParentPathAndValidate: a '/', no NUL, and not one of the system nodes. */
  private static deletablePath(path: string): boolean {
    return path.lastIndexOf("/") >= 0 && !path.includes("\0") && !SYSTEM_PATHS.has(path);
  }

  private delete(e: Entry, req: DeleteRequest, undo: Undo[] | undefined, reply: ReplyParts<unknown>): number {
    const tree = this.tree;
    const path = req.path;
    if (!this.sessionLive(e)) return Err.SESSIONEXPIRED;
    if (!StateMachine.deletablePath(path)) return Err.BADARGUMENTS;
    const parent = tree.get(path.slice(0, path.lastIndexOf("/")));
    if (parent === undefined) return Err.NONODE;
    if (!this.allowed(tree.aclOf(parent), Perms.DELETE, e.authIds)) return Err.NOAUTH;
    const node = tree.get(path);
    if (node === undefined) return Err.NONODE;
    if (req.version !== -1 && req.version !== tree.version(node)) return Err.BADVERSION;
    if (tree.numChildren(node) !== 0) return Err.NOTEMPTY;
    this.removeNode(path, e.zxid, undo, reply);
    return 0;
  }

  /**
   * Server clean-up: no ACL or session check; refuses nodes with children and normal ephemerals. Like
   * ZooKeeper it does not re-check why the node was chosen: a TTL node modified since is still deleted.
   */
  private deleteContainer(e: Entry, path: string, reply: ReplyParts<unknown>): number {
    const tree = this.tree;
    if (!StateMachine.deletablePath(path)) return Err.BADARGUMENTS;
    const node = tree.get(path);
    if (node === undefined) return Err.NONODE;
    if (tree.numChildren(node) !== 0) return Err.NOTEMPTY;
    if (tree.kindOf(node) === NodeKind.EPHEMERAL) return Err.BADVERSION;
    this.removeNode(path, e.zxid, undefined, reply);
    return 0;
  }

  private setData<S>(
    e: Entry,
    req: SetDataRequest,
    undo: Undo[] | undefined,
    reply: ReplyParts<S>,
  ): OpOutcome<S> {
    const tree = this.tree;
    if (!this.sessionLive(e)) return Err.SESSIONEXPIRED;
    if (validatePath(req.path) !== undefined) return Err.BADARGUMENTS;
    const node = tree.get(req.path);
    if (node === undefined) return Err.NONODE;
    if (!this.allowed(tree.aclOf(node), Perms.WRITE, e.authIds)) return Err.NOAUTH;
    const bytesDiff = (req.data === null ? 0 : req.data.length) - tree.dataLength(node);
    const quota = this.quotas.check(req.path, bytesDiff, 0, this.warnings);
    if (quota !== 0) return quota;
    const version = tree.version(node);
    if (req.version !== -1 && req.version !== version) return Err.BADVERSION;
    undo?.push({
      kind: "setData",
      path: req.path,
      data: tree.dataOf(node),
      version,
      mzxid: tree.mzxid(node),
      mtime: tree.mtime(node),
    });
    tree.setData(node, req.data, (version + 1) | 0, e.zxid, e.timeMs);
    const stat = reply.stat(node);
    this.writeStats(this.quotas.statsAfter(req.path, bytesDiff, 0, this.warnings), undo);
    reply.trigger(EventType.NodeDataChanged, req.path, tree.aclOf(node));
    return stat;
  }

  private setACL<S>(e: Entry, req: SetACLRequest, reply: ReplyParts<S>): OpOutcome<S> {
    const tree = this.tree;
    if (!this.sessionLive(e)) return Err.SESSIONEXPIRED;
    if (validatePath(req.path) !== undefined) return Err.BADARGUMENTS;
    const acl = fixupACL(req.acl, e.authIds);
    if (acl === undefined) return Err.INVALIDACL;
    const node = tree.get(req.path);
    if (node === undefined) return Err.NONODE;
    if (!this.allowed(tree.aclOf(node), Perms.ADMIN, e.authIds)) return Err.NOAUTH;
    const aversion = tree.aversion(node);
    if (req.version !== -1 && req.version !== aversion) return Err.BADVERSION;
    tree.setACL(node, acl, (aversion + 1) | 0);
    return reply.stat(node);
  }

  /** The `check` op of a multi: path, existence, READ, then the data version. */
  private check(e: Entry, req: CheckVersionRequest): number {
    const tree = this.tree;
    if (!this.sessionLive(e)) return Err.SESSIONEXPIRED;
    if (validatePath(req.path) !== undefined) return Err.BADARGUMENTS;
    const node = tree.get(req.path);
    if (node === undefined) return Err.NONODE;
    if (!this.allowed(tree.aclOf(node), Perms.READ, e.authIds)) return Err.NOAUTH;
    if (req.version !== -1 && req.version !== tree.version(node)) return Err.BADVERSION;
    return 0;
  }

  private multiOp<S>(e: Entry, op: MultiOp, undo: Undo[], reply: ReplyParts<S>): OpOutcome<MultiResult<S>> {
    switch (op.type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL: {
        const request: CreateTTLRequest = op.type === OpCode.createTTL ? op : { ...op, ttl: -1n };
        const r = this.create(e, op.type, request, undo, reply);
        if (typeof r === "number") return r;
        return op.type === OpCode.create
          ? { type: 1, path: r.path }
          : { type: 15, path: r.path, stat: r.stat };
      }
      case OpCode.delete: {
        const r = this.delete(e, op, undo, reply);
        return r === 0 ? { type: 2 } : r;
      }
      case OpCode.setData: {
        const r = this.setData(e, op, undo, reply);
        return typeof r === "number" ? r : { type: 5, stat: r };
      }
      case OpCode.check: {
        const r = this.check(e, op);
        return r === 0 ? { type: 13 } : r;
      }
      default:
        throw new Error(`invariant: op type ${op.type} reached a write multi`);
    }
  }

  /** All-or-nothing under one zxid: on the first failure every earlier op is undone (§9.3). */
  private multi<S>(e: Entry, requested: readonly MultiOp[], reply: ReplyParts<S>): TxnResult<S> {
    // Ops ZooKeeper could not read (read ops, unknown or TTL flags on a create) fail the whole
    // request like an undecodable body (§9.7), before anything runs.
    const ops = interpretMultiOps(requested);
    if (ops === undefined) return errorResult(Err.MARSHALLINGERROR);
    const undo: Undo[] = [];
    const results: MultiResult<S>[] = [];
    for (let i = 0; i < ops.length; i++) {
      const r = this.multiOp(e, ops[i]!, undo, reply);
      if (typeof r === "number") {
        rollback(this.tree, undo);
        reply.dropTriggers();
        // ZooKeeper's prep stage turns an exception (here: unparseable quota data) into a
        // MARSHALLINGERROR for the whole request, not a per-op result.
        if (r === Err.MARSHALLINGERROR) return errorResult(r);
        const failed: MultiResult<S>[] = ops.map((_, j) => ({
          type: -1,
          err: j < i ? 0 : j === i ? r : Err.RUNTIMEINCONSISTENCY,
        }));
        return { err: 0, kind: "multi", results: failed };
      }
      results.push(r);
    }
    return { err: 0, kind: "multi", results };
  }

  // Reads. They consume no zxid and check READ (getACL: READ or ADMIN) as FinalRequestProcessor does.

  getData(path: string, authIds: readonly Id[]): ReadResult<{ data: Buffer | null; stat: Stat }> {
    const node = this.tree.get(path);
    if (node === undefined) return errorResult(Err.NONODE);
    if (!this.allowed(this.tree.aclOf(node), Perms.READ, authIds)) return errorResult(Err.NOAUTH);
    return { kind: "ok", err: 0, data: this.tree.dataOf(node), stat: this.tree.statOf(node) };
  }

  /** exists: NUL -> BADARGUMENTS, missing -> NONODE (the server still sets the watch), no READ -> NOAUTH. */
  exists(path: string, authIds: readonly Id[]): ReadResult<{ stat: Stat }> {
    if (path.includes("\0")) return errorResult(Err.BADARGUMENTS);
    const node = this.tree.get(path);
    if (node === undefined) return errorResult(Err.NONODE);
    if (!this.allowed(this.tree.aclOf(node), Perms.READ, authIds)) return errorResult(Err.NOAUTH);
    return { kind: "ok", err: 0, stat: this.tree.statOf(node) };
  }

  getChildren(path: string, authIds: readonly Id[]): ReadResult<{ children: string[]; stat: Stat }> {
    const node = this.tree.get(path);
    if (node === undefined) return errorResult(Err.NONODE);
    if (!this.allowed(this.tree.aclOf(node), Perms.READ, authIds)) return errorResult(Err.NOAUTH);
    return { kind: "ok", err: 0, children: this.tree.childrenOf(node), stat: this.tree.statOf(node) };
  }

  /** getACL: READ or ADMIN; without ADMIN digest ids are masked to `user:x`. */
  getACL(path: string, authIds: readonly Id[]): ReadResult<{ acl: ACL[]; stat: Stat }> {
    const node = this.tree.get(path);
    if (node === undefined) return errorResult(Err.NONODE);
    const acl = this.tree.aclOf(node);
    if (!this.allowed(acl, Perms.READ | Perms.ADMIN, authIds)) return errorResult(Err.NOAUTH);
    const shown = this.allowed(acl, Perms.ADMIN, authIds) ? [...acl] : maskDigests(acl);
    return { kind: "ok", err: 0, acl: shown, stat: this.tree.statOf(node) };
  }

  getAllChildrenNumber(path: string, authIds: readonly Id[]): ReadResult<{ totalNumber: number }> {
    const node = this.tree.get(path);
    if (node === undefined) return errorResult(Err.NONODE);
    if (!this.allowed(this.tree.aclOf(node), Perms.READ, authIds)) return errorResult(Err.NOAUTH);
    return { kind: "ok", err: 0, totalNumber: this.tree.descendantCount(path) };
  }

  /** The calling session's ephemerals; a null, blank or "/" prefix means all, else a plain string prefix. */
  getEphemerals(sessionId: bigint, prefixPath: string | null): string[] {
    const owned = this.tree.ephemeralsOf(normalizeId(sessionId));
    if (owned === undefined) return [];
    const prefix = prefixPath === null ? "" : javaTrim(prefixPath);
    if (prefix === "" || prefix === "/") return [...owned];
    const out: string[] = [];
    for (const p of owned) if (p.startsWith(prefixPath!)) out.push(p);
    return out;
  }

  /**
   * Paths the server should propose to delete with deleteContainer entries: ContainerManager's
   * candidates at `nowMs`, at most `limit` of them (cleanup.ts).
   */
  cleanupCandidates(nowMs: bigint, limit: number, maxNeverUsedIntervalMs = 0n): string[] {
    return cleanupCandidates(this.tree, nowMs, limit, maxNeverUsedIntervalMs);
  }

  /** The client-visible Stat without an ACL check (setWatches catch-up compares mzxid/pzxid). */
  statOf(path: string): Stat | undefined {
    const node = this.tree.get(path);
    return node === undefined ? undefined : this.tree.statOf(node);
  }

  /**
   * An order-independent 64-bit digest of the replicated state (every node's path, data, ACL and
   * persisted stat, and the session table), for comparing replicas and snapshots. lastZxid is not
   * part of it, so a failed txn leaves it unchanged.
   */
  digest(): bigint {
    const sum = new DigestSum();
    const h = new Hasher64();
    for (const [id, session] of this.sessionTable)
      sessionDigestTerm(h, id, session.timeoutMs).finishInto(sum);
    return BigInt.asUintN(64, this.tree.digest() + sum.value);
  }

  /**
   * Loads the session table and applied zxid of a snapshot into a machine whose tree the snapshot
   * loader has just filled; only a fresh machine may be restored.
   */
  restore(
    lastZxid: bigint,
    sessions: Iterable<readonly [bigint, number]>,
    secret: Buffer | undefined = undefined,
  ): void {
    if (this.appliedZxid !== 0n || this.sessionTable.size !== 0) {
      throw new Error("invariant: only a fresh state machine is restored from a snapshot");
    }
    for (const [rawId, timeoutMs] of sessions) {
      const id = normalizeId(rawId);
      this.sessionTable.set(id, new SessionRecord(timeoutMs, id, this.tree));
    }
    this.appliedZxid = lastZxid;
    this.secret = secret;
  }
}
