// Rebuilds ZooKeeper's state in a Paddock StateMachine the way ZooKeeper restores itself at start-up
// (FileSnap.deserialize, FileTxnSnapLog.fastForwardFromEdits, DataTree.processTxn): the snapshot's
// nodes and sessions, then every logged txn after the snapshot's zxid applied as ZooKeeper applies
// it. Snapshots are fuzzy, so a txn may find its effect already there: a create of an existing node
// or a delete of a missing one is skipped, and the parent's cversion and pzxid only ever rise, exactly
// as ZooKeeper's idempotent replay does. Quota stats, ephemerals, containers and TTL nodes follow the
// same rules as in ZooKeeper's DataTree; ZooKeeper's own digest is kept alongside and compared
// wherever ZooKeeper recorded one. Pure: no files, no clock.

import { CONTAINER_OWNER, type PersistedNode, SYSTEM_PATHS, ttlOwner } from "../../data/tree.js";
import { Err } from "../../protocol/constants.js";
import type { ACL } from "../../protocol/data.js";
import { StateMachine, type StateMachineOptions } from "../../state/machine.js";
import { QuotaRules, type StatsWrite } from "../../state/quota.js";
import type { ZkSnapshotTrailer, ZkZxidDigest } from "./snapshot-format.js";
import type { ZkLogEntry, ZkTxn, ZkTxnHeader } from "./txn-records.js";
import { ZK_DIGEST_VERSION, ZkTreeDigest } from "./zk-digest.js";

const QUOTA_PREFIX = "/zookeeper/quota";
const LIMIT_SUFFIX = "/zookeeper_limits";
const STATS_SUFFIX = "/zookeeper_stats";

/** A digest ZooKeeper recorded that the rebuilt tree does not reach. */
export class ZkDigestMismatch extends Error {
  constructor(
    readonly zxid: bigint,
    readonly expected: bigint,
    readonly actual: bigint,
    readonly where: string,
  ) {
    super(
      `after zxid 0x${BigInt.asUintN(64, zxid).toString(16)} ZooKeeper's digest (${where}) is ` +
        `0x${BigInt.asUintN(64, expected).toString(16)}, the imported tree's 0x${BigInt.asUintN(64, actual).toString(16)}`,
    );
  }
}

/** A log that does not continue where the state is. */
export class ZkSequenceError extends Error {}

function parentPathOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/"));
}

function hex(zxid: bigint): string {
  return `0x${BigInt.asUintN(64, zxid).toString(16)}`;
}

export interface ZkRestoreCounts {
  readonly nodes: number;
  readonly sessions: number;
  readonly txnsApplied: number;
  readonly digestsChecked: number;
}

export class ZkRestore {
  readonly machine: StateMachine;
  private readonly tree;
  private readonly quotas;
  private readonly digest = new ZkTreeDigest();
  private readonly sessions = new Map<bigint, number>();
  private lastZxid = 0n;
  /** The snapshot's ZxidDigest until replay reaches its zxid (ZooKeeper's digestFromLoadedSnapshot). */
  private pendingSnapshotDigest: ZkZxidDigest | undefined;
  private snapshotNodes = 0;
  private txns = 0;
  private checked = 0;
  private readonly warnings: string[] = [];

  constructor(
    options: StateMachineOptions,
    private readonly checkDigests: boolean,
  ) {
    this.machine = new StateMachine(options);
    this.tree = this.machine.tree;
    this.quotas = new QuotaRules(this.tree, false);
  }

  // ---- the snapshot ----------------------------------------------------------------------------

  snapshotSessions(sessions: readonly (readonly [bigint, number])[]): void {
    for (const [id, timeoutMs] of sessions) this.sessions.set(id, timeoutMs);
  }

