// Drives the official Java client (org.apache.zookeeper.ZooKeeper 3.8 from the Debian jars)
// through java/CompatScenario.java against the chosen target. The scenario is compiled at test
// time and run once, because JVM start-up dominates; each test below then judges one slice of it.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { commandExists, debianSkipReason } from "../support/debian.js";
import { type Facts, fact, parseFacts, parseStat } from "../support/facts.js";
import { compatSource } from "../support/paths.js";
import { describeRun, run } from "../support/run.js";
import { startTarget, type Target, targetPackages } from "../support/targets.js";

const clientClasspath = ["zookeeper.jar", "zookeeper-jute.jar", "slf4j-api.jar"]
  .map((jar) => `/usr/share/java/${jar}`)
  .join(":");

const skip = debianSkipReason([
  ...targetPackages(),
  "zookeeper",
  ...(commandExists("javac") ? [] : ["default-jdk-headless"]),
]);

describe("Apache ZooKeeper Java client", { skip }, () => {
  let target: Target | undefined;
  let classesDir: string | undefined;
  let facts: Facts;

  before(async () => {
    target = await startTarget();
    classesDir = mkdtempSync(join(tmpdir(), "paddock-compat-java-"));
    const source = compatSource("java/CompatScenario.java");
    const compiled = await run("javac", ["-d", classesDir, "-cp", clientClasspath, source], {
      timeoutMs: 120_000,
    });
    assert.equal(compiled.status, 0, `javac failed: ${describeRun(compiled)}`);
    const scenario = await run(
      "java",
      ["-Xmx256m", "-cp", `${classesDir}:${clientClasspath}`, "CompatScenario", target.connectString],
      { timeoutMs: 120_000 },
    );
    assert.equal(scenario.status, 0, `scenario failed: ${describeRun(scenario)}`);
    facts = parseFacts(scenario.stdout);
    assert.equal(fact(facts, "done"), "true", describeRun(scenario));
  });

  after(async () => {
    if (classesDir) rmSync(classesDir, { recursive: true, force: true });
    await target?.stop();
  });

  test("java client connects and gets a non-zero session id", () => {
    assert.equal(fact(facts, "main.connect"), "SyncConnected");
    assert.notEqual(BigInt(fact(facts, "main.sessionId")), 0n);
  });

  test("created node reads back its data with a fresh stat", () => {
    assert.equal(fact(facts, "create.persistent"), "/p");
    assert.equal(fact(facts, "get.data"), "hello");
    const stat = parseStat(fact(facts, "get.stat"));
    assert.ok(stat.czxid > 0n);
    assert.equal(stat.mzxid, stat.czxid);
    assert.equal(stat.pzxid, stat.czxid);
    assert.equal(stat.ctime, stat.mtime);
    assert.deepEqual(
      [stat.version, stat.cversion, stat.aversion, stat.dataLength, stat.numChildren],
      [0, 0, 0, 5, 0],
    );
    assert.equal(stat.ephemeralOwner, 0n);
  });

  test("empty data reads back empty and null data reads back null, both with dataLength 0", () => {
    assert.equal(fact(facts, "get.empty"), "");
    assert.equal(parseStat(fact(facts, "stat.empty")).dataLength, 0);
    assert.equal(fact(facts, "get.null"), "<null>");
    assert.equal(parseStat(fact(facts, "stat.null")).dataLength, 0);
  });

  test("sequential names carry the parent's cversion as a ten-digit suffix", () => {
    // /p had two children (empty, null) before the first sequential create.
    assert.equal(fact(facts, "create.sequential.1"), "/p/seq-0000000002");
    assert.equal(fact(facts, "create.sequential.2"), "/p/seq-0000000003");
    assert.equal(fact(facts, "create.ephemeralSequential"), "/p/eseq-0000000005");
  });

  test("ephemeral node's ephemeralOwner is the creating session id", () => {
    assert.equal(fact(facts, "create.ephemeral"), "/p/eph");
    const stat = parseStat(fact(facts, "stat.ephemeral"));
    assert.equal(stat.ephemeralOwner, BigInt(fact(facts, "main.sessionId")));
  });

  test("parent's cversion, numChildren and pzxid follow creates and deletes of children", () => {
    const afterCreates = parseStat(fact(facts, "stat.parentAfterCreates"));
    assert.equal(afterCreates.numChildren, 6);
    assert.equal(afterCreates.cversion, 6);
    assert.ok(afterCreates.pzxid > afterCreates.czxid);
    assert.equal(afterCreates.version, 0, "child creation must not bump the parent's data version");
    const afterDelete = parseStat(fact(facts, "stat.parentAfterDelete"));
    assert.equal(afterDelete.numChildren, 5);
    assert.equal(afterDelete.cversion, 7, "deleting a child bumps cversion too");
    assert.ok(afterDelete.pzxid > afterCreates.pzxid);
  });

  test("create reports NODEEXISTS, NONODE and NOCHILDRENFOREPHEMERALS", () => {
    assert.equal(fact(facts, "create.existing"), "NODEEXISTS");
    assert.equal(fact(facts, "create.noParent"), "NONODE");
    assert.equal(fact(facts, "create.childOfEphemeral"), "NOCHILDRENFOREPHEMERALS");
  });

  test("setData with the current version bumps version and mzxid but keeps czxid and ctime", () => {
    const created = parseStat(fact(facts, "get.stat"));
    const first = parseStat(fact(facts, "set.v0"));
    assert.equal(first.version, 1);
    assert.equal(first.dataLength, 6);
    assert.equal(first.czxid, created.czxid);
    assert.equal(first.ctime, created.ctime);
    assert.ok(first.mzxid > first.czxid);
    assert.ok(first.mtime >= first.ctime);
    const second = parseStat(fact(facts, "set.anyVersion"));
    assert.equal(second.version, 2, "version -1 matches any version");
    assert.ok(second.mzxid > first.mzxid);
    assert.equal(fact(facts, "get.afterSet"), "again");
  });

  test("setData with a stale version fails with BADVERSION and on a missing node with NONODE", () => {
    assert.equal(fact(facts, "set.staleVersion"), "BADVERSION");
    assert.equal(fact(facts, "set.missing"), "NONODE");
  });

  test("delete reports NOTEMPTY, NONODE and BADVERSION, and succeeds with the right version", () => {
    assert.equal(fact(facts, "delete.notEmpty"), "NOTEMPTY");
    assert.equal(fact(facts, "delete.missing"), "NONODE");
    assert.equal(fact(facts, "delete.wrongVersion"), "BADVERSION");
    assert.equal(fact(facts, "delete.rightVersion"), "ok");
  });

  test("exists returns a stat for a present node and null for an absent one", () => {
    assert.equal(parseStat(fact(facts, "exists.present")).numChildren, 5);
    assert.equal(fact(facts, "exists.absent"), "null");
  });

  test("getChildren and getChildren2 list the children with a matching stat", () => {
    assert.equal(fact(facts, "getChildren"), "eph,eseq-0000000005,null,seq-0000000002,seq-0000000003");
    assert.equal(fact(facts, "getChildren2.count"), "5");
    assert.deepEqual(parseStat(fact(facts, "getChildren2.stat")), parseStat(fact(facts, "exists.present")));
    assert.equal(fact(facts, "getChildren.missing"), "NONODE");
    assert.equal(fact(facts, "getChildren.root"), "p,zookeeper");
  });

  test("data, exists and child watches fire once with the right event type", () => {
    assert.equal(fact(facts, "watch.data.first"), "NodeDataChanged@/w");
    assert.equal(fact(facts, "watch.data.oneTime"), "none");
    assert.equal(fact(facts, "watch.exists.absent"), "true");
    assert.equal(fact(facts, "watch.exists.created"), "NodeCreated@/w/new");
    assert.equal(fact(facts, "watch.children.first"), "NodeChildrenChanged@/w");
    assert.equal(fact(facts, "watch.children.oneTime"), "none");
  });

  test("deleting a node fires NodeDeleted on its watches and NodeChildrenChanged on its parent", () => {
    assert.equal(fact(facts, "watch.exists.deleted"), "NodeDeleted@/w/new");
    assert.equal(fact(facts, "watch.data.deleted"), "NodeDeleted@/w/second");
    assert.equal(fact(facts, "watch.children.onChildDelete"), "NodeChildrenChanged@/w");
    assert.equal(fact(facts, "watch.children.onOwnDelete"), "NodeDeleted@/w");
  });

  test("multi applies every op and returns one typed result per op", () => {
    assert.equal(fact(facts, "multi.ok.results"), "CreateResult,CreateResult,SetDataResult,CheckResult");
    assert.equal(fact(facts, "multi.ok.data"), "b");
  });

  test("failed multi applies nothing and reports OK, the error, then RUNTIMEINCONSISTENCY", () => {
    assert.equal(fact(facts, "multi.fail"), "BADVERSION");
    assert.equal(fact(facts, "multi.fail.results"), "0,-103,-2");
    assert.equal(fact(facts, "multi.fail.notApplied"), "null");
    assert.notEqual(fact(facts, "multi.fail.childKept"), "null");
  });

  test("ephemeral node disappears with a NodeDeleted watch when its owner closes the session", () => {
    assert.equal(fact(facts, "owner.connect"), "SyncConnected");
    assert.equal(fact(facts, "ephemeral.ownerMatches"), "true");
    assert.equal(fact(facts, "ephemeral.afterClose.event"), "NodeDeleted@/p/owned");
    assert.equal(fact(facts, "ephemeral.afterClose.exists"), "null");
  });

  test("session resumes on a new connection with its password and keeps its ephemerals", () => {
    assert.equal(fact(facts, "reconnect.connect"), "SyncConnected");
    assert.equal(fact(facts, "reconnect.sameSession"), "true");
    assert.equal(fact(facts, "reconnect.ephemeralKept"), "true");
  });

  test("session resume with a wrong password or after close is told the session expired", () => {
    assert.equal(fact(facts, "reconnect.wrongPassword"), "Expired");
    assert.equal(fact(facts, "reconnect.afterClose"), "Expired");
  });
});
