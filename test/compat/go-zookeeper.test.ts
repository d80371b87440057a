// Drives go-zookeeper (github.com/samuel/go-zookeeper/zk from Debian) through go/scenario.go against
// the chosen target. This client numbers auth and setWatches packets like any request, so it only
// works with a server that answers them under the request's own xid, and it sends its ConnectRequest
// without the readOnly byte. The scenario is built and run once; each test judges one slice of it.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { debianSkipReason } from "../support/debian.js";
import { type Facts, fact, parseFacts, parseStat } from "../support/facts.js";
import { buildGoProgram, goZookeeperPackages } from "../support/go-zookeeper.js";
import { compatSource } from "../support/paths.js";
import { describeRun, run } from "../support/run.js";
import { startTarget, type Target, targetPackages } from "../support/targets.js";

const skip = debianSkipReason([...targetPackages(), ...goZookeeperPackages]);

describe("go-zookeeper Go client", { skip }, () => {
  let target: Target | undefined;
  let dir: string | undefined;
  let facts: Facts;
  const get = (name: string): string => fact(facts, name);

  before(async () => {
    target = await startTarget();
    dir = mkdtempSync(join(tmpdir(), "paddock-compat-go-"));
    const { binary, build } = await buildGoProgram(compatSource("go/scenario.go"), dir);
    assert.equal(build.status, 0, `go build failed: ${describeRun(build)}`);
    const scenario = await run(binary, [target.connectString], { timeoutMs: 240_000 });
    facts = parseFacts(scenario.stdout);
    assert.equal(scenario.status, 0, `scenario failed: ${describeRun(scenario)}`);
    assert.equal(get("done"), "true", describeRun(scenario));
  });

  after(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await target?.stop();
  });

  test("go client connects and gets a session", () => {
    assert.equal(get("connect.state"), "StateHasSession");
    assert.notEqual(BigInt(get("connect.sessionId")), 0n);
  });

  test("go create, get, set and delete return ZooKeeper's results and errors", () => {
    assert.equal(get("create.path"), "/go");
    assert.equal(get("create.err"), "ok");
    assert.equal(get("get.data"), "hello");
    const created = parseStat(get("get.stat"));
    assert.equal(created.mzxid, created.czxid);
    assert.deepEqual([created.version, created.dataLength, created.numChildren], [0, 5, 0]);
    assert.equal(get("create.existing"), "NodeExists");
    assert.equal(get("create.noParent"), "NoNode");
    const set = parseStat(get("set.v0"));
    assert.equal(set.version, 1);
    assert.ok(set.mzxid > created.mzxid);
    assert.equal(get("set.stale"), "BadVersion");
    assert.equal(get("create.sequential"), "/go/seq-0000000000,/go/seq-0000000001");
    assert.equal(get("ephemeral.ownedByMain"), "true");
    assert.equal(get("create.childOfEphemeral"), "NoChildrenForEphemerals");
    assert.equal(get("children"), "eph,seq-0000000000,seq-0000000001");
    assert.equal(get("children.numChildren"), "3");
    assert.equal(get("exists.absent"), "false/ok");
    assert.equal(get("delete.notEmpty"), "NotEmpty");
    assert.equal(get("delete.badVersion"), "BadVersion");
    assert.equal(get("delete.ok"), "ok");
    assert.equal(get("delete.missing"), "NoNode");
    assert.equal(get("sync"), "/go/ok");
  });

  test("go multi applies every op or none and reports each op's error", () => {
    assert.equal(get("multi.ok.err"), "ok");
    assert.equal(get("multi.ok.results"), "/go/m1/ok,/ok,/ok");
    assert.equal(get("multi.fail.err"), "BadVersion");
    // Ops before the failing one are rolled back and report 0, as ZooKeeper's multi does.
    assert.equal(get("multi.fail.results"), "ok,BadVersion");
    assert.equal(get("multi.fail.m2Exists"), "false");
  });

  test("go one-time watches fire for data, creation, children and deletion", () => {
    assert.equal(get("watch.data"), "EventNodeDataChanged@/go");
    assert.equal(get("watch.exists"), "EventNodeCreated@/go/w");
    assert.equal(get("watch.children"), "EventNodeChildrenChanged@/go");
    assert.equal(get("watch.deleted"), "EventNodeDeleted@/go/w");
  });

  test("go AddAuth returns for digest credentials with and without a colon; an unknown scheme fails", () => {
    assert.equal(get("auth.digest"), "ok");
    assert.equal(get("auth.noColon"), "ok");
    assert.equal(get("auth.noColon.other"), "ok");
    assert.equal(get("auth.unknownScheme"), "AuthFailed");
  });

  test("go ACLs: digest ids from both logins guard their nodes, auth expands to them, world-read refuses writes", () => {
    assert.equal(get("acl.digest.create"), "ok");
    assert.equal(get("acl.noColon.create"), "ok");
    assert.equal(get("acl.auth.create"), "ok");
    assert.equal(get("acl.auth.expanded"), get("acl.auth.expected"));
    assert.equal(get("acl.owner.get/go/digest"), "ok");
    assert.equal(get("acl.other.get/go/digest"), "NoAuth");
    assert.equal(get("acl.owner.get/go/blah"), "ok");
    assert.equal(get("acl.other.get/go/blah"), "NoAuth");
    assert.equal(get("acl.noColon.otherLogin.get"), "ok");
    assert.equal(get("acl.readOnly.set"), "NoAuth");
    assert.equal(get("acl.setACL"), "ok");
    assert.equal(get("acl.setACL.aversion"), "1");
    assert.equal(get("acl.getACL"), "world:anyone:17/ok");
  });

  test("go client resumes its session after a cut and gets its watches and credentials back", () => {
    assert.equal(get("reconnect.disconnected"), "StateDisconnected");
    assert.equal(get("reconnect.state"), "StateHasSession");
    assert.equal(get("reconnect.sameSession"), "true");
    assert.equal(get("reconnect.changedWhileAway"), "EventNodeDataChanged@/go/away");
    assert.equal(get("reconnect.data"), "EventNodeDataChanged@/go");
    assert.equal(get("reconnect.exists"), "EventNodeCreated@/go/later");
    assert.equal(get("reconnect.children"), "EventNodeChildrenChanged@/go/m1");
    assert.equal(get("reconnect.authResent"), "ok");
  });

  test("go client held away past its timeout learns its session expired and starts a new one", () => {
    assert.equal(get("expiry.ephemeral"), "ok");
    assert.equal(get("expiry.ephemeralDeleted"), "EventNodeDeleted@/go/expiring");
    assert.equal(get("expiry.state"), "StateExpired");
    assert.equal(get("expiry.newSession"), "StateHasSession");
    assert.equal(get("expiry.sessionChanged"), "true");
    assert.equal(get("expiry.usableAfter"), "ok");
  });
});
