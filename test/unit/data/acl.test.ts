// Proves ACL evaluation follows ZooKeeper's checkACL and fixupACL: world/ip (with CIDR, IPv4 and IPv6)/
// digest matching, the super bypass, empty-ACL openness, `auth` expansion and per-scheme id validation.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  checkPerm,
  digestOf,
  fixupACL,
  generateDigest,
  ipMatches,
  maskDigests,
  parseIpAddress,
} from "../../../src/data/acl.js";
import { Perms } from "../../../src/protocol/constants.js";
import type { ACL, Id } from "../../../src/protocol/data.js";

const acl = (perms: number, scheme: string, id: string): ACL => ({ perms, id: { scheme, id } });
const ip = (addr: string): Id => ({ scheme: "ip", id: addr });

describe("digest ids", () => {
  test("alice:secret hashes to the id a live ZooKeeper produced", () => {
    assert.equal(digestOf("alice", "secret"), "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=");
    assert.equal(generateDigest("alice:secret"), "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=");
  });

  test("generateDigest takes the user up to the first colon and hashes the whole auth string", () => {
    assert.equal(generateDigest("a:b:c"), `a:${digestOf("a", "b:c").split(":")[1]}`);
  });
});

describe("checkPerm", () => {
  test("an empty ACL allows every permission to anyone", () => {
    assert.equal(checkPerm([], Perms.ADMIN, []), true);
  });

  test("world:anyone grants only the bits it lists", () => {
    const a = [acl(Perms.READ, "world", "anyone")];
    assert.equal(checkPerm(a, Perms.READ, []), true);
    assert.equal(checkPerm(a, Perms.WRITE, []), false);
    assert.equal(checkPerm(a, Perms.READ | Perms.ADMIN, []), true, "any requested bit suffices");
  });

  test("a super identity bypasses a non-empty ACL", () => {
    const a = [acl(Perms.READ, "digest", "bob:x")];
    assert.equal(checkPerm(a, Perms.ADMIN, [{ scheme: "super", id: "" }]), true);
  });

  test("digest matches only the exact id and only for the same scheme", () => {
    const id = digestOf("alice", "secret");
    const a = [acl(Perms.ALL, "digest", id)];
    assert.equal(checkPerm(a, Perms.WRITE, [{ scheme: "digest", id }]), true);
    assert.equal(checkPerm(a, Perms.WRITE, [{ scheme: "digest", id: digestOf("alice", "wrong") }]), false);
    assert.equal(checkPerm(a, Perms.WRITE, [{ scheme: "sasl", id }]), false);
  });

  test("ip ACLs match exact addresses and CIDR ranges for IPv4 and IPv6", () => {
    assert.equal(checkPerm([acl(Perms.READ, "ip", "127.0.0.1")], Perms.READ, [ip("127.0.0.1")]), true);
    assert.equal(checkPerm([acl(Perms.READ, "ip", "127.0.0.1")], Perms.READ, [ip("127.0.0.2")]), false);
    assert.equal(checkPerm([acl(Perms.READ, "ip", "10.0.0.0/8")], Perms.READ, [ip("10.200.3.4")]), true);
    assert.equal(checkPerm([acl(Perms.READ, "ip", "10.0.0.0/8")], Perms.READ, [ip("11.0.0.1")]), false);
    assert.equal(checkPerm([acl(Perms.READ, "ip", "fe80::/10")], Perms.READ, [ip("fe80::1")]), true);
    assert.equal(checkPerm([acl(Perms.READ, "ip", "fe80::/10")], Perms.READ, [ip("fec0::1")]), false);
  });

  test("an unknown scheme in a stored ACL never matches", () => {
    assert.equal(
      checkPerm([acl(Perms.ALL, "kerberos", "CN=a")], Perms.READ, [{ scheme: "kerberos", id: "CN=a" }]),
      false,
    );
  });

  test("x509 ids match by exact string; a differently spaced DN does not match", () => {
    const bob = [{ scheme: "x509", id: "CN=bob,OU=clients,O=Paddock" }];
    assert.equal(checkPerm([acl(Perms.ALL, "x509", "CN=bob,OU=clients,O=Paddock")], Perms.READ, bob), true);
    assert.equal(
      checkPerm([acl(Perms.ALL, "x509", "CN=bob, OU=clients, O=Paddock")], Perms.READ, bob),
      false,
    );
  });

  test("a sasl user matches its own ACL, and a SASL user named super passes every sasl ACL", () => {
    const acls = [acl(Perms.ALL, "sasl", "jaasuser")];
    assert.equal(checkPerm(acls, Perms.READ, [{ scheme: "sasl", id: "jaasuser" }]), true);
    assert.equal(checkPerm(acls, Perms.READ, [{ scheme: "sasl", id: "other" }]), false);
    assert.equal(checkPerm(acls, Perms.READ, [{ scheme: "sasl", id: "super" }]), true);
  });

  test("auth expands to x509 and sasl ids, never to ip; malformed x509 and sasl ids are invalid", () => {
    const ids = [
      { scheme: "ip", id: "127.0.0.1" },
      { scheme: "x509", id: "CN=bob" },
      { scheme: "sasl", id: "jaasuser" },
    ];
    assert.deepEqual(fixupACL([acl(Perms.ALL, "auth", "")], ids), [
      acl(Perms.ALL, "x509", "CN=bob"),
      acl(Perms.ALL, "sasl", "jaasuser"),
    ]);
    assert.equal(fixupACL([acl(Perms.ALL, "x509", "bob")], []), undefined);
    assert.equal(fixupACL([acl(Perms.ALL, "sasl", "a@b@c")], []), undefined);
    assert.notEqual(fixupACL([acl(Perms.ALL, "sasl", "zk/host@REALM")], []), undefined);
  });
});

