// A small driver for StateMachine tests: it stamps entries with increasing zxids and a fixed clock,
// runs as session 1 (created by the constructor, since writes need a live session) with an ip identity
// by default, and offers one-line helpers per txn kind.

import { type ACL, type Id, OPEN_ACL_UNSAFE } from "../../../src/protocol/data.js";
import type { CreateOpcode, Entry, Txn } from "../../../src/state/entry.js";
import { type ApplyOutcome, StateMachine, type StateMachineOptions } from "../../../src/state/machine.js";

export const IP_ID: Id = { scheme: "ip", id: "127.0.0.1" };

export interface As {
  readonly session?: bigint;
  readonly auth?: readonly Id[];
}

export interface CreateArgs extends As {
  readonly data?: Buffer | null;
  readonly acl?: readonly ACL[] | null;
  readonly flags?: number;
  readonly opcode?: CreateOpcode;
  readonly ttl?: bigint;
}

/**
 * Everything a machine's state holds, for comparing replicas: lastZxid, the running and a recomputed
 * digest, the counters, the session table with ephemerals, and every node as it persists.
 */
export function fullState(m: StateMachine) {
  const tree = m.tree;
  return {
    lastZxid: m.lastZxid,
    digest: m.digest(),
    treeDigest: tree.recomputeDigest(),
    znodeCount: m.znodeCount,
    approximateDataSize: m.approximateDataSize,
    ephemeralsCount: m.ephemeralsCount,
    sessions: [...m.sessions()].map(([id, s]) => [id, s.timeoutMs, [...s.ephemerals].sort()]),
    nodes: [...tree.paths()].sort().map((p) => [p, tree.persisted(tree.get(p)!)]),
    quotaRoots: tree.quotaRoots().roots(),
    containers: [...tree.containers()].sort(),
    ttls: [...tree.ttls()].sort(),
  };
}

export class Harness {
  readonly m: StateMachine;
  zxid = 0n;
  timeMs = 1_700_000_000_000n;
  /** Every entry applied, in order: a log to replay into another machine. */
  readonly applied: Entry[] = [];

  constructor(options: StateMachineOptions = {}) {
    this.m = new StateMachine(options);
    this.createSession(1n);
  }

  entry(txn: Txn, as: As = {}): Entry {
    return {
      zxid: ++this.zxid,
      timeMs: this.timeMs,
      sessionId: as.session ?? 1n,
      authIds: as.auth ?? [IP_ID],
      txn,
    };
  }

  /** Applies a txn; every test also checks that the tree's running digest stayed exact. */
  apply(txn: Txn, as: As = {}): ApplyOutcome {
    const entry = this.entry(txn, as);
    this.applied.push(entry);
    const outcome = this.m.apply(entry);
    const { tree } = this.m;
    if (tree.digest() !== tree.recomputeDigest()) {
      throw new Error(`the running digest drifted after ${txn.kind} at zxid ${this.zxid}`);
    }
    return outcome;
  }

  createSession(session: bigint, timeoutMs = 30000): ApplyOutcome {
    return this.apply({ kind: "createSession", timeoutMs }, { session });
  }

  closeSession(session: bigint): ApplyOutcome {
    return this.apply({ kind: "closeSession" }, { session });
  }

  create(path: string, a: CreateArgs = {}): ApplyOutcome {
    const opcode = a.opcode ?? 15;
    const request = {
      path,
      data: a.data === undefined ? null : a.data,
      acl: a.acl === undefined ? OPEN_ACL_UNSAFE : a.acl,
      flags: a.flags ?? 0,
      ttl: a.ttl ?? -1n,
    };
    return this.apply({ kind: "create", opcode, request }, a);
  }

  delete(path: string, version = -1, as: As = {}): ApplyOutcome {
    return this.apply({ kind: "delete", request: { path, version } }, as);
  }

  setData(path: string, data: Buffer | null, version = -1, as: As = {}): ApplyOutcome {
    return this.apply({ kind: "setData", request: { path, data, version } }, as);
  }

  setACL(path: string, acl: readonly ACL[] | null, version = -1, as: As = {}): ApplyOutcome {
    return this.apply({ kind: "setACL", request: { path, acl, version } }, as);
  }

  /** The error code of an outcome (0 for success). */
  static err(o: ApplyOutcome): number {
    return o.result.err;
  }

  /** The created path of a successful create. */
  static path(o: ApplyOutcome): string {
    if (o.result.kind !== "create") throw new Error(`not a create result: ${JSON.stringify(o.result.kind)}`);
    return o.result.path;
  }
}
