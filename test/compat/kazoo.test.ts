// Drives the kazoo Python client (Debian python3-kazoo, run by /usr/bin/python3 so the system
// package is the one imported) through python/kazoo_scenario.py against the chosen target. The
// scenario runs once and prints JSON lines; each test below judges one slice of them.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { debianSkipReason } from "../support/debian.js";
import { parseStat } from "../support/facts.js";
import { runKazooScript } from "../support/kazoo.js";
import { describeRun } from "../support/run.js";
import { startTarget, type Target, targetPackages } from "../support/targets.js";

const skip = debianSkipReason([...targetPackages(), "python3-kazoo"]);

describe("kazoo Python client", { skip }, () => {
  let target: Target | undefined;
  let facts = new Map<string, unknown>();
  const fact = (name: string): unknown => {
    assert.ok(facts.has(name), `kazoo printed no fact ${name}; got ${[...facts.keys()].join(", ")}`);
    return facts.get(name);
  };
  const statFact = (name: string) => parseStat(fact(name) as string);

  before(async () => {
    target = await startTarget();
    const { result: scenario, facts: printed } = await runKazooScript(
      "python/kazoo_scenario.py",
      target.connectString,
      120_000,
    );
    facts = printed;
    assert.equal(scenario.status, 0, describeRun(scenario));
    assert.equal(fact("done"), true, describeRun(scenario));
  });

  after(async () => {
    await target?.stop();
  });

  test("kazoo create and get round-trip data with a fresh stat", () => {
    assert.equal(fact("create.persistent"), "/k");
    assert.equal(fact("get.data"), "hello");
    const stat = statFact("get.stat");
    assert.equal(stat.mzxid, stat.czxid);
    assert.equal(stat.ctime, stat.mtime);
    assert.deepEqual([stat.version, stat.cversion, stat.dataLength, stat.numChildren], [0, 0, 5, 0]);
  });

  test("kazoo reads empty data as b'' and None data as None, both of length 0", () => {
    assert.equal(fact("get.empty"), "");
    assert.equal(fact("get.empty.dataLength"), 0);
    assert.equal(fact("get.none"), null);
    assert.equal(fact("get.none.dataLength"), 0);
  });

  test("kazoo sequence nodes are numbered by the parent's cversion, ephemerals owned by the session", () => {
    assert.equal(fact("create.sequential.1"), "/k/seq-0000000002");
    assert.equal(fact("create.sequential.2"), "/k/seq-0000000003");
    assert.equal(fact("create.ephemeralSequential"), "/k/eseq-0000000005");
    assert.equal(statFact("stat.ephemeral").ephemeralOwner, BigInt(fact("main.sessionId") as string));
    const parent = statFact("stat.parentAfterCreates");
    assert.equal(parent.numChildren, 6);
    assert.equal(parent.cversion, 6);
  });

  test("kazoo create raises NodeExists, NoNode and NoChildrenForEphemerals", () => {
    assert.equal(fact("create.existing"), "NodeExistsError");
    assert.equal(fact("create.noParent"), "NoNodeError");
    assert.equal(fact("create.childOfEphemeral"), "NoChildrenForEphemeralsError");
  });

  test("kazoo makepath and ensure_path create every missing ancestor", () => {
    assert.equal(fact("create.makepath"), "/k/made/by/path");
    assert.equal(fact("ensurePath.exists"), true);
  });

  test("kazoo set checks versions and bumps version and mzxid", () => {
    const first = statFact("set.v0");
    assert.equal(first.version, 1);
    assert.ok(first.mzxid > first.czxid);
    assert.equal(fact("set.staleVersion"), "BadVersionError");
    const second = statFact("set.anyVersion");
    assert.equal(second.version, 2);
    assert.ok(second.mzxid > first.mzxid);
    assert.equal(fact("set.missing"), "NoNodeError");
    assert.equal(fact("get.afterSet"), "again");
    assert.equal(fact("get.missing"), "NoNodeError");
  });

  test("kazoo delete raises NotEmpty, NoNode and BadVersion, and deletes recursively", () => {
    assert.equal(fact("delete.notEmpty"), "NotEmptyError");
    assert.equal(fact("delete.missing"), "NoNodeError");
    assert.equal(fact("delete.wrongVersion"), "BadVersionError");
    assert.equal(fact("delete.rightVersion"), "ok");
    assert.equal(fact("delete.recursive"), "ok");
    assert.equal(fact("delete.recursive.gone"), true);
    const parent = statFact("stat.parentAfterDeletes");
    // Creates of empty, none, 2 seq, eph, eseq, made, ensured; then deletes of empty and made.
    assert.equal(parent.numChildren, 6);
    assert.equal(parent.cversion, 10);
  });

  test("kazoo get_children lists children and include_data returns the parent's stat", () => {
    assert.deepEqual(fact("getChildren"), [
      "ensured",
      "eph",
      "eseq-0000000005",
      "none",
      "seq-0000000002",
      "seq-0000000003",
    ]);
    assert.equal(fact("getChildren2.count"), 6);
    assert.deepEqual(statFact("getChildren2.stat"), statFact("stat.parentAfterDeletes"));
    assert.equal(fact("exists.absent"), null);
    assert.equal(fact("getChildren.missing"), "NoNodeError");
  });

  test("kazoo transaction commits all ops and returns one result per op", () => {
    assert.deepEqual(fact("tx.ok.results"), ["str", "str", "ZnodeStat", "bool"]);
    assert.equal(fact("tx.ok.data"), "b");
  });

  test("failed kazoo transaction applies nothing and reports rolled back, the error, then inconsistency", () => {
    assert.deepEqual(fact("tx.fail.results"), ["RolledBackError", "BadVersionError", "RuntimeInconsistency"]);
    assert.equal(fact("tx.fail.notApplied"), true);
    assert.equal(fact("tx.fail.childKept"), true);
  });

  test("kazoo one-time watches fire CHANGED, CREATED, CHILD and DELETED", () => {
    assert.equal(fact("watch.data.changed"), "CHANGED@/w");
    assert.equal(fact("watch.exists.created"), "CREATED@/w/new");
    assert.equal(fact("watch.children.child"), "CHILD@/w");
    assert.equal(fact("watch.exists.deleted"), "DELETED@/w/new");
  });

  test("kazoo DataWatch and ChildrenWatch follow every change", () => {
    assert.deepEqual(fact("dataWatch.calls"), [
      ["v0", null],
      ["v1", "CHANGED@/dw"],
      [null, "DELETED@/dw"],
    ]);
    assert.deepEqual(fact("childrenWatch.calls"), [[], ["a"], ["a", "b"], ["b"]]);
  });

  test("kazoo ephemeral disappears with a DELETED watch when its owner stops", () => {
    assert.equal(fact("ephemeral.ownerMatches"), true);
    assert.equal(fact("ephemeral.afterClose.event"), "DELETED@/k/owned");
    assert.equal(fact("ephemeral.afterClose.exists"), false);
  });

  test("kazoo resumes its session after the TCP connection is cut, keeping its ephemerals", () => {
    assert.equal(fact("reconnect.suspended"), "SUSPENDED");
    assert.equal(fact("reconnect.connected"), "CONNECTED");
    assert.equal(fact("reconnect.sameSession"), true);
    assert.equal(fact("reconnect.ephemeralKept"), true);
  });

  test("kazoo resuming a session with a wrong password ends up in a new session", () => {
    assert.deepEqual(fact("reconnect.wrongPassword.states"), ["CONNECTED"]);
    assert.equal(fact("reconnect.wrongPassword.newSession"), true);
  });
});
