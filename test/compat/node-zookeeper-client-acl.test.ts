// Proves the node-zookeeper-client npm package's transaction and ACL APIs work on the chosen target:
// multi with create/setData/check/remove and its per-op results, digest and ip ACLs with
// addAuthInfo, NOAUTH for other sessions, ACL versions (aversion) and BADVERSION on setACL. The
// package runs in the test process; tests share one target and run in file order, each in its own
// subtree.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { after, before, describe, test } from "node:test";
import { debianSkipReason } from "../support/debian.js";
import { CreateMode, long, type ZkError, ZkSession, type ZkStat } from "../support/node-zookeeper-client.js";
import { startTarget, type Target, targetPackages } from "../support/targets.js";

const skip = debianSkipReason(targetPackages());

interface Id {
  scheme: string;
  id: string;
}
interface Acl {
  permission: number;
  id: Id;
}
interface MultiResult {
  type: number;
  err?: number;
  path?: string;
  stat?: ZkStat;
}
interface AclTransaction {
  create(path: string, data: Buffer | undefined, acls: Acl[], mode: number): AclTransaction;
  setData(path: string, data: Buffer, version: number): AclTransaction;
  check(path: string, version: number): AclTransaction;
  remove(path: string, version: number): AclTransaction;
  commit(callback: (error: ZkError | null, results: MultiResult[]) => void): void;
}
/** The parts of the package's Client the support wrapper does not type: ACLs, auth, full multi. */
interface AclClient {
  addAuthInfo(scheme: string, auth: Buffer): void;
  create(
    path: string,
    data: Buffer | undefined,
    acls: Acl[],
    mode: number,
    callback: (e: ZkError | null, p: string) => void,
  ): void;
  setACL(
    path: string,
    acls: Acl[],
    version: number,
    callback: (e: ZkError | null, stat: ZkStat) => void,
  ): void;
  getACL(path: string, callback: (e: ZkError | null, acls: Acl[], stat: ZkStat) => void): void;
  transaction(): AclTransaction;
  once(event: string, listener: () => void): void;
  close(): void;
}
interface AclModule {
  ACL: (new (
    permission: number,
    id: Id,
  ) => Acl) & {
    OPEN_ACL_UNSAFE: Acl[];
    CREATOR_ALL_ACL: Acl[];
    READ_ACL_UNSAFE: Acl[];
  };
  Id: new (scheme: string, id: string) => Id;
  Permission: { READ: number; WRITE: number; CREATE: number; DELETE: number; ADMIN: number; ALL: number };
}

const { ACL, Id, Permission } = createRequire(import.meta.url)("node-zookeeper-client") as AclModule;

const OK = 0;
const RUNTIMEINCONSISTENCY = -2;
const CONNECTIONLOSS = -4;
const NONODE = -101;
const NOAUTH = -102;
const BADVERSION = -103;
const NODEEXISTS = -110;
const INVALIDACL = -114;

const CREATE = 1;
const DELETE = 2;
const SETDATA = 5;
const CHECK = 13;
const ERROR = -1;

/** The id ZooKeeper's digest scheme derives from "user:password": user:base64(sha1(user:password)). */
function digestId(user: string, password: string): Id {
  const hash = createHash("sha1").update(`${user}:${password}`).digest("base64");
  return new Id("digest", `${user}:${hash}`);
}

function acls(list: Acl[]): Array<[number, string, string]> {
  return list.map((acl) => [acl.permission, acl.id.scheme, acl.id.id]);
}

async function errorCode(request: Promise<unknown>): Promise<number> {
  try {
    await request;
  } catch (error) {
    return (error as ZkError).code;
  }
  return OK;
}

