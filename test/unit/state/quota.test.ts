// Proves quotas behave as in ZooKeeper 3.9: zkCli's setquota/delquota are plain creates and deletes of
// zookeeper_limits/zookeeper_stats nodes; creating the stats node recounts its subtree; every write under
// the root keeps the stats exact (in place, no version change, no event), atomically with multi; and with
// enforceQuota a hard limit refuses with QUOTAEXCEEDED while soft limits only warn. A property test
// checks the stats against a recount after random programs, and a replay of each program against it.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { DataTree } from "../../../src/data/tree.js";
import { CreateFlag, Err } from "../../../src/protocol/constants.js";
import type { MultiOp } from "../../../src/protocol/requests.js";
import { type ApplyOutcome, StateMachine, type StateMachineOptions } from "../../../src/state/machine.js";
import { fullState, Harness } from "./harness.js";

const err = Harness.err;
const buf = (s: string) => Buffer.from(s);

/** zkCli's setquota: the quota path's parents, then limits, then stats (which the server recounts). */
function setQuota(h: Harness, root: string, limits: string): void {
  let p = "/zookeeper/quota";
  for (const part of root.split("/").slice(1)) {
    p += `/${part}`;
    h.create(p);
  }
  assert.equal(err(h.create(`${p}/zookeeper_limits`, { data: buf(limits) })), 0);
  assert.equal(err(h.create(`${p}/zookeeper_stats`, { data: buf("count=0,bytes=0") })), 0);
}

function stats(h: Harness, root: string): string {
  const node = h.m.tree.get(`/zookeeper/quota${root}/zookeeper_stats`);
  return node === undefined ? "missing" : (h.m.tree.dataOf(node)?.toString() ?? "null");
}

function multi(h: Harness, ops: MultiOp[]): ApplyOutcome {
  return h.apply({ kind: "multi", ops });
}

const create = (path: string, data = "x"): MultiOp => ({
  type: 1,
  path,
  data: buf(data),
  acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }],
  flags: 0,
});

