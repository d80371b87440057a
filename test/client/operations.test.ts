// Every operation of the client against a real server, Paddock and ZooKeeper alike: typed results,
// typed errors carrying path and code, chroot mapping, multi and multiRead, auth and whoAmI.

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BadVersionError,
  ClientError,
  deleteQuota,
  getQuota,
  NoAuthError,
  NodeExistsError,
  NoNodeError,
  NotEmptyError,
  OPEN_ACL_UNSAFE,
  Perms,
  setQuota,
} from "../../src/client/index.js";
import { eachTarget } from "./targets.js";

eachTarget("client operations", (fixture) => {
  test("create, getData, setData and delete round-trip data and versions", async () => {
    const client = await fixture().client();
    const path = fixture().unique("crud");
    assert.equal(await client.create(path, "hello"), path);
    const { data, stat } = await client.getData(path);
    assert.equal(data?.toString(), "hello");
    assert.equal(stat.version, 0);
    assert.equal(stat.dataLength, 5);
    const after = await client.setData(path, Buffer.from("bye"), 0);
    assert.equal(after.version, 1);
    await assert.rejects(client.setData(path, "x", 0), (error: unknown) => {
      assert.ok(error instanceof BadVersionError);
      assert.equal(error.code, -103);
      assert.equal(error.path, path);
      return true;
    });
    await client.delete(path, 1);
    assert.equal(await client.exists(path), null);
  });

  test("errors are typed by code and name the path", async () => {
    const client = await fixture().client();
    const path = fixture().unique("errors");
    await assert.rejects(client.getData(`${path}/missing`), NoNodeError);
    await client.create(path);
    await assert.rejects(
      client.create(path),
      (error: unknown) => error instanceof NodeExistsError && error.path === path,
    );
    await client.create(`${path}/child`);
    await assert.rejects(client.delete(path), NotEmptyError);
    await assert.rejects(client.getData("no-slash"), ClientError);
  });

  test("sequential and ephemeral nodes get suffixes and show in getEphemerals", async () => {
    const client = await fixture().client();
    const path = fixture().unique("seq");
    await client.create(path);
    const first = await client.create(`${path}/n-`, null, { mode: "ephemeralSequential" });
    const second = await client.create(`${path}/n-`, null, { mode: "ephemeralSequential" });
    assert.match(first, /\/n-\d{10}$/);
    assert.ok(second > first);
    const { stat } = await client.getData(first);
    assert.equal(stat.ephemeralOwner, BigInt.asIntN(64, client.sessionId));
    assert.deepEqual((await client.getEphemerals(path)).sort(), [first, second]);
    const { children, stat: parent } = await client.getChildrenWithStat(path);
    assert.equal(children.length, 2);
    assert.equal(parent.numChildren, 2);
    assert.equal(await client.getAllChildrenNumber(path), 2);
  });

  test("container and TTL nodes are created with their own opcodes", async () => {
    const client = await fixture().client();
    const path = fixture().unique("modes");
    await client.create(path, null, { mode: "container" });
    const ttl = await client.createWithStat(`${path}/ttl`, "t", { mode: "persistentWithTtl", ttlMs: 60_000 });
    assert.equal(ttl.stat.ephemeralOwner, 0n);
    assert.throws(
      () => client.transaction().create(`${path}/x`, null, { mode: "persistentWithTtl" }),
      ClientError,
    );
  });

  test("a chrooted client sees paths relative to its chroot", async () => {
    const root = fixture().unique("chroot");
    const plain = await fixture().client();
    await plain.create(root);
    const chrooted = await fixture().client({}, root);
    assert.equal(await chrooted.create("/a", "x"), "/a");
    assert.equal((await plain.getData(`${root}/a`)).data?.toString(), "x");
    assert.deepEqual(await chrooted.getChildren("/"), ["a"]);
    const seq = await chrooted.create("/s-", null, { mode: "ephemeralSequential" });
    assert.match(seq, /^\/s-\d{10}$/);
    assert.deepEqual(await chrooted.getEphemerals("/"), [seq]);
    const event = await chrooted.watchData("/a");
    await plain.setData(`${root}/a`, "y");
    assert.deepEqual(await event.changed, {
      type: "dataChanged",
      path: "/a",
      zxid: (await event.changed).zxid,
    });
  });

  test("a transaction commits all its ops or reports the failing op with every op's code", async () => {
    const client = await fixture().client();
    const path = fixture().unique("multi");
    const results = await client
      .transaction()
      .create(path, "p")
      .create(`${path}/c`, "c")
      .setData(path, "q")
      .check(path, 1)
      .commit();
    assert.deepEqual(
      results.map((result) => result.type),
      ["create", "create", "setData", "check"],
    );
    assert.equal(results[0]?.type === "create" && results[0].path, path);
    await assert.rejects(
      client.transaction().delete(`${path}/c`).delete(`${path}/missing`).setData(path, "z").commit(),
      (error: unknown) => {
        assert.ok(error instanceof NoNodeError);
        assert.equal(error.path, `${path}/missing`);
        assert.deepEqual(error.transaction, { opIndex: 1, opErrors: [0, -101, -2] });
        return true;
      },
    );
    assert.notEqual(await client.exists(`${path}/c`), null);
    assert.deepEqual(await client.transaction().commit(), []);
  });

  test("multiRead answers each read on its own", async () => {
    const client = await fixture().client();
    const path = fixture().unique("multiread");
    await client.create(path, "d");
    await client.create(`${path}/k`);
    const [data, children, missing] = await client.multiRead([
      { type: "getData", path },
      { type: "getChildren", path },
      { type: "getData", path: `${path}/none` },
    ]);
    assert.equal(data?.type === "getData" && data.data?.toString(), "d");
    assert.deepEqual(children?.type === "getChildren" && children.children, ["k"]);
    assert.ok(missing?.type === "error" && missing.error instanceof NoNodeError);
  });

  test("digest auth grants access to a node with a digest ACL and shows in whoAmI", async () => {
    const owner = await fixture().client();
    const other = await fixture().client();
    const path = fixture().unique("acl");
    await owner.addAuth("digest", "alice:secret");
    const who = await owner.whoAmI();
    assert.ok(who.some((info) => info.authScheme === "digest" && info.user === "alice"));
    await owner.create(path, "secret", {
      acl: [{ perms: Perms.ALL, id: { scheme: "digest", id: "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=" } }],
    });
    await assert.rejects(other.getData(path), NoAuthError);
    assert.equal((await owner.getData(path)).data?.toString(), "secret");
    const { acl } = await owner.getACL(path);
    assert.equal(acl[0]?.id.scheme, "digest");
    const stat = await owner.setACL(path, OPEN_ACL_UNSAFE, 0);
    assert.equal(stat.aversion, 1);
    assert.equal((await other.getData(path)).data?.toString(), "secret");
  });

  test("sync answers, and 200 pipelined writes resolve in order with consecutive versions", async () => {
    const client = await fixture().client();
    const path = fixture().unique("pipeline");
    await client.sync("/");
    await client.create(path);
    const writes = Array.from({ length: 200 }, (_, i) => client.setData(path, String(i)));
    const stats = await Promise.all(writes);
    assert.deepEqual(
      stats.map((stat) => stat.version),
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    assert.equal((await client.getData(path)).data?.toString(), "199");
  });

  test("quotas are set, merged, listed with usage and deleted in zkCli's StatsTrack format", async () => {
    const client = await fixture().client();
    const path = fixture().unique("quota");
    await client.create(path, "12345");
    await client.create(`${path}/kid`);
    await setQuota(client, path, { count: 5 });
    await setQuota(client, path, { byteHardLimit: 100 });
    const quota = await getQuota(client, path);
    assert.deepEqual(quota?.limits, { count: 5, bytes: -1, countHardLimit: -1, byteHardLimit: 100 });
    assert.equal(quota?.usage.count, 2);
    assert.equal(quota?.usage.bytes, 5);
    const raw = await client.getData(`/zookeeper/quota${path}/zookeeper_limits`);
    assert.equal(raw.data?.toString(), "count=5,bytes=-1=;byteHardLimit=100;countHardLimit=-1");
    assert.equal(await deleteQuota(client, path), true);
    assert.equal(await getQuota(client, path), undefined);
    await client.getConfig();
  });

  test("a full request queue refuses new requests instead of growing", async () => {
    const client = await fixture().client({ outstandingRequestsMax: 1, queuedRequestsMax: 2 });
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => client.exists("/")));
    const refused = results.filter((r) => r.status === "rejected");
    assert.ok(refused.length >= 1, "some requests were refused");
    for (const r of refused) assert.ok(r.reason instanceof ClientError && r.reason.code === "PDK_QUEUE_FULL");
    assert.ok(results.some((r) => r.status === "fulfilled"));
  });
});
