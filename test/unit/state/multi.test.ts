// Proves multi is ZooKeeper's all-or-nothing transaction (§9.2-9.4): one zxid, per-op results typed
// by opcode, on failure 0 before the failing op, its code at it and -2 after, the tree and digest
// exactly as before, and triggers only for a multi that succeeded, in op order.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Err, EventType, OpCode } from "../../../src/protocol/constants.js";
import { OPEN_ACL_UNSAFE } from "../../../src/protocol/data.js";
import type { MultiOp } from "../../../src/protocol/requests.js";
import { Harness, IP_ID } from "./harness.js";

const create = (path: string, type: 1 | 15 | 19 = 1, flags = 0): MultiOp => ({
  type,
  path,
  data: null,
  acl: OPEN_ACL_UNSAFE,
  flags,
});
const del = (path: string, version = -1): MultiOp => ({ type: OpCode.delete, path, version });
const setData = (path: string, data: string, version = -1): MultiOp => ({
  type: OpCode.setData,
  path,
  data: Buffer.from(data),
  version,
});
const check = (path: string, version: number): MultiOp => ({ type: OpCode.check, path, version });

describe("multi", () => {
  test("a successful multi answers one result per op, typed by opcode, all under one zxid", () => {
    const h = new Harness();
    h.create("/x");
    const o = h.apply({
      kind: "multi",
      ops: [
        create("/a"),
        create("/b", 15),
        create("/c", 19, 4),
        setData("/a", "v"),
        check("/a", 1),
        del("/x"),
      ],
    });
    assert.ok(o.result.kind === "multi");
    const types = o.result.results.map((r) => r.type);
    assert.deepEqual(types, [1, 15, 15, 5, 13, 2]);
    const r1 = o.result.results[1];
    assert.ok(r1?.type === 15);
    assert.equal(r1.stat.czxid, h.zxid);
    assert.equal(h.m.statOf("/a")!.mzxid, h.zxid);
    assert.equal(h.m.statOf("/a")!.czxid, h.zxid);
    assert.deepEqual(o.result.results[0], { type: 1, path: "/a" });
  });

  test("triggers of a successful multi come in op order with the multi's changes", () => {
    const h = new Harness();
    const o = h.apply({ kind: "multi", ops: [create("/a"), setData("/a", "1"), del("/a")] });
    assert.deepEqual(
      o.triggers.map((t) => [t.type, t.path]),
      [
        [EventType.NodeCreated, "/a"],
        [EventType.NodeChildrenChanged, "/"],
        [EventType.NodeDataChanged, "/a"],
        [EventType.NodeDeleted, "/a"],
        [EventType.NodeChildrenChanged, "/"],
      ],
    );
  });

  test("a failing op yields 0 before it, its own code at it and RUNTIMEINCONSISTENCY after it", () => {
    const h = new Harness();
    const o = h.apply({ kind: "multi", ops: [create("/a"), del("/missing"), setData("/a", "x")] });
    assert.deepEqual(o.result, {
      err: 0,
      kind: "multi",
      results: [
        { type: -1, err: 0 },
        { type: -1, err: Err.NONODE },
        { type: -1, err: Err.RUNTIMEINCONSISTENCY },
      ],
    });
    assert.deepEqual(o.triggers, []);
    assert.equal(h.m.statOf("/a"), undefined, "the create was rolled back");
  });

  test("a failed multi restores every change: creates, deletes, data, counters and sequence numbers", () => {
    const h = new Harness();
    h.createSession(1n);
    h.create("/p", { data: Buffer.from("orig") });
    h.create("/p/old");
    h.create("/e", { flags: 1 });
    const before = { digest: h.m.digest(), size: h.m.approximateDataSize, count: h.m.znodeCount };
    const o = h.apply({
      kind: "multi",
      ops: [
        setData("/p", "changed"),
        create("/p/s-", 1, 2),
        del("/p/old"),
        del("/e"),
        create("/p/old", 15),
        setData("/p/old", "x"),
        check("/p", 99),
      ],
    });
    assert.ok(o.result.kind === "multi");
    assert.deepEqual(
      o.result.results.map((r) => (r.type === -1 ? r.err : "ok")),
      [0, 0, 0, 0, 0, 0, Err.BADVERSION],
    );
    assert.deepEqual({ digest: h.m.digest(), size: h.m.approximateDataSize, count: h.m.znodeCount }, before);
    assert.equal(h.m.ephemeralsCount, 1);
    assert.deepEqual([...h.m.sessions().get(1n)!.ephemerals], ["/e"]);
    assert.equal(
      Harness.path(h.create("/p/s-", { flags: 2 })),
      "/p/s-0000000001",
      "the rolled-back number is reused",
    );
  });

  test("ops see the effects of earlier ops in the same multi", () => {
    const h = new Harness();
    const o = h.apply({
      kind: "multi",
      ops: [create("/a"), create("/a/b"), check("/a/b", 0), del("/a/b"), del("/a")],
    });
    assert.ok(o.result.kind === "multi");
    assert.ok(o.result.results.every((r) => r.type !== -1));
    assert.equal(h.m.statOf("/a"), undefined);
  });

  test("check fails with NONODE, NOAUTH or BADVERSION like the single ops would", () => {
    const h = new Harness();
    h.create("/secret", { acl: [{ perms: 31, id: { scheme: "ip", id: "10.0.0.1" } }] });
    const first = (ops: MultiOp[]) => {
      const o = h.apply({ kind: "multi", ops });
      assert.ok(o.result.kind === "multi");
      return o.result.results[0];
    };
    assert.deepEqual(first([check("/missing", 0)]), { type: -1, err: Err.NONODE });
    assert.deepEqual(first([check("/secret", 0)]), { type: -1, err: Err.NOAUTH });
    assert.deepEqual(first([check("/", 3)]), { type: -1, err: Err.BADVERSION });
    assert.deepEqual(first([check("/bad/", 0)]), { type: -1, err: Err.BADARGUMENTS });
  });

  test("an empty multi succeeds with no results and still consumes its zxid", () => {
    const h = new Harness();
    const o = h.apply({ kind: "multi", ops: [] });
    assert.deepEqual(o.result, { err: 0, kind: "multi", results: [] });
    assert.equal(h.m.lastZxid, h.zxid);
  });

  test("a multi carrying read ops is refused whole with MARSHALLINGERROR", () => {
    const h = new Harness();
    const o = h.apply({
      kind: "multi",
      ops: [create("/a"), { type: OpCode.getData, path: "/a", watch: false }],
    });
    assert.deepEqual(o.result, { kind: "error", err: Err.MARSHALLINGERROR });
    assert.equal(h.m.statOf("/a"), undefined);
  });

  test("a failed multi's creates of ephemerals leave no trace in the session", () => {
    const h = new Harness();
    h.createSession(1n);
    h.apply({ kind: "multi", ops: [create("/e1", 1, 1), create("/e1", 1, 1)] });
    assert.equal(h.m.sessions().get(1n)!.ephemerals.size, 0);
    assert.equal(h.m.getEphemerals(1n, "/").length, 0);
    assert.equal(h.m.getData("/e1", [IP_ID]).err, Err.NONODE);
  });
});