describe("quota stats", () => {
  test("creating the stats node recounts the subtree, the root included, whatever data it was given", () => {
    const h = new Harness();
    h.create("/a", { data: buf("12345") });
    h.create("/a/b", { data: buf("xy") });
    h.create("/ab", { data: buf("not counted") });
    setQuota(h, "/a", "count=10,bytes=-1");
    assert.equal(stats(h, "/a"), "count=2,bytes=7");
  });

  test("create, setData and delete under the root move count and bytes; the stats Stat does not change", () => {
    const h = new Harness();
    h.create("/a");
    setQuota(h, "/a", "count=10,bytes=-1");
    const before = h.m.statOf("/zookeeper/quota/a/zookeeper_stats")!;
    const o = h.create("/a/b", { data: buf("abc") });
    assert.equal(stats(h, "/a"), "count=2,bytes=3");
    assert.equal(o.triggers.length, 2, "no event for the stats node");
    h.setData("/a/b", buf("abcdef"));
    assert.equal(stats(h, "/a"), "count=2,bytes=6");
    h.setData("/a", null);
    assert.equal(stats(h, "/a"), "count=2,bytes=6");
    h.delete("/a/b");
    assert.equal(stats(h, "/a"), "count=1,bytes=0");
    h.delete("/a");
    assert.equal(stats(h, "/a"), "count=0,bytes=0");
    const after = h.m.statOf("/zookeeper/quota/a/zookeeper_stats")!;
    assert.deepEqual([after.version, after.mzxid, after.mtime], [before.version, before.mzxid, before.mtime]);
  });

  test("extra keys in the stats node survive updates in StatsTrack's order", () => {
    const h = new Harness();
    h.create("/a");
    setQuota(h, "/a", "count=10,bytes=-1");
    h.setData("/zookeeper/quota/a/zookeeper_stats", buf("count=1,bytes=0=;zeta=1;alpha=2"));
    h.create("/a/b", { data: buf("xy") });
    assert.equal(stats(h, "/a"), "count=2,bytes=2=;alpha=2;zeta=1");
  });

  test("the deepest root governs, and ephemerals removed by closeSession are counted out", () => {
    const h = new Harness();
    h.create("/a");
    h.create("/a/b");
    setQuota(h, "/a", "count=10,bytes=-1");
    setQuota(h, "/a/b", "count=10,bytes=-1");
    h.createSession(7n);
    h.create("/a/b/e", { flags: CreateFlag.EPHEMERAL, session: 7n, data: buf("eph") });
    h.create("/a/c");
    assert.equal(stats(h, "/a"), "count=3,bytes=0");
    assert.equal(stats(h, "/a/b"), "count=2,bytes=3");
    h.closeSession(7n);
    assert.equal(stats(h, "/a/b"), "count=1,bytes=0");
  });

  test("after delquota deletes the limits node, writes under the old root are no longer counted", () => {
    const h = new Harness();
    h.create("/a");
    setQuota(h, "/a", "count=10,bytes=-1");
    h.delete("/zookeeper/quota/a/zookeeper_limits");
    h.create("/a/b");
    assert.equal(stats(h, "/a"), "count=1,bytes=0");
    assert.deepEqual(h.m.tree.quotaRoots().roots(), []);
  });

  test("a write before the stats node exists warns as ZooKeeper logs, and unreadable stats are left alone", () => {
    const h = new Harness();
    h.create("/a");
    h.create("/zookeeper/quota/a");
    h.create("/zookeeper/quota/a/zookeeper_limits", { data: buf("count=1,bytes=-1") });
    const o = h.create("/a/b");
    assert.deepEqual(o.warnings, ["Missing node for stat /zookeeper/quota/a/zookeeper_stats"]);
    h.create("/zookeeper/quota/a/zookeeper_stats");
    h.setData("/zookeeper/quota/a/zookeeper_stats", buf("garbage"));
    const bad = h.create("/a/c");
    assert.equal(err(bad), 0);
    assert.equal(bad.warnings?.length, 1);
    assert.equal(stats(h, "/a"), "garbage");
  });

  test("a multi that fails undoes its stats updates, and a root declared inside it", () => {
    const h = new Harness();
    h.create("/a");
    setQuota(h, "/a", "count=10,bytes=-1");
    const digest = h.m.digest();
    const o = multi(h, [create("/a/b"), create("/a/b/c", "yz"), create("/missing/x")]);
    assert.ok(o.result.kind === "multi" && o.result.results[2]!.type === -1);
    assert.equal(stats(h, "/a"), "count=1,bytes=0");
    assert.equal(h.m.digest(), digest);
    h.create("/q");
    const declared = multi(h, [
      create("/zookeeper/quota/q"),
      create("/zookeeper/quota/q/zookeeper_limits"),
      create("/nope/x"),
    ]);
    assert.ok(declared.result.kind === "multi");
    assert.deepEqual(h.m.tree.quotaRoots().roots(), ["/a"]);
  });
});