describe("ip parsing and matching", () => {
  test("IPv4 needs four decimal parts in 0-255", () => {
    assert.deepEqual(parseIpAddress("1.2.3.4"), Uint8Array.from([1, 2, 3, 4]));
    for (const bad of ["1.2.3", "1.2.3.4.5", "1.2.3.256", "1.2.3.x", "1.2.3.", "localhost"]) {
      assert.equal(parseIpAddress(bad), undefined, bad);
    }
  });

  test("IPv6 accepts full and '::'-compressed forms and rejects the rest", () => {
    assert.deepEqual(parseIpAddress("::1"), Uint8Array.from([...new Array(15).fill(0), 1]));
    assert.deepEqual(parseIpAddress("1::"), Uint8Array.from([0, 1, ...new Array(14).fill(0)]));
    assert.notEqual(parseIpAddress("1:2:3:4:5:6:7:8"), undefined);
    for (const bad of [
      "1:2:3:4:5:6:7",
      "1::2::3",
      "1:2:3:4:5:6:7::8",
      "12345::1",
      "g::1",
      ":::",
      "::ffff:1.2.3.4",
    ]) {
      assert.equal(parseIpAddress(bad), undefined, bad);
    }
  });

  test("a prefix length outside the address width or a v4/v6 mismatch never matches", () => {
    assert.equal(ipMatches("10.0.0.1", "10.0.0.0/33"), false);
    assert.equal(ipMatches("10.0.0.1", "10.0.0.0/-1"), false);
    assert.equal(ipMatches("::1", "0.0.0.0/0"), false);
    assert.equal(ipMatches("10.0.0.1", "0.0.0.0/0"), true);
    assert.equal(ipMatches("10.0.0.1", "10.0.0.1/32"), true);
    assert.equal(ipMatches("10.0.0.1", "10.0.0.0/31"), true);
    assert.equal(ipMatches("10.0.0.2", "10.0.0.0/31"), false);
  });
});

describe("fixupACL", () => {
  test("null and empty lists are invalid", () => {
    assert.equal(fixupACL(null, []), undefined);
    assert.equal(fixupACL([], []), undefined);
  });

  test("duplicates are removed keeping the first occurrence order", () => {
    const a = acl(Perms.ALL, "world", "anyone");
    const b = acl(Perms.READ, "ip", "1.2.3.4");
    assert.deepEqual(fixupACL([a, b, a, b], []), [a, b]);
  });

  test("auth expands to every digest identity of the session and skips ip and super", () => {
    const d1: Id = { scheme: "digest", id: digestOf("a", "p") };
    const d2: Id = { scheme: "digest", id: digestOf("b", "p") };
    const ids = [ip("127.0.0.1"), d1, { scheme: "super", id: "" }, d2];
    assert.deepEqual(fixupACL([acl(Perms.ALL, "auth", "")], ids), [
      { perms: Perms.ALL, id: d1 },
      { perms: Perms.ALL, id: d2 },
    ]);
  });

  test("auth without an authenticated identity is invalid", () => {
    assert.equal(
      fixupACL([acl(Perms.ALL, "auth", "")], [ip("127.0.0.1"), { scheme: "super", id: "" }]),
      undefined,
    );
  });

  test("digest ids need exactly two non-trailing-empty parts split on ':'", () => {
    for (const good of ["u:h", ":h", "u:h:"])
      assert.notEqual(fixupACL([acl(1, "digest", good)], []), undefined, good);
    for (const bad of ["u", "u:", "u:h:x", "", ":"])
      assert.equal(fixupACL([acl(1, "digest", bad)], []), undefined, bad);
  });

  test("ip ids must parse, optionally with a prefix length in range", () => {
    assert.notEqual(fixupACL([acl(1, "ip", "10.0.0.0/8")], []), undefined);
    assert.notEqual(fixupACL([acl(1, "ip", "::1")], []), undefined);
    for (const bad of ["10.0.0.0/33", "10.0.0.0/", "nohost", "1.2.3.4/x"]) {
      assert.equal(fixupACL([acl(1, "ip", bad)], []), undefined, bad);
    }
  });

  test("unknown schemes and world ids other than anyone are invalid", () => {
    assert.equal(fixupACL([acl(1, "world", "everyone")], []), undefined);
    assert.equal(fixupACL([acl(1, "super", "")], []), undefined);
    assert.equal(fixupACL([acl(1, "kerberos", "x")], []), undefined);
  });
});

describe("maskDigests", () => {
  test("digest ids lose everything after the first colon; other schemes are untouched", () => {
    const masked = maskDigests([acl(31, "digest", "alice:abc=:def"), acl(1, "ip", "1.2.3.4")]);
    assert.deepEqual(masked, [acl(31, "digest", "alice:x"), acl(1, "ip", "1.2.3.4")]);
  });
});