/** Resolves with the promise, or fails after a generous bound so a missing event cannot hang the run. */
function within<T>(promise: Promise<T>, what: string, boundMs = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${boundMs} ms`)), boundMs);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

/** Promise forms of the calls the support wrapper lacks, on one session's underlying client. */
class AclView {
  readonly raw: AclClient;

  constructor(readonly session: ZkSession) {
    this.raw = session.raw as unknown as AclClient;
  }

  addAuth(scheme: string, auth: string): void {
    this.raw.addAuthInfo(scheme, Buffer.from(auth));
  }

  create(path: string, data: Buffer | undefined, list: Acl[], mode = CreateMode.PERSISTENT): Promise<string> {
    return new Promise((resolve, reject) =>
      this.raw.create(path, data, list, mode, (error, created) => (error ? reject(error) : resolve(created))),
    );
  }

  setACL(path: string, list: Acl[], version: number): Promise<ZkStat> {
    return new Promise((resolve, reject) =>
      this.raw.setACL(path, list, version, (error, stat) => (error ? reject(error) : resolve(stat))),
    );
  }

  getACL(path: string): Promise<{ acl: Acl[]; stat: ZkStat }> {
    return new Promise((resolve, reject) =>
      this.raw.getACL(path, (error, acl, stat) => (error ? reject(error) : resolve({ acl, stat }))),
    );
  }

  multi(
    build: (tx: AclTransaction) => AclTransaction,
  ): Promise<{ error: ZkError | null; results: MultiResult[] }> {
    return new Promise((resolve) =>
      build(this.raw.transaction()).commit((error, results) => resolve({ error, results })),
    );
  }
}

describe("node-zookeeper-client transactions and ACLs", { skip }, () => {
  let target: Target;
  let owner: AclView;
  let stranger: AclView;
  const aliceId = digestId("alice", "secret");
  const aliceAll = [new ACL(Permission.ALL, aliceId)];

  before(async () => {
    target = await startTarget();
    owner = new AclView(await ZkSession.connect(target.connectString));
    stranger = new AclView(await ZkSession.connect(target.connectString));
    owner.addAuth("digest", "alice:secret");
  });

  after(async () => {
    await owner?.session.close();
    await stranger?.session.close();
    await target?.stop();
  });

  test("node client transaction creates, sets, checks and removes in one multi with a result per op", async () => {
    const zk = owner.session;
    await zk.create("/tx", Buffer.from("root"));
    await zk.create("/tx/old", Buffer.from("a"));
    await zk.setData("/tx/old", Buffer.from("a1"));
    await zk.create("/tx/gone", undefined);
    await zk.setData("/tx/gone", Buffer.from("g1"));
    const before = await zk.exists("/tx");
    assert.ok(before);

    const { error, results } = await owner.multi((tx) =>
      tx
        .create("/tx/new", Buffer.from("n"), ACL.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)
        .create("/tx/new/child", undefined, ACL.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)
        .create("/tx/seq-", Buffer.from("s"), ACL.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL)
        .setData("/tx/old", Buffer.from("b"), 1)
        .check("/tx/old", 2)
        .remove("/tx/gone", 1),
    );
    assert.equal(error, null);
    assert.deepEqual(
      results.map((result) => [result.type, result.path]),
      [
        [CREATE, "/tx/new"],
        [CREATE, "/tx/new/child"],
        [CREATE, "/tx/seq-0000000003"],
        [SETDATA, undefined],
        [CHECK, undefined],
        [DELETE, undefined],
      ],
    );
    const setStat = results[3]?.stat;
    assert.ok(setStat, "setData in a multi returns the new stat");
    assert.deepEqual([setStat.version, setStat.dataLength], [2, 1]);

    assert.equal((await zk.getData("/tx/old")).data?.toString(), "b");
    assert.equal((await zk.getData("/tx/new")).data?.toString(), "n");
    assert.equal(await zk.exists("/tx/gone"), null);
    const after = await zk.exists("/tx");
    assert.ok(after);
    // Two creates and one delete directly under /tx (the third create is a grandchild).
    assert.equal(after.cversion, before.cversion + 3);
    assert.equal(after.numChildren, before.numChildren + 1);
    const created = await zk.exists("/tx/new/child");
    assert.ok(created);
    assert.equal(long(created.czxid), long(setStat.mzxid), "every op of a multi shares its zxid");
    assert.equal(long(after.pzxid), long(setStat.mzxid));
  });

  test("failing node client transaction applies nothing and reports ok, the error, then runtime inconsistency", async () => {
    const zk = owner.session;
    const before = await zk.exists("/tx");
    assert.ok(before);

    const badVersion = await owner.multi((tx) =>
      tx
        .create("/tx/never", undefined, ACL.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)
        .setData("/tx/old", Buffer.from("c"), 7)
        .remove("/tx/new/child", -1),
    );
    assert.equal(badVersion.error?.code, BADVERSION);
    assert.deepEqual(
      badVersion.results.map((result) => [result.type, result.err]),
      [
        [ERROR, OK],
        [ERROR, BADVERSION],
        [ERROR, RUNTIMEINCONSISTENCY],
      ],
    );

    const noNode = await owner.multi((tx) =>
      tx.check("/tx/missing", -1).create("/tx/never", undefined, ACL.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
    );
    assert.equal(noNode.error?.code, NONODE);
    assert.deepEqual(
      noNode.results.map((result) => result.err),
      [NONODE, RUNTIMEINCONSISTENCY],
    );

    const exists = await owner.multi((tx) =>
      tx.remove("/tx/new/child", -1).create("/tx/new", undefined, ACL.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
    );
    assert.equal(exists.error?.code, NODEEXISTS);
    assert.deepEqual(
      exists.results.map((result) => result.err),
      [OK, NODEEXISTS],
    );

    assert.equal(await zk.exists("/tx/never"), null);
    assert.notEqual(await zk.exists("/tx/new/child"), null, "the delete before the failure was rolled back");
    assert.equal((await zk.getData("/tx/old")).data?.toString(), "b");
    const after = await zk.exists("/tx");
    assert.ok(after);
    assert.deepEqual(
      [after.cversion, after.numChildren, long(after.pzxid)],
      [before.cversion, before.numChildren, long(before.pzxid)],
    );
  });

  test("node client digest ACL admits the session that added the auth and refuses others with NOAUTH", async () => {
    assert.equal(await owner.create("/acl", Buffer.from("secret data"), aliceAll), "/acl");
    const { acl, stat } = await owner.getACL("/acl");
    assert.deepEqual(acls(acl), [[Permission.ALL, "digest", aliceId.id]]);
    assert.equal(stat.aversion, 0);
    assert.equal((await owner.session.getData("/acl")).data?.toString(), "secret data");
    await owner.session.setData("/acl", Buffer.from("still secret"));
    assert.equal(await owner.create("/acl/child", undefined, aliceAll), "/acl/child");

    assert.equal(await errorCode(stranger.session.getData("/acl")), NOAUTH);
    assert.equal(await errorCode(stranger.session.setData("/acl", Buffer.from("x"))), NOAUTH);
    assert.equal(await errorCode(stranger.session.getChildren("/acl")), NOAUTH);
    assert.equal(await errorCode(stranger.session.create("/acl/intruder", undefined)), NOAUTH);
    assert.equal(await errorCode(stranger.session.remove("/acl/child")), NOAUTH);
    assert.equal(await errorCode(stranger.setACL("/acl", ACL.OPEN_ACL_UNSAFE, -1)), NOAUTH);
    assert.equal(await errorCode(stranger.getACL("/acl")), NOAUTH, "getACL needs READ or ADMIN");

    const mallory = new AclView(await ZkSession.connect(target.connectString));
    try {
      mallory.addAuth("digest", "alice:wrong");
      assert.equal(await errorCode(mallory.session.getData("/acl")), NOAUTH);
      mallory.addAuth("digest", "alice:secret");
      assert.equal((await mallory.session.getData("/acl")).data?.toString(), "still secret");
    } finally {
      await mallory.session.close();
    }
  });

  test("node client exists on a node the session may not read: NOAUTH as in ZooKeeper 3.9.2+, the stat in 3.8", async () => {
    // ZOOKEEPER-2590 made exists check READ on an existing node (3.9.2); Paddock follows 3.9,
    // the Debian ZooKeeper the tests compare with is 3.8 and returns the stat.
    if (target.kind === "paddock") {
      assert.equal(
        await errorCode(stranger.session.exists("/acl")),
        NOAUTH,
        "exists on a digest-protected node",
      );
      assert.equal(
        await errorCode(stranger.session.exists("/acl/child")),
        NOAUTH,
        "exists on its protected child",
      );
    } else {
      assert.equal(await errorCode(stranger.session.exists("/acl")), OK, "exists on a digest-protected node");
      assert.equal(
        await errorCode(stranger.session.exists("/acl/child")),
        OK,
        "exists on its protected child",
      );
      const seen = await stranger.session.exists("/acl");
      assert.equal(seen && long(seen.czxid), long((await owner.session.getData("/acl")).stat.czxid));
    }
    assert.equal((await owner.session.exists("/acl")) !== null, true, "the owner may read it");
    assert.equal(await stranger.session.exists("/acl/none"), null);
  });

  test("node client CREATOR_ALL_ACL takes the creator's digest id, and is invalid without auth", async () => {
    await owner.create("/acl/creator", undefined, ACL.CREATOR_ALL_ACL);
    assert.deepEqual(acls((await owner.getACL("/acl/creator")).acl), [
      [Permission.ALL, "digest", aliceId.id],
    ]);
    await stranger.session.create("/open", undefined);
    assert.equal(
      await errorCode(stranger.create("/open/creator", undefined, ACL.CREATOR_ALL_ACL)),
      INVALIDACL,
    );
    assert.equal(
      await errorCode(
        stranger.create("/open/bogus", undefined, [new ACL(Permission.ALL, new Id("bogus", "x"))]),
      ),
      INVALIDACL,
    );
    assert.equal(await stranger.session.exists("/open/creator"), null);
    assert.deepEqual(acls((await stranger.getACL("/open")).acl), [[Permission.ALL, "world", "anyone"]]);
  });

  test("node client mixed ACL lets anyone read but only the digest owner write, create and delete", async () => {
    await owner.create("/mixed", Buffer.from("public"), [
      new ACL(Permission.READ, new Id("world", "anyone")),
      ...aliceAll,
    ]);
    await owner.create("/mixed/kid", undefined, ACL.OPEN_ACL_UNSAFE);
    assert.equal((await stranger.session.getData("/mixed")).data?.toString(), "public");
    assert.deepEqual((await stranger.session.getChildren("/mixed")).children, ["kid"]);
    assert.equal(await errorCode(stranger.session.setData("/mixed", Buffer.from("x"))), NOAUTH);
    assert.equal(await errorCode(stranger.session.create("/mixed/new", undefined)), NOAUTH);
    assert.equal(
      await errorCode(stranger.session.remove("/mixed/kid")),
      NOAUTH,
      "delete needs DELETE on the parent",
    );
    await stranger.session.setData("/mixed/kid", Buffer.from("the child's own ACL is open"));
    await owner.session.remove("/mixed/kid");
  });

  test("node client ip ACL admits loopback clients and refuses an address they do not have", async () => {
    await stranger.create("/ip-open", Buffer.from("lo"), [
      new ACL(Permission.ALL, new Id("ip", "127.0.0.1")),
    ]);
    await stranger.create("/ip-closed", Buffer.from("no"), [
      new ACL(Permission.ALL, new Id("ip", "10.9.9.9")),
    ]);
    assert.equal((await stranger.session.getData("/ip-open")).data?.toString(), "lo");
    assert.equal(await errorCode(stranger.session.getData("/ip-closed")), NOAUTH);
    assert.equal(await errorCode(owner.session.getData("/ip-closed")), NOAUTH);
  });

  test("node client setACL bumps aversion only, and a stale ACL version fails with BADVERSION", async () => {
    await owner.create("/versioned", Buffer.from("v"), aliceAll);
    const first = await owner.setACL("/versioned", [new ACL(Permission.READ | Permission.ADMIN, aliceId)], 0);
    assert.deepEqual([first.aversion, first.version, first.cversion], [1, 0, 0]);
    assert.equal(await errorCode(owner.setACL("/versioned", aliceAll, 0)), BADVERSION);
    assert.equal(await errorCode(owner.setACL("/versioned", aliceAll, 5)), BADVERSION);
    assert.equal(
      await errorCode(owner.session.setData("/versioned", Buffer.from("w"))),
      NOAUTH,
      "WRITE was taken away",
    );
    const { acl, stat } = await owner.getACL("/versioned");
    assert.deepEqual(acls(acl), [[Permission.READ | Permission.ADMIN, "digest", aliceId.id]]);
    assert.equal(stat.aversion, 1);
    const second = await owner.setACL("/versioned", aliceAll, -1);
    assert.equal(second.aversion, 2);
    const written = await owner.session.setData("/versioned", Buffer.from("w"), 0);
    assert.deepEqual([written.version, written.aversion], [1, 2], "setData leaves aversion alone");
    assert.equal(await errorCode(owner.setACL("/missing", aliceAll, -1)), NONODE);
    assert.equal(await errorCode(stranger.setACL("/versioned", ACL.OPEN_ACL_UNSAFE, 2)), NOAUTH);
  });

  test("node client transaction on a protected node fails for another session with NOAUTH per op", async () => {
    const denied = await stranger.multi((tx) =>
      tx
        .create("/open/fine", undefined, ACL.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)
        .setData("/acl", Buffer.from("x"), -1),
    );
    assert.equal(denied.error?.code, NOAUTH);
    assert.deepEqual(
      denied.results.map((result) => result.err),
      [OK, NOAUTH],
    );
    const unreadable = await stranger.multi((tx) => tx.check("/acl", -1));
    assert.equal(unreadable.error?.code, NOAUTH, "a check op needs READ");
    assert.equal(await stranger.session.exists("/open/fine"), null);

    const allowed = await owner.multi((tx) =>
      tx
        .create("/acl/tx", Buffer.from("t"), aliceAll, CreateMode.PERSISTENT)
        .setData("/acl", Buffer.from("by multi"), -1),
    );
    assert.equal(allowed.error, null);
    assert.deepEqual(acls((await owner.getACL("/acl/tx")).acl), [[Permission.ALL, "digest", aliceId.id]]);
    assert.equal((await owner.session.getData("/acl")).data?.toString(), "by multi");
  });

  test("node client keeps its digest auth across a reconnect of the same session", async () => {
    await owner.session.dropConnection();
    assert.equal((await owner.session.getData("/acl")).data?.toString(), "by multi");
  });

  test("node client adding auth with an unknown scheme fails the session with AUTH_FAILED", async () => {
    const doomed = new AclView(await ZkSession.connect(target.connectString));
    const failed = new Promise<void>((resolve) => doomed.raw.once("authenticationFailed", resolve));
    const disconnected = new Promise<void>((resolve) => doomed.raw.once("disconnected", resolve));
    doomed.addAuth("no-such-scheme", "whatever");
    await within(failed, "authenticationFailed event");
    await within(disconnected, "disconnected event");
    assert.equal(
      await errorCode(doomed.session.getData("/open")),
      CONNECTIONLOSS,
      "the client gave up the session",
    );
    doomed.raw.close();
  });
});