describe("quota enforcement", () => {
  const enforcing: StateMachineOptions = { enforceQuota: true };

  test("a hard count limit refuses the create that would pass it, with QUOTAEXCEEDED", () => {
    const h = new Harness(enforcing);
    h.create("/a");
    setQuota(h, "/a", "count=-1,bytes=-1=;countHardLimit=2");
    assert.equal(err(h.create("/a/b")), 0);
    const o = h.create("/a/c");
    assert.equal(err(o), Err.QUOTAEXCEEDED);
    assert.deepEqual(o.warnings, ["Quota exceeded: /a [current count=3, hardCountLimit=2]"]);
    assert.equal(stats(h, "/a"), "count=2,bytes=0");
  });

  test("without enforceQuota nothing is checked or warned, as in ZooKeeper 3.7+", () => {
    const h = new Harness();
    h.create("/a");
    setQuota(h, "/a", "count=1,bytes=1=;byteHardLimit=1;countHardLimit=1");
    const o = h.create("/a/b", { data: buf("data") });
    assert.equal(err(o), 0);
    assert.equal(o.warnings, undefined);
    assert.equal(stats(h, "/a"), "count=2,bytes=4");
  });

  test("a soft limit only warns; when a hard limit is set it replaces the soft one", () => {
    const h = new Harness(enforcing);
    h.create("/a");
    setQuota(h, "/a", "count=1,bytes=-1");
    const o = h.create("/a/b");
    assert.equal(err(o), 0);
    assert.deepEqual(o.warnings, ["Quota exceeded: /a [current count=2, softCountLimit=1]"]);
    h.create("/b");
    setQuota(h, "/b", "count=1,bytes=-1=;countHardLimit=5");
    const quiet = h.create("/b/c");
    assert.equal(err(quiet), 0);
    assert.equal(quiet.warnings, undefined);
  });

  test("setData is checked on the byte difference, after WRITE and before the version", () => {
    const h = new Harness(enforcing);
    h.create("/a", { data: buf("1234") });
    setQuota(h, "/a", "count=-1,bytes=-1=;byteHardLimit=6");
    assert.equal(err(h.setData("/a", buf("123456"), 0)), 0);
    assert.equal(err(h.setData("/a", buf("1234567"), 99)), Err.QUOTAEXCEEDED);
    assert.equal(err(h.setData("/a", buf("abcdef"), 99)), Err.BADVERSION, "same size: not checked");
    assert.equal(err(h.setData("/a", buf("ab"), 1)), 0);
  });

  test("each op of a multi is checked against the state its earlier ops left, and a refusal undoes them", () => {
    const h = new Harness(enforcing);
    h.create("/a");
    setQuota(h, "/a", "count=-1,bytes=-1=;countHardLimit=3");
    const o = multi(h, [create("/a/b"), create("/a/c"), create("/a/d")]);
    assert.ok(o.result.kind === "multi");
    assert.deepEqual(
      o.result.results.map((r) => (r.type === -1 ? r.err : "ok")),
      [0, 0, Err.QUOTAEXCEEDED],
    );
    assert.equal(stats(h, "/a"), "count=1,bytes=0");
    assert.equal(h.m.statOf("/a/b"), undefined);
  });

  test("limits or stats ZooKeeper cannot parse make the write a MARSHALLINGERROR, a multi's whole reply too", () => {
    const h = new Harness(enforcing);
    h.create("/a");
    setQuota(h, "/a", "count=-1,bytes=-1=;countHardLimit=3");
    h.setData("/zookeeper/quota/a/zookeeper_limits", buf("count=lots"));
    assert.equal(err(h.create("/a/b")), Err.MARSHALLINGERROR);
    const digest = h.m.digest();
    const o = multi(h, [create("/x"), create("/a/b")]);
    assert.deepEqual(o.result, { kind: "error", err: Err.MARSHALLINGERROR });
    assert.equal(h.m.digest(), digest);
    h.setData("/zookeeper/quota/a/zookeeper_limits", buf("count=-1,bytes=-1=;countHardLimit=3"));
    h.setData("/zookeeper/quota/a/zookeeper_stats", null);
    assert.equal(err(h.create("/a/b")), Err.MARSHALLINGERROR);
  });
});

// Random programs over two disjoint quota roots and a path outside both. setquota and delquota run as
// zkCli runs them (limits then stats; stats then limits), so a stats node always exists exactly while its
// limits node does, and then it must equal a recount of its subtree.
const ROOTS = ["/a", "/b"];
const PATHS = ["/a", "/a/x", "/a/x/y", "/a/z", "/b", "/b/x", "/c", "/c/x"];

type Action =
  | { kind: "create"; path: string; data: string; ephemeral: boolean }
  | { kind: "delete"; path: string }
  | { kind: "setData"; path: string; data: string }
  | { kind: "multi"; ops: MultiOp[] }
  | { kind: "setquota"; root: string; limits: string }
  | { kind: "delquota"; root: string }
  | { kind: "closeSession" };

