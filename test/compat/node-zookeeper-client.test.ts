// Uses the node-zookeeper-client npm package directly in the test process against the chosen
// target. Tests share one target and one main session, and run in file order; each test uses its
// own subtree so a failure in one does not cascade into the next.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { debianSkipReason } from "../support/debian.js";
import { CreateMode, EventLog, long, type ZkError, ZkSession } from "../support/node-zookeeper-client.js";
import { startTarget, type Target, targetPackages } from "../support/targets.js";

const skip = debianSkipReason(targetPackages());

/** The ZooKeeper error code a rejected request carries. */
async function errorCode(request: Promise<unknown>): Promise<number> {
  try {
    await request;
  } catch (error) {
    return (error as ZkError).code;
  }
  return 0;
}

const NONODE = -101;
const BADVERSION = -103;
const NOCHILDRENFOREPHEMERALS = -108;
const NODEEXISTS = -110;
const NOTEMPTY = -111;

describe("node-zookeeper-client", { skip }, () => {
  let target: Target;
  let zk: ZkSession;

  before(async () => {
    target = await startTarget();
    zk = await ZkSession.connect(target.connectString);
  });

  after(async () => {
    await zk?.close();
    await target?.stop();
  });

  test("node client create and getData round-trip data with a fresh stat", async () => {
    assert.equal(await zk.create("/n", Buffer.from("hello")), "/n");
    const { data, stat } = await zk.getData("/n");
    assert.equal(data?.toString(), "hello");
    assert.ok(long(stat.czxid) > 0n);
    assert.equal(long(stat.mzxid), long(stat.czxid));
    assert.equal(long(stat.pzxid), long(stat.czxid));
    assert.equal(long(stat.ctime), long(stat.mtime));
    assert.deepEqual(
      [stat.version, stat.cversion, stat.aversion, stat.dataLength, stat.numChildren],
      [0, 0, 0, 5, 0],
    );
    assert.equal(long(stat.ephemeralOwner), 0n);
  });

  test("node client reads empty data as an empty buffer and absent data (length -1) as undefined", async () => {
    await zk.create("/n/empty", Buffer.alloc(0));
    await zk.create("/n/absent", undefined);
    const empty = await zk.getData("/n/empty");
    const absent = await zk.getData("/n/absent");
    assert.equal(empty.stat.dataLength, 0);
    assert.equal(absent.stat.dataLength, 0);
    assert.ok(Buffer.isBuffer(empty.data), "length 0 on the wire decodes to an empty buffer");
    assert.equal(empty.data.length, 0);
    assert.equal(absent.data, undefined, "length -1 on the wire decodes to undefined");
  });

  test("node client sequential and ephemeral creates get numbered names and the session as owner", async () => {
    assert.equal(
      await zk.create("/n/seq-", Buffer.from("s"), CreateMode.PERSISTENT_SEQUENTIAL),
      "/n/seq-0000000002",
    );
    assert.equal(
      await zk.create("/n/seq-", Buffer.from("s"), CreateMode.PERSISTENT_SEQUENTIAL),
      "/n/seq-0000000003",
    );
    assert.equal(await zk.create("/n/eph", Buffer.from("e"), CreateMode.EPHEMERAL), "/n/eph");
    assert.equal(
      await zk.create("/n/eseq-", undefined, CreateMode.EPHEMERAL_SEQUENTIAL),
      "/n/eseq-0000000005",
    );
    const eph = await zk.exists("/n/eph");
    assert.ok(eph);
    assert.equal(long(eph.ephemeralOwner), long(zk.sessionId));
    const parent = await zk.exists("/n");
    assert.ok(parent);
    assert.equal(parent.numChildren, 6);
    assert.equal(parent.cversion, 6);
    assert.equal(parent.version, 0);
  });

  test("node client create fails with NODEEXISTS, NONODE and NOCHILDRENFOREPHEMERALS", async () => {
    assert.equal(await errorCode(zk.create("/n", undefined)), NODEEXISTS);
    assert.equal(await errorCode(zk.create("/missing/child", undefined)), NONODE);
    assert.equal(await errorCode(zk.create("/n/eph/child", undefined)), NOCHILDRENFOREPHEMERALS);
  });

  test("node client setData checks versions and bumps version and mzxid", async () => {
    const before = await zk.exists("/n");
    assert.ok(before);
    const first = await zk.setData("/n", Buffer.from("world!"), before.version);
    assert.equal(first.version, before.version + 1);
    assert.equal(first.dataLength, 6);
    assert.equal(long(first.czxid), long(before.czxid));
    assert.ok(long(first.mzxid) > long(before.mzxid));
    assert.equal(await errorCode(zk.setData("/n", Buffer.from("stale"), before.version)), BADVERSION);
    const second = await zk.setData("/n", Buffer.from("again"));
    assert.equal(second.version, first.version + 1);
    assert.equal(await errorCode(zk.setData("/missing", Buffer.from("x"))), NONODE);
    assert.equal((await zk.getData("/n")).data?.toString(), "again");
  });

  test("node client remove fails with NOTEMPTY, NONODE and BADVERSION, and deletes with the version", async () => {
    assert.equal(await errorCode(zk.remove("/n")), NOTEMPTY);
    assert.equal(await errorCode(zk.remove("/missing")), NONODE);
    assert.equal(await errorCode(zk.remove("/n/empty", 3)), BADVERSION);
    const before = await zk.exists("/n");
    await zk.remove("/n/empty", 0);
    const after = await zk.exists("/n");
    assert.ok(before && after);
    assert.equal(after.numChildren, before.numChildren - 1);
    assert.equal(after.cversion, before.cversion + 1);
    assert.ok(long(after.pzxid) > long(before.pzxid));
    assert.equal(await zk.exists("/n/empty"), null);
  });

  test("node client getChildren lists children with the parent's stat", async () => {
    const { children, stat } = await zk.getChildren("/n");
    assert.deepEqual(children.sort(), [
      "absent",
      "eph",
      "eseq-0000000005",
      "seq-0000000002",
      "seq-0000000003",
    ]);
    assert.equal(stat.numChildren, 5);
    assert.equal(await errorCode(zk.getChildren("/missing")), NONODE);
  });

  test("node client data, exists and child watches fire once with the right type", async () => {
    await zk.create("/nw", Buffer.from("0"));
    const data = new EventLog();
    await zk.getData("/nw", data.watcher);
    await zk.setData("/nw", Buffer.from("1"));
    assert.equal(await data.next(), "NODE_DATA_CHANGED@/nw");
    await zk.setData("/nw", Buffer.from("2"));
    await zk.getData("/nw");
    assert.deepEqual(data.pending(), [], "a watch fires at most once");

    const created = new EventLog();
    assert.equal(await zk.exists("/nw/new", created.watcher), null);
    await zk.create("/nw/new", undefined);
    assert.equal(await created.next(), "NODE_CREATED@/nw/new");

    const children = new EventLog();
    await zk.getChildren("/nw", children.watcher);
    await zk.create("/nw/second", undefined);
    assert.equal(await children.next(), "NODE_CHILDREN_CHANGED@/nw");

    const deleted = new EventLog();
    await zk.exists("/nw/new", deleted.watcher);
    await zk.remove("/nw/new");
    assert.equal(await deleted.next(), "NODE_DELETED@/nw/new");
  });

  test("node client multi commits every op, and a failing multi applies none", async () => {
    const ok = await zk.multi((tx) =>
      tx
        .create("/nm", Buffer.from("a"), CreateMode.PERSISTENT)
        .create("/nm/child", undefined, CreateMode.PERSISTENT)
        .setData("/nm", Buffer.from("b"), 0)
        .check("/nm", 1),
    );
    assert.equal(ok.error, null);
    assert.deepEqual(
      ok.results.map((result) => result.type),
      [1, 1, 5, 13],
    );
    assert.equal((await zk.getData("/nm")).data?.toString(), "b");

    const failed = await zk.multi((tx) =>
      tx.create("/nm/notApplied", undefined, CreateMode.PERSISTENT).check("/nm", 7).remove("/nm/child", -1),
    );
    assert.equal(failed.error?.code, BADVERSION);
    assert.deepEqual(
      failed.results.map((result) => result.err),
      [0, BADVERSION, -2],
    );
    assert.equal(await zk.exists("/nm/notApplied"), null);
    assert.notEqual(await zk.exists("/nm/child"), null);
  });

  test("node client sees another session's ephemeral vanish, with NODE_DELETED, when it closes", async () => {
    const owner = await ZkSession.connect(target.connectString);
    await owner.create("/n/owned", undefined, CreateMode.EPHEMERAL);
    const gone = new EventLog();
    const stat = await zk.exists("/n/owned", gone.watcher);
    assert.equal(stat && long(stat.ephemeralOwner), long(owner.sessionId));
    await owner.close();
    assert.equal(await gone.next(), "NODE_DELETED@/n/owned");
    assert.equal(await zk.exists("/n/owned"), null);
  });

  test("node client reconnects after its TCP connection is cut and keeps its session", async () => {
    const session = await ZkSession.connect(target.connectString);
    try {
      const id = long(session.sessionId);
      await session.create("/n/kept", undefined, CreateMode.EPHEMERAL);
      await session.dropConnection();
      assert.equal(long(session.sessionId), id);
      const kept = await session.exists("/n/kept");
      assert.equal(kept && long(kept.ephemeralOwner), id);
    } finally {
      await session.close();
    }
  });

  test("session is resumed by a new client with its id and password, refused with a wrong one", async () => {
    const first = await ZkSession.connect(target.connectString);
    const id = Buffer.from(first.sessionId);
    const password = Buffer.from(first.sessionPassword);
    await first.create("/n/survivor", undefined, CreateMode.EPHEMERAL);
    first.abandon();

    const wrong = Buffer.from(password.map((byte) => byte ^ 0x5a));
    await ZkSession.expectExpired(target.connectString, { id, password: wrong });

    const again = await ZkSession.connect(target.connectString, { id, password });
    assert.equal(long(again.sessionId), long(id));
    const survivor = await again.exists("/n/survivor");
    assert.equal(survivor && long(survivor.ephemeralOwner), long(id));
    await again.close();

    await ZkSession.expectExpired(target.connectString, { id, password });
    assert.equal(await zk.exists("/n/survivor"), null);
  });
});
