// Proves the /zookeeper subtree looks and is protected as on a standalone ZooKeeper 3.9: /zookeeper/config
// is empty, world-readable only, aversion -1, so writes to it are NOAUTH (ACL, not a special rule) unless
// super or skipACL; the four system nodes cannot be deleted (BADARGUMENTS); /zookeeper/quota is open.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Err } from "../../../src/protocol/constants.js";
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from "../../../src/protocol/data.js";
import { Harness } from "./harness.js";

const err = Harness.err;
const SUPER = { auth: [{ scheme: "super", id: "" }] };

describe("/zookeeper/config", () => {
  test("is empty, world READ only, at aversion -1 with zero zxids", () => {
    const h = new Harness();
    const r = h.m.getData("/zookeeper/config", []);
    assert.ok(r.kind === "ok");
    assert.equal(r.data?.length, 0);
    assert.deepEqual([r.stat.czxid, r.stat.mzxid, r.stat.version, r.stat.aversion], [0n, 0n, 0, -1]);
    const acl = h.m.getACL("/zookeeper/config", []);
    assert.ok(acl.kind === "ok");
    assert.deepEqual(acl.acl, READ_ACL_UNSAFE);
  });

  test("create under it, setData and setACL on it are NOAUTH; deleting it is BADARGUMENTS", () => {
    const h = new Harness();
    assert.equal(err(h.create("/zookeeper/config/x")), Err.NOAUTH);
    assert.equal(err(h.setData("/zookeeper/config", Buffer.from("server.1=x"))), Err.NOAUTH);
    assert.equal(err(h.setACL("/zookeeper/config", OPEN_ACL_UNSAFE)), Err.NOAUTH);
    assert.equal(err(h.delete("/zookeeper/config")), Err.BADARGUMENTS);
    assert.equal(err(h.delete("/zookeeper/config", -1, SUPER)), Err.BADARGUMENTS);
  });

  test("super and skipACL pass the ACL, as in ZooKeeper", () => {
    const h = new Harness();
    assert.equal(err(h.setData("/zookeeper/config", Buffer.from("v"), -1, SUPER)), 0);
    assert.equal(err(new Harness({ skipACL: true }).create("/zookeeper/config/x")), 0);
  });
});

describe("/zookeeper/quota", () => {
  test("is open to anyone for creates and setData but cannot be deleted", () => {
    const h = new Harness();
    assert.equal(err(h.create("/zookeeper/quota/a")), 0);
    assert.equal(err(h.setData("/zookeeper/quota", Buffer.from("x"))), 0);
    assert.equal(err(h.delete("/zookeeper/quota")), Err.BADARGUMENTS);
    assert.equal(err(h.delete("/zookeeper")), Err.BADARGUMENTS);
    assert.equal(err(h.delete("/zookeeper/quota/a")), 0);
  });
});