  /**
   * A snapshot node (parents first), with its term of ZooKeeper's digest when the reader has it. The
   * system nodes every tree has take the snapshot's fields.
   */
  snapshotNode(path: string, image: PersistedNode, zkDigest?: number): void {
    this.snapshotNodes++;
    if (zkDigest === undefined) this.digest.add(path, image);
    else this.digest.addTerm(zkDigest);
    const tree = this.tree;
    const existing = tree.get(path);
    if (existing !== undefined) {
      if (!SYSTEM_PATHS.has(path) && path !== "/") throw new ZkSequenceError(`node ${path} appears twice`);
      const have = tree.persisted(existing);
      if (
        have.czxid !== image.czxid ||
        have.ctime !== image.ctime ||
        have.ephemeralOwner !== image.ephemeralOwner
      ) {
        throw new ZkSequenceError(`system node ${path} has creation fields Paddock cannot take`);
      }
      tree.setData(existing, image.data, image.version, image.mzxid, image.mtime);
      tree.setACL(existing, image.acl, image.aversion);
      tree.setChildCounters(existing, image.cversion, image.pzxid);
      return;
    }
    const parent = tree.get(parentPathOf(path));
    if (parent === undefined) throw new ZkSequenceError(`node ${path} comes before its parent`);
    tree.attachUnder(parent, path, image);
  }

  /**
   * After the last snapshot node: ZooKeeper's setupQuota recounts every quota's stats, and a
   * snapshot digest taken at the snapshot's own zxid is compared at once.
   */
  snapshotDone(zxid: bigint, trailer: ZkSnapshotTrailer): void {
    this.lastZxid = zxid;
    for (const path of [...this.tree.paths()]) {
      if (path.startsWith(`${QUOTA_PREFIX}/`) && path.endsWith(LIMIT_SUFFIX)) {
        const stats = `${path.slice(0, -LIMIT_SUFFIX.length)}${STATS_SUFFIX}`;
        this.writeStats(
          this.tree.get(stats) === undefined ? undefined : this.quotas.recountIfStatsNode(stats),
        );
      }
    }
    const d = trailer.digest;
    // As ZooKeeper: a digest older than the snapshot's start, or of another version, is not used.
    if (d !== undefined && d.zxid >= zxid && d.version === ZK_DIGEST_VERSION) {
      this.pendingSnapshotDigest = d;
      this.compareSnapshotDigest(zxid);
    }
  }

  private compareSnapshotDigest(zxid: bigint): void {
    const d = this.pendingSnapshotDigest;
    if (d === undefined || d.zxid !== zxid) return;
    this.pendingSnapshotDigest = undefined;
    this.compare(zxid, d.digest, "snapshot");
  }

  private compare(zxid: bigint, expected: bigint, where: string): void {
    if (!this.checkDigests) return;
    this.checked++;
    const actual = this.digest.value;
    if (actual !== BigInt.asIntN(64, expected)) {
      throw new ZkDigestMismatch(zxid, expected, actual, where);
    }
  }

  // ---- the log ---------------------------------------------------------------------------------

  /** The zxid the state is at: the snapshot's, then each applied txn's. */
  get zxid(): bigint {
    return this.lastZxid;
  }

  /**
   * Applies one logged txn; entries at or before the state's zxid are skipped (a log file starts
   * before the snapshot). The first txn after a state must follow it: the next counter of the same
   * epoch, or a later epoch.
   */
  apply(entry: ZkLogEntry): boolean {
    const { header } = entry;
    if (header.zxid <= this.lastZxid) return false;
    const epoch = header.zxid >> 32n;
    if (epoch === this.lastZxid >> 32n && header.zxid !== this.lastZxid + 1n) {
      throw new ZkSequenceError(
        `the log jumps from zxid ${hex(this.lastZxid)} to ${hex(header.zxid)}: transactions are missing`,
      );
    }
    this.txn(header, entry.txn, true);
    this.lastZxid = header.zxid;
    this.txns++;
    if (this.pendingSnapshotDigest !== undefined) {
      this.compareSnapshotDigest(header.zxid);
    } else if (entry.digest !== undefined && entry.digest.version === ZK_DIGEST_VERSION) {
      this.compare(header.zxid, entry.digest.digest, "transaction log");
    }
    return true;
  }