describe("multi ops as ZooKeeper 3.9 reads them", () => {
  test("a create op with TTL or unknown flags fails the whole multi with MARSHALLINGERROR", () => {
    for (const flags of [5, 6, 7, 42]) {
      const h = new Harness({ extendedTypesEnabled: true });
      const o = h.apply({ kind: "multi", ops: [create("/ok"), create("/bad", 1, flags)] });
      assert.deepEqual(o.result, { kind: "error", err: Err.MARSHALLINGERROR }, `flags ${flags}`);
      assert.equal(h.m.statOf("/ok"), undefined);
    }
  });

  test("a createTTL op without TTL flags runs as a plain create and ignores its ttl", () => {
    const h = new Harness({ extendedTypesEnabled: true });
    const ttlOp = (path: string, flags: number): MultiOp => ({
      type: OpCode.createTTL,
      path,
      data: null,
      acl: OPEN_ACL_UNSAFE,
      flags,
      ttl: -1n,
    });
    const o = h.apply({ kind: "multi", ops: [ttlOp("/plain", 0), ttlOp("/eph", 1)] });
    assert.ok(o.result.kind === "multi");
    assert.deepEqual(
      o.result.results.map((r) => r.type),
      [1, 1],
    );
    assert.equal(h.m.statOf("/eph")?.ephemeralOwner, 1n);
  });

  test("the CONTAINER flag makes any create op a container, answered with a Stat", () => {
    const h = new Harness();
    const o = h.apply({ kind: "multi", ops: [create("/c", 1, 4)] });
    assert.ok(o.result.kind === "multi");
    assert.equal(o.result.results[0]?.type, 15);
    h.create("/c/x");
    h.apply({ kind: "delete", request: { path: "/c/x", version: -1 } });
    assert.deepEqual(h.m.cleanupCandidates(h.timeMs, 10), ["/c"]);
  });
});
