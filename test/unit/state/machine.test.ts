// Proves StateMachine.apply and the reads reproduce ZooKeeper's observable behaviour for single ops:
// the error precedence of each check (§7.2, 7.3, 7.6, 7.7), Stat arithmetic (§3.2), sequence
// numbering, system-node protection, sessions and their ephemerals, and the triggers each change fires.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { digestOf } from "../../../src/data/acl.js";
import { CreateFlag, Err, EventType, Perms, TTL_MAX_MS } from "../../../src/protocol/constants.js";
import { type ACL, type Id, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from "../../../src/protocol/data.js";
import { StateMachine, sequenceSuffix } from "../../../src/state/machine.js";
import { Harness, IP_ID } from "./harness.js";

const err = Harness.err;
const created = Harness.path;
const acl = (perms: number, scheme: string, id: string): ACL => ({ perms, id: { scheme, id } });
const ALICE: Id = { scheme: "digest", id: digestOf("alice", "secret") };
const SUPER: Id = { scheme: "super", id: "" };

describe("create: validation order", () => {
  test("unknown flags are BADARGUMENTS", () => {
    assert.equal(err(new Harness().create("/a", { flags: 9 })), Err.BADARGUMENTS);
  });

  test("a TTL mode without extended types is UNIMPLEMENTED, even with a bad TTL", () => {
    const h = new Harness();
    assert.equal(
      err(h.create("/a", { opcode: 21, flags: CreateFlag.PERSISTENT_WITH_TTL, ttl: 1000n })),
      Err.UNIMPLEMENTED,
    );
    assert.equal(
      err(h.create("/a", { opcode: 21, flags: CreateFlag.PERSISTENT_WITH_TTL, ttl: 0n })),
      Err.UNIMPLEMENTED,
    );
  });

  test("TTL must be in 1..0xFFFFFFFFFF for TTL modes and absent for the others", () => {
    const h = new Harness({ extendedTypesEnabled: true });
    const ttlMode = { opcode: 21, flags: CreateFlag.PERSISTENT_WITH_TTL } as const;
    assert.equal(err(h.create("/a", { ...ttlMode, ttl: 0n })), Err.BADARGUMENTS);
    assert.equal(err(h.create("/a", { ...ttlMode, ttl: TTL_MAX_MS + 1n })), Err.BADARGUMENTS);
    assert.equal(err(h.create("/a", { opcode: 1, flags: CreateFlag.PERSISTENT_WITH_TTL })), Err.BADARGUMENTS);
    assert.equal(
      err(h.create("/a", { opcode: 21, flags: CreateFlag.PERSISTENT, ttl: 5n })),
      Err.BADARGUMENTS,
    );
    assert.equal(
      err(h.create("/a", { opcode: 21, flags: CreateFlag.PERSISTENT, ttl: -1n })),
      Err.BADARGUMENTS,
    );
    assert.equal(err(h.create("/a", { ...ttlMode, ttl: TTL_MAX_MS })), 0);
  });

  test("an ephemeral create for a session the machine does not know is SESSIONEXPIRED", () => {
    const h = new Harness();
    assert.equal(err(h.create("/e", { flags: CreateFlag.EPHEMERAL, session: 42n })), Err.SESSIONEXPIRED);
    h.createSession(42n);
    assert.equal(err(h.create("/e", { flags: CreateFlag.EPHEMERAL, session: 42n })), 0);
  });

  test("a path without '/' or with NUL is BADARGUMENTS before the ACL is looked at", () => {
    const h = new Harness();
    assert.equal(err(h.create("a", { acl: [] })), Err.BADARGUMENTS);
    assert.equal(err(h.create("/a\u0000", { acl: [] })), Err.BADARGUMENTS);
  });

  test("an invalid ACL is INVALIDACL even when the parent is missing", () => {
    const h = new Harness();
    assert.equal(err(h.create("/missing/x", { acl: [] })), Err.INVALIDACL);
    assert.equal(err(h.create("/missing/x", { acl: null })), Err.INVALIDACL);
    assert.equal(err(h.create("/missing/x", { acl: [acl(31, "auth", "")] })), Err.INVALIDACL);
  });

  test("a missing parent is NONODE, so '/bad/' is NONODE while /bad does not exist and BADARGUMENTS after", () => {
    const h = new Harness();
    assert.equal(err(h.create("/bad/")), Err.NONODE);
    h.create("/bad");
    assert.equal(err(h.create("/bad/")), Err.BADARGUMENTS);
  });

  test("without CREATE on the parent the create is NOAUTH, checked before NODEEXISTS", () => {
    const h = new Harness();
    h.create("/p", { acl: [acl(Perms.READ | Perms.DELETE, "world", "anyone")] });
    assert.equal(err(h.create("/p/c")), Err.NOAUTH);
    assert.equal(err(h.create("/p/c", { auth: [IP_ID, SUPER] })), 0);
    assert.equal(err(h.create("/p/c")), Err.NOAUTH);
  });

  test("an existing path is NODEEXISTS, and creating the root is NODEEXISTS", () => {
    const h = new Harness();
    h.create("/a");
    assert.equal(err(h.create("/a")), Err.NODEEXISTS);
    assert.equal(err(h.create("/")), Err.NODEEXISTS);
  });

  test("a child of a normal ephemeral is NOCHILDRENFOREPHEMERALS; containers and TTL nodes may have children", () => {
    const h = new Harness({ extendedTypesEnabled: true });
    h.createSession(1n);
    h.create("/e", { flags: CreateFlag.EPHEMERAL });
    assert.equal(err(h.create("/e/c")), Err.NOCHILDRENFOREPHEMERALS);
    h.create("/c", { opcode: 19, flags: CreateFlag.CONTAINER });
    assert.equal(err(h.create("/c/x")), 0);
    h.create("/t", { opcode: 21, flags: CreateFlag.PERSISTENT_WITH_TTL, ttl: 100n });
    assert.equal(err(h.create("/t/x")), 0);
  });

  test("nodes may be created under /zookeeper", () => {
    assert.equal(err(new Harness().create("/zookeeper/x")), 0);
  });
});

describe("create: effects", () => {
  test("the new node's Stat has the entry's zxid and time, versions 0 and the data length", () => {
    const h = new Harness();
    const o = h.create("/app", { data: Buffer.from("hello") });
    assert.equal(o.result.kind, "create");
    if (o.result.kind !== "create") return;
    assert.deepEqual(o.result.stat, {
      czxid: h.zxid,
      mzxid: h.zxid,
      ctime: h.timeMs,
      mtime: h.timeMs,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: 0n,
      dataLength: 5,
      numChildren: 0,
      pzxid: h.zxid,
    });
  });

  test("null data reads back as null and empty data as an empty buffer", () => {
    const h = new Harness();
    h.create("/n", { data: null });
    h.create("/e", { data: Buffer.alloc(0) });
    const n = h.m.getData("/n", [IP_ID]);
    const e = h.m.getData("/e", [IP_ID]);
    assert.ok(n.kind === "ok" && e.kind === "ok");
    assert.equal(n.data, null);
    assert.deepEqual(e.data, Buffer.alloc(0));
    assert.equal(n.stat.dataLength, 0);
  });

  test("4 creates and 1 delete under a node with 3 children left show cversion 5 (live 3.8.0)", () => {
    const h = new Harness();
    h.create("/q");
    const paths = [0, 1, 2].map(() =>
      created(h.create("/q/q-", { flags: CreateFlag.PERSISTENT_SEQUENTIAL })),
    );
    h.delete(paths[1]!);
    h.create("/q/q-", { flags: CreateFlag.PERSISTENT_SEQUENTIAL });
    const stat = h.m.statOf("/q")!;
    assert.equal(stat.numChildren, 3);
    assert.equal(stat.cversion, 5);
    assert.equal(stat.pzxid, h.zxid);
  });

  test("9 creates under the root leave 10 children and a visible root cversion of 8 (live 3.8.0)", () => {
    const h = new Harness();
    for (let i = 0; i < 9; i++) h.create(`/n${i}`);
    const stat = h.m.statOf("/")!;
    assert.equal(stat.numChildren, 10);
    assert.equal(stat.cversion, 8);
  });

  test("sequence numbers come from stored creations and are not reused after a delete", () => {
    const h = new Harness();
    h.create("/q");
    assert.equal(created(h.create("/q/q-", { flags: 2 })), "/q/q-0000000000");
    assert.equal(created(h.create("/q/q-", { flags: 2 })), "/q/q-0000000001");
    h.create("/q/plain");
    assert.equal(created(h.create("/q/q-", { flags: 2 })), "/q/q-0000000003");
    h.delete("/q/q-0000000003");
    h.delete("/q/q-0000000001");
    assert.equal(created(h.create("/q/q-", { flags: 2 })), "/q/q-0000000004");
  });

  test("a sequential create of '/a/' appends the number as a whole child name", () => {
    const h = new Harness();
    h.create("/a");
    assert.equal(created(h.create("/a/", { flags: 2 })), "/a/0000000000");
    assert.equal(created(h.create("/a/", { flags: 2 })), "/a/0000000001");
  });

  test("the sequence suffix is a signed 32-bit counter that wraps to -2147483648", () => {
    assert.equal(sequenceSuffix(0), "0000000000");
    assert.equal(sequenceSuffix(2147483647), "2147483647");
    assert.equal(sequenceSuffix(-2147483648), "-2147483648");
    assert.equal(sequenceSuffix(-5), "-000000005");
    const h = new Harness();
    h.create("/q");
    const q = h.m.tree.get("/q")!;
    h.m.tree.setChildCounters(q, 2147483647, h.zxid);
    assert.equal(created(h.create("/q/s", { flags: 2 })), "/q/s2147483647");
    assert.equal(created(h.create("/q/s", { flags: 2 })), "/q/s-2147483648");
  });

  test("container and TTL nodes store their markers but show ephemeralOwner 0", () => {
    const h = new Harness({ extendedTypesEnabled: true });
    const c = h.create("/c", { opcode: 19, flags: CreateFlag.CONTAINER });
    const t = h.create("/t", { opcode: 21, flags: CreateFlag.PERSISTENT_SEQUENTIAL_WITH_TTL, ttl: 60000n });
    assert.ok(c.result.kind === "create" && t.result.kind === "create");
    assert.equal(c.result.stat.ephemeralOwner, 0n);
    assert.equal(t.result.stat.ephemeralOwner, 0n);
    assert.equal(t.result.path, "/t0000000001");
    assert.deepEqual([...h.m.tree.containers()], ["/c"]);
    assert.deepEqual([...h.m.tree.ttls()], ["/t0000000001"]);
    assert.equal(h.m.tree.ttlOf(h.m.tree.get("/t0000000001")!), 60000n);
  });

  test("an ephemeral shows its owner and is listed for its session", () => {
    const h = new Harness();
    h.createSession(0x100n);
    const o = h.create("/e", { flags: CreateFlag.EPHEMERAL, session: 0x100n });
    assert.ok(o.result.kind === "create");
    assert.equal(o.result.stat.ephemeralOwner, 0x100n);
    assert.deepEqual([...h.m.sessions().get(0x100n)!.ephemerals], ["/e"]);
    assert.equal(h.m.ephemeralsCount, 1);
  });

  test("an 'auth' ACL is stored as the session's digest identities", () => {
    const h = new Harness();
    h.create("/s", { acl: [acl(Perms.ALL, "auth", "")], auth: [IP_ID, ALICE] });
    const r = h.m.getACL("/s", [ALICE]);
    assert.ok(r.kind === "ok");
    assert.deepEqual(r.acl, [{ perms: Perms.ALL, id: ALICE }]);
  });

  test("create fires NodeCreated on the path then NodeChildrenChanged on the parent, with their ACLs", () => {
    const h = new Harness();
    h.create("/p", { acl: READ_ACL_UNSAFE.map((a) => ({ ...a, perms: Perms.ALL })) });
    const o = h.create("/p/c", { acl: [acl(Perms.READ, "ip", "10.0.0.0/8")] });
    assert.deepEqual(
      o.triggers.map((t) => [t.type, t.path, t.acl]),
      [
        [EventType.NodeCreated, "/p/c", [acl(Perms.READ, "ip", "10.0.0.0/8")]],
        [EventType.NodeChildrenChanged, "/p", [acl(Perms.ALL, "world", "anyone")]],
      ],
    );
    assert.deepEqual(
      h.create("/top").triggers.map((t) => t.path),
      ["/top", "/"],
      "a top-level node's parent event is on /",
    );
  });

  test("a failed create fires nothing and changes nothing but lastZxid", () => {
    const h = new Harness();
    h.create("/a");
    const before = h.m.digest();
    const o = h.create("/a");
    assert.deepEqual(o, { result: { kind: "error", err: Err.NODEEXISTS }, triggers: [] });
    assert.equal(h.m.digest(), before);
    assert.equal(h.m.lastZxid, h.zxid);
  });
});

describe("delete", () => {
  test("the four system nodes and paths without '/' are BADARGUMENTS", () => {
    const h = new Harness({ skipACL: true });
    for (const p of ["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config", "x", "/a\u0000"]) {
      assert.equal(err(h.delete(p)), Err.BADARGUMENTS, p);
    }
  });

  test("checks run parent NONODE, parent DELETE, node NONODE, version, then NOTEMPTY", () => {
    const h = new Harness();
    assert.equal(err(h.delete("/x/y")), Err.NONODE);
    h.create("/locked", { acl: [acl(Perms.ALL & ~Perms.DELETE, "world", "anyone")] });
    assert.equal(err(h.delete("/locked/missing")), Err.NOAUTH, "ACL before existence");
    assert.equal(err(h.delete("/missing")), Err.NONODE);
    h.create("/a");
    h.create("/a/b");
    assert.equal(err(h.delete("/a", 3)), Err.BADVERSION, "version before emptiness");
    assert.equal(err(h.delete("/a", 0)), Err.NOTEMPTY);
    assert.equal(err(h.delete("/a/b", 0)), 0);
    assert.equal(err(h.delete("/a")), 0);
  });

  test("delete raises the parent's pzxid, leaves stored cversion and fires NodeDeleted then NodeChildrenChanged", () => {
    const h = new Harness();
    h.create("/p");
    h.create("/p/c");
    const o = h.delete("/p/c");
    assert.deepEqual(
      o.triggers.map((t) => [t.type, t.path]),
      [
        [EventType.NodeDeleted, "/p/c"],
        [EventType.NodeChildrenChanged, "/p"],
      ],
    );
    const stat = h.m.statOf("/p")!;
    assert.equal(stat.pzxid, h.zxid);
    assert.equal(stat.cversion, 2, "one creation plus one deletion");
    assert.equal(h.m.tree.storedCversion(h.m.tree.get("/p")!), 1);
  });
});

describe("setData", () => {
  test("checks run path, NONODE, WRITE, then version", () => {
    const h = new Harness();
    assert.equal(err(h.setData("/a/", null)), Err.BADARGUMENTS);
    assert.equal(err(h.setData("/missing", null, 7)), Err.NONODE);
    h.create("/ro", { acl: READ_ACL_UNSAFE });
    assert.equal(err(h.setData("/ro", null, 7)), Err.NOAUTH);
    h.create("/a");
    assert.equal(err(h.setData("/a", null, 7)), Err.BADVERSION);
  });

  test("setData bumps version, sets mzxid and mtime, keeps czxid and fires NodeDataChanged", () => {
    const h = new Harness();
    h.create("/a", { data: Buffer.from("1") });
    const czxid = h.zxid;
    h.timeMs += 5000n;
    const o = h.setData("/a", Buffer.from("22"), 0);
    assert.ok(o.result.kind === "setData");
    assert.equal(o.result.stat.version, 1);
    assert.equal(o.result.stat.mzxid, h.zxid);
    assert.equal(o.result.stat.czxid, czxid);
    assert.equal(o.result.stat.mtime, h.timeMs);
    assert.equal(o.result.stat.dataLength, 2);
    assert.deepEqual(
      o.triggers.map((t) => [t.type, t.path]),
      [[EventType.NodeDataChanged, "/a"]],
    );
    assert.equal(h.m.approximateDataSize, 44 + 2 + 2);
  });
});

describe("setACL and getACL", () => {
  test("an invalid ACL is INVALIDACL before NONODE; ADMIN is required; version is the aversion", () => {
    const h = new Harness();
    assert.equal(err(h.setACL("/missing", [])), Err.INVALIDACL);
    assert.equal(err(h.setACL("/missing", OPEN_ACL_UNSAFE)), Err.NONODE);
    h.create("/a", { acl: [acl(Perms.ALL & ~Perms.ADMIN, "world", "anyone")] });
    assert.equal(err(h.setACL("/a", OPEN_ACL_UNSAFE)), Err.NOAUTH);
    h.create("/b");
    assert.equal(err(h.setACL("/b", READ_ACL_UNSAFE, 1)), Err.BADVERSION);
    const o = h.setACL("/b", READ_ACL_UNSAFE, 0);
    assert.ok(o.result.kind === "setACL");
    assert.equal(o.result.stat.aversion, 1);
    assert.deepEqual(o.triggers, [], "setACL fires nothing");
  });

  test("/zookeeper/config starts at aversion -1 and a super user may change it", () => {
    const h = new Harness();
    assert.equal(err(h.setACL("/zookeeper/config", OPEN_ACL_UNSAFE)), Err.NOAUTH);
    const o = h.setACL("/zookeeper/config", OPEN_ACL_UNSAFE, -1, { auth: [SUPER] });
    assert.ok(o.result.kind === "setACL");
    assert.equal(o.result.stat.aversion, 0);
  });

  test("getACL needs READ or ADMIN and masks digests for callers without ADMIN", () => {
    const h = new Harness();
    const list = [acl(Perms.ALL, "digest", ALICE.id), acl(Perms.READ, "ip", "127.0.0.1")];
    h.create("/s", { acl: list });
    const asIp = h.m.getACL("/s", [IP_ID]);
    assert.ok(asIp.kind === "ok");
    assert.deepEqual(asIp.acl, [acl(Perms.ALL, "digest", "alice:x"), acl(Perms.READ, "ip", "127.0.0.1")]);
    const asAlice = h.m.getACL("/s", [ALICE]);
    assert.ok(asAlice.kind === "ok");
    assert.deepEqual(asAlice.acl, list);
    assert.equal(h.m.getACL("/s", [{ scheme: "ip", id: "10.0.0.1" }]).err, Err.NOAUTH);
    assert.equal(h.m.getACL("/missing", [IP_ID]).err, Err.NONODE);
  });
});

describe("reads", () => {
  test("exists: NUL is BADARGUMENTS, a missing node NONODE, an unreadable node NOAUTH", () => {
    const h = new Harness();
    h.create("/secret", { acl: [acl(Perms.ALL, "digest", ALICE.id)] });
    assert.equal(h.m.exists("/a\u0000", [IP_ID]).err, Err.BADARGUMENTS);
    assert.equal(h.m.exists("/missing", [IP_ID]).err, Err.NONODE);
    assert.equal(h.m.exists("/secret", [IP_ID]).err, Err.NOAUTH);
    assert.equal(h.m.exists("/secret", [ALICE]).err, 0);
  });

  test("getData and getChildren need READ; bad read paths are simply NONODE", () => {
    const h = new Harness();
    h.create("/secret", { acl: [acl(Perms.ALL, "digest", ALICE.id)] });
    assert.equal(h.m.getData("/secret", [IP_ID]).err, Err.NOAUTH);
    assert.equal(h.m.getChildren("/secret", [IP_ID]).err, Err.NOAUTH);
    assert.equal(h.m.getData("/bad/", [IP_ID]).err, Err.NONODE);
    const root = h.m.getChildren("/", [IP_ID]);
    assert.ok(root.kind === "ok");
    assert.deepEqual(root.children.sort(), ["secret", "zookeeper"]);
  });

  test("getAllChildrenNumber counts descendants; the root's count includes the three system nodes", () => {
    const h = new Harness();
    const total = (p: string) => {
      const r = h.m.getAllChildrenNumber(p, [IP_ID]);
      return r.kind === "ok" ? r.totalNumber : r.err;
    };
    assert.equal(total("/"), 3);
    h.create("/a");
    h.create("/a/b");
    h.create("/a/b/c");
    assert.equal(total("/a"), 2);
    assert.equal(total("/"), 6);
    assert.equal(total("/missing"), Err.NONODE);
  });

  test("getEphemerals returns the session's ephemerals filtered by a plain string prefix", () => {
    const h = new Harness();
    h.createSession(9n);
    for (const p of ["/app", "/apple", "/b"]) h.create(p, { flags: CreateFlag.EPHEMERAL, session: 9n });
    assert.deepEqual(h.m.getEphemerals(9n, "/app").sort(), ["/app", "/apple"]);
    assert.deepEqual(h.m.getEphemerals(9n, " / ").sort(), ["/app", "/apple", "/b"]);
    assert.deepEqual(h.m.getEphemerals(9n, null).length, 3);
    assert.deepEqual(h.m.getEphemerals(9n, ""), h.m.getEphemerals(9n, "/"));
    assert.deepEqual(h.m.getEphemerals(8n, "/"), []);
  });

  test("skipACL lets every identity read and write everything", () => {
    const h = new Harness({ skipACL: true });
    h.create("/s", { acl: [acl(Perms.ALL, "digest", ALICE.id)] });
    assert.equal(h.m.getData("/s", []).err, 0);
    assert.equal(err(h.setData("/s", null, -1, { auth: [] })), 0);
    assert.equal(err(h.create("/zookeeper/config/x", { auth: [] })), 0);
  });
});

describe("sessions", () => {
  test("closeSession deletes the session's ephemerals with their triggers and forgets the session", () => {
    const h = new Harness();
    h.createSession(5n, 4000);
    assert.equal(h.m.sessions().get(5n)?.timeoutMs, 4000);
    h.create("/p");
    h.create("/p/e1", { flags: CreateFlag.EPHEMERAL, session: 5n });
    h.create("/e2", { flags: CreateFlag.EPHEMERAL_SEQUENTIAL, session: 5n });
    h.createSession(6n);
    h.create("/other", { flags: CreateFlag.EPHEMERAL, session: 6n });
    const o = h.closeSession(5n);
    assert.deepEqual(o.result, { err: 0, kind: "session" });
    assert.deepEqual(
      o.triggers.map((t) => [t.type, t.path]),
      [
        [EventType.NodeDeleted, "/p/e1"],
        [EventType.NodeChildrenChanged, "/p"],
        [EventType.NodeDeleted, "/e20000000001"],
        [EventType.NodeChildrenChanged, "/"],
      ],
    );
    assert.equal(h.m.statOf("/p")!.pzxid, h.zxid);
    assert.equal(h.m.sessions().has(5n), false);
    assert.equal(h.m.ephemeralsCount, 1);
    assert.equal(err(h.create("/again", { flags: CreateFlag.EPHEMERAL, session: 5n })), Err.SESSIONEXPIRED);
  });

  test("session ids are the same key whether given signed or unsigned", () => {
    const h = new Harness();
    const unsigned = 0x8100000000000001n;
    h.createSession(unsigned);
    assert.equal(
      err(h.create("/e", { flags: CreateFlag.EPHEMERAL, session: BigInt.asIntN(64, unsigned) })),
      0,
    );
    assert.deepEqual(h.m.getEphemerals(unsigned, "/"), ["/e"]);
    assert.equal(h.m.sessions().has(BigInt.asIntN(64, unsigned)), true);
  });

  test("closing an unknown session succeeds and changes nothing", () => {
    const h = new Harness();
    const before = h.m.digest();
    assert.deepEqual(h.closeSession(77n), { result: { err: 0, kind: "session" }, triggers: [] });
    assert.equal(h.m.digest(), before);
  });
});

describe("deleteContainer", () => {
  test("deletes an empty container without an ACL check, refusing children and normal ephemerals", () => {
    const h = new Harness();
    h.createSession(1n);
    h.create("/c", { opcode: 19, flags: CreateFlag.CONTAINER, acl: READ_ACL_UNSAFE });
    h.create("/c/x", { auth: [SUPER] });
    h.create("/e", { flags: CreateFlag.EPHEMERAL });
    const del = (path: string) => h.apply({ kind: "deleteContainer", path }, { session: 0n, auth: [] });
    assert.equal(err(del("/c")), Err.NOTEMPTY);
    assert.equal(err(del("/e")), Err.BADVERSION);
    assert.equal(err(del("/missing")), Err.NONODE);
    assert.equal(err(del("/zookeeper")), Err.BADARGUMENTS);
    h.delete("/c/x", -1, { auth: [SUPER] });
    const o = del("/c");
    assert.deepEqual(o.result, { err: 0, kind: "delete" });
    assert.equal(o.triggers[0]?.type, EventType.NodeDeleted);
    assert.equal(h.m.tree.containers().size, 0);
  });
});

describe("zxids", () => {
  test("lastZxid follows every applied entry and a zxid that does not increase is refused", () => {
    const m = new StateMachine();
    m.apply({ zxid: 5n, timeMs: 0n, sessionId: 1n, authIds: [], txn: { kind: "closeSession" } });
    assert.equal(m.lastZxid, 5n);
    assert.throws(() =>
      m.apply({ zxid: 5n, timeMs: 0n, sessionId: 1n, authIds: [], txn: { kind: "closeSession" } }),
    );
  });
});