  /** DataTree.processTxn for one (sub-)txn; returns its error code, 0 when it applied. */
  private txn(h: ZkTxnHeader, txn: ZkTxn, top: boolean): number {
    switch (txn.kind) {
      case "createSession":
        this.sessions.set(h.sessionId, txn.timeoutMs);
        return 0;
      case "closeSession":
        this.closeSession(h, txn.paths);
        return 0;
      case "create": {
        const err = this.createNode(h, txn.path, txn.data, txn.acl, txn.owner, txn.parentCversion);
        // processTxn's NODEEXISTS fix-up, for the create opcode only (a sub-create of a multi too).
        if (err === Err.NODEEXISTS && h.type === 1) {
          this.raiseChildCounters(parentPathOf(txn.path), txn.parentCversion, h.zxid);
        }
        return err;
      }
      case "delete":
        return this.deleteNode(txn.path, h.zxid);
      case "setData":
        return this.setData(txn.path, txn.data, txn.version, h.zxid, h.timeMs);
      case "setACL":
        return this.setACL(txn.path, txn.acl, txn.version);
      case "check":
        return 0;
      case "error":
        return txn.err;
      case "multi": {
        if (!top) throw new ZkSequenceError("a multi inside a multi");
        // A multi that failed was logged with an error sub-txn: nothing of it applies.
        if (txn.txns.some((t) => t.kind === "error")) return Err.RUNTIMEINCONSISTENCY;
        let err = 0;
        for (const sub of txn.txns) {
          const subType = sub.kind === "create" ? createOpcode(sub.owner) : h.type;
          const r = this.txn({ ...h, type: subType }, sub, false);
          if (r !== 0 && err === 0) err = r;
        }
        return err;
      }
    }
  }

  private image(path: string): PersistedNode | undefined {
    const node = this.tree.get(path);
    return node === undefined ? undefined : this.tree.persisted(node);
  }

  /** Runs a change to the node at `path`, keeping ZooKeeper's digest in step. */
  private change(path: string, mutate: () => void): void {
    const before = this.image(path);
    if (before !== undefined) this.digest.remove(path, before);
    mutate();
    const after = this.image(path);
    if (after !== undefined) this.digest.add(path, after);
  }

  private writeStats(write: StatsWrite | undefined): void {
    if (write === undefined) return;
    const tree = this.tree;
    const node = write.node;
    // Stats nodes sit under /zookeeper/, outside the digest.
    tree.setData(node, write.data, tree.version(node), tree.mzxid(node), tree.mtime(node));
  }

  private raiseChildCounters(path: string, cversion: number, zxid: bigint): void {
    const node = this.tree.get(path);
    if (node === undefined) return;
    const stored = this.tree.storedCversion(node);
    const next = cversion === -1 ? (stored + 1) | 0 : cversion;
    if (next > stored)
      this.change(path === "" ? "/" : path, () => this.tree.setChildCounters(node, next, zxid));
  }

  private createNode(
    h: ZkTxnHeader,
    path: string,
    data: Buffer | null,
    acl: readonly ACL[],
    kind: Extract<ZkTxn, { kind: "create" }>["owner"],
    parentCversion: number,
  ): number {
    const tree = this.tree;
    const parentPath = parentPathOf(path);
    const parent = tree.get(parentPath);
    if (parent === undefined || path === "/" || path === "") return Err.NONODE;
    const existing = tree.get(path);
    if (existing !== undefined) {
      // ZooKeeper sets the existing node's ACL to the txn's before refusing the create.
      this.change(path, () => tree.setACL(existing, acl, tree.aversion(existing)));
      return Err.NODEEXISTS;
    }
    this.raiseChildCounters(parentPath, parentCversion, h.zxid);
    let owner = 0n;
    if (kind === "session") owner = BigInt.asIntN(64, h.sessionId);
    else if (kind === "container") owner = CONTAINER_OWNER;
    else if (kind !== "none") owner = ttlOwner(kind.ttlMs);
    const image: PersistedNode = {
      data,
      acl,
      czxid: h.zxid,
      mzxid: h.zxid,
      ctime: h.timeMs,
      mtime: h.timeMs,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: owner,
      pzxid: h.zxid,
    };
    tree.attachUnder(parent, path, image);
    this.digest.add(path, image);
    this.writeStats(this.quotas.recountIfStatsNode(path));
    this.writeStats(this.quotas.statsAfter(path, data === null ? 0 : data.length, 1, this.warnings));
    return 0;
  }