const dataArb = fc.constantFrom("", "x", "hello", "0123456789");
const pathArb = fc.constantFrom(...PATHS);
const opArb: fc.Arbitrary<MultiOp> = fc.oneof(
  fc.record({ path: pathArb, data: dataArb }).map(({ path, data }) => create(path, data)),
  pathArb.map((path): MultiOp => ({ type: 2, path, version: -1 })),
  fc.record({ path: pathArb, data: dataArb }).map(
    ({ path, data }): MultiOp => ({
      type: 5,
      path,
      data: buf(data),
      version: -1,
    }),
  ),
);
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("create" as const),
      path: pathArb,
      data: dataArb,
      ephemeral: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("delete" as const), path: pathArb }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("setData" as const), path: pathArb, data: dataArb }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("multi" as const), ops: fc.array(opArb, { maxLength: 4 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("setquota" as const),
      root: fc.constantFrom(...ROOTS),
      limits: fc.constantFrom(
        "count=3,bytes=-1",
        "count=-1,bytes=-1=;countHardLimit=4",
        "count=-1,bytes=-1=;byteHardLimit=12",
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("delquota" as const), root: fc.constantFrom(...ROOTS) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "closeSession" as const }) },
);

function run(h: Harness, a: Action): void {
  switch (a.kind) {
    case "create":
      if (a.ephemeral) h.createSession(5n);
      h.create(a.path, {
        data: buf(a.data),
        flags: a.ephemeral ? CreateFlag.EPHEMERAL : 0,
        session: a.ephemeral ? 5n : 1n,
      });
      return;
    case "delete":
      h.delete(a.path);
      return;
    case "setData":
      h.setData(a.path, buf(a.data));
      return;
    case "multi":
      multi(h, a.ops);
      return;
    case "setquota": {
      const q = `/zookeeper/quota${a.root}`;
      if (h.m.statOf(`${q}/zookeeper_limits`) !== undefined) return;
      h.create(q);
      h.create(`${q}/zookeeper_limits`, { data: buf(a.limits) });
      h.create(`${q}/zookeeper_stats`, { data: buf("count=0,bytes=0") });
      return;
    }
    case "delquota":
      h.delete(`/zookeeper/quota${a.root}/zookeeper_stats`);
      h.delete(`/zookeeper/quota${a.root}/zookeeper_limits`);
      return;
    case "closeSession":
      h.closeSession(5n);
      return;
  }
}

function recount(h: Harness, root: string): string {
  let count = 0;
  let bytes = 0;
  for (const p of h.m.tree.paths()) {
    if (p === root || p.startsWith(`${root}/`)) {
      count++;
      bytes += h.m.tree.dataLength(h.m.tree.get(p)!);
    }
  }
  return `count=${count},bytes=${bytes}`;
}

describe("quota properties", () => {
  test("after any program, each root's stats equal a recount of its subtree, the root index equals a rebuilt tree's, and a replay of the program reaches the same state", () => {
    fc.assert(
      fc.property(fc.array(actionArb, { maxLength: 50 }), fc.boolean(), (actions, enforceQuota) => {
        const h = new Harness({ enforceQuota });
        for (const a of actions) run(h, a);
        for (const root of ROOTS) {
          if (h.m.statOf(`/zookeeper/quota${root}/zookeeper_stats`) === undefined) continue;
          assert.equal(stats(h, root), recount(h, root), root);
        }
        // A snapshot load attaches every node: the index it builds must be the one apply kept.
        const rebuilt = new DataTree();
        const paths = [...h.m.tree.paths()].sort((x, y) => x.length - y.length);
        for (const p of paths) {
          if (rebuilt.get(p) === undefined) rebuilt.attach(p, h.m.tree.persisted(h.m.tree.get(p)!));
        }
        assert.deepEqual(rebuilt.quotaRoots().roots(), h.m.tree.quotaRoots().roots());
        // Recovery replays the log without building replies: the stats must come out the same.
        const replayed = new StateMachine({ enforceQuota });
        for (const e of h.applied) replayed.replay(e);
        assert.deepEqual(fullState(replayed), fullState(h.m));
      }),
      { numRuns: 300 },
    );
  });
});