  private deleteNode(path: string, zxid: bigint): number {
    const tree = this.tree;
    const parentPath = parentPathOf(path);
    const parent = tree.get(parentPath);
    if (parent === undefined) return Err.NONODE;
    // ZooKeeper raises the parent's pzxid even when the child is already gone (a fuzzy snapshot).
    if (zxid > tree.pzxid(parent)) {
      this.change(parentPath === "" ? "/" : parentPath, () =>
        tree.setChildCounters(parent, tree.storedCversion(parent), zxid),
      );
    }
    const node = tree.get(path);
    if (node === undefined || path === "/") return Err.NONODE;
    if (tree.numChildren(node) !== 0) {
      throw new ZkSequenceError(`the log deletes ${path} at ${hex(zxid)} while it still has children`);
    }
    const image = tree.detach(path);
    this.digest.remove(path, image);
    this.writeStats(this.quotas.statsAfter(path, -(image.data?.length ?? 0), -1, this.warnings));
    return 0;
  }

  private setData(path: string, data: Buffer | null, version: number, zxid: bigint, timeMs: bigint): number {
    const node = this.tree.get(path);
    if (node === undefined) return Err.NONODE;
    const bytesDiff = (data?.length ?? 0) - this.tree.dataLength(node);
    this.change(path, () => this.tree.setData(node, data, version, zxid, timeMs));
    this.writeStats(this.quotas.statsAfter(path, bytesDiff, 0, this.warnings));
    return 0;
  }

  private setACL(path: string, acl: readonly ACL[], version: number): number {
    const node = this.tree.get(path);
    if (node === undefined) return Err.NONODE;
    this.change(path, () => this.tree.setACL(node, acl, version));
    return 0;
  }

  /** killSession: the paths the txn names, then any other ephemeral the session still owns. */
  private closeSession(h: ZkTxnHeader, paths: readonly string[] | null): void {
    const id = BigInt.asIntN(64, h.sessionId);
    this.sessions.delete(id);
    for (const path of paths ?? []) this.deleteNode(path, h.zxid);
    this.deleteEphemerals(id, h.zxid);
  }

  private deleteEphemerals(owner: bigint, zxid: bigint): void {
    const left = this.tree.ephemeralsOf(owner);
    if (left === undefined) return;
    // Children before parents cannot arise (an ephemeral has no children), so any order works.
    for (const path of [...left]) this.deleteNode(path, zxid);
  }

  // ---- the end ---------------------------------------------------------------------------------

  /**
   * Ends the rebuild as ZooKeeperServer.loadData does: ephemerals whose session is not in the session
   * table are deleted at the last zxid. Then the machine takes the sessions and the zxid; every
   * imported session keeps accepting the password ZooKeeper gave it.
   */
  finish(): { machine: StateMachine; counts: ZkRestoreCounts; warnings: readonly string[] } {
    for (const owner of [...this.tree.ephemeralOwners()]) {
      if (!this.sessions.has(owner)) this.deleteEphemerals(owner, this.lastZxid);
    }
    this.machine.restore(
      this.lastZxid,
      [...this.sessions].map(([id, timeoutMs]) => [id, timeoutMs, "zookeeper"] as const),
    );
    return {
      machine: this.machine,
      counts: {
        nodes: this.machine.znodeCount,
        sessions: this.sessions.size,
        txnsApplied: this.txns,
        digestsChecked: this.checked,
      },
      warnings: this.warnings,
    };
  }

  get nodesRead(): number {
    return this.snapshotNodes;
  }

  /** The digest ZooKeeper would report for the tree as it stands (its `hash` four-letter word). */
  get zookeeperDigest(): bigint {
    return this.digest.value;
  }
}

function createOpcode(owner: Extract<ZkTxn, { kind: "create" }>["owner"]): number {
  if (owner === "container") return 19;
  if (typeof owner === "object") return 21;
  return 1;
}
