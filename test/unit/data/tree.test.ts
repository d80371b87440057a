// Proves the DataTree's stored facts: the fresh tree's system nodes and counters match a fresh
// ZooKeeper, the client Stat derives cversion and masks container/TTL owners, and attach/detach keep
// the counters (node count, data size, ephemerals, ACL cache) exact so undo can rely on them.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { PathIndex, pathHash } from "../../../src/data/path-index.js";
import { CONTAINER_OWNER, DataTree, NodeKind, type PersistedNode, ttlOwner } from "../../../src/data/tree.js";
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from "../../../src/protocol/data.js";

function image(overrides: Partial<PersistedNode> = {}): PersistedNode {
  return {
    data: null,
    acl: OPEN_ACL_UNSAFE,
    czxid: 1n,
    mzxid: 1n,
    ctime: 10n,
    mtime: 10n,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    pzxid: 1n,
    ...overrides,
  };
}

describe("a fresh tree", () => {
  test("holds the four system nodes and reports ZooKeeper's node count of 5 and data size of 44", () => {
    const t = new DataTree();
    assert.deepEqual([...t.paths()].sort(), ["/", "/zookeeper", "/zookeeper/config", "/zookeeper/quota"]);
    assert.equal(t.znodeCount, 5);
    assert.equal(t.approximateDataSize, 1 + 10 + 16 + 17);
  });

  test("/zookeeper/config is world-readable only with aversion -1, and the root's cversion reads -1", () => {
    const t = new DataTree();
    const config = t.get("/zookeeper/config")!;
    assert.deepEqual(t.aclOf(config), READ_ACL_UNSAFE);
    assert.equal(t.statOf(config).aversion, -1);
    assert.deepEqual(t.aclOf(t.get("/")!), OPEN_ACL_UNSAFE);
    assert.equal(t.statOf(t.get("/")!).cversion, -1, "the /zookeeper child was never counted as a creation");
    assert.deepEqual(t.dataOf(t.get("/")!), Buffer.alloc(0), "system nodes hold empty, not null, data");
  });

  test("the empty path is ZooKeeper's alias of the root", () => {
    const t = new DataTree();
    assert.equal(t.get(""), t.get("/"));
  });
});

describe("Stat", () => {
  test("visible cversion is twice the stored creations minus the current children", () => {
    const t = new DataTree();
    t.attach("/p", image({ cversion: 4 }));
    for (const c of ["a", "b", "c"]) t.attach(`/p/${c}`, image());
    assert.equal(t.statOf(t.get("/p")!).cversion, 5);
    assert.equal(t.statOf(t.get("/p")!).numChildren, 3);
  });

  test("container and TTL owners read as 0 while normal ephemeral owners show", () => {
    const t = new DataTree({ extendedTypesEnabled: true });
    t.attach("/c", image({ ephemeralOwner: CONTAINER_OWNER }));
    t.attach("/t", image({ ephemeralOwner: ttlOwner(5000n) }));
    t.attach("/e", image({ ephemeralOwner: 0x1234n }));
    assert.equal(t.statOf(t.get("/c")!).ephemeralOwner, 0n);
    assert.equal(t.statOf(t.get("/t")!).ephemeralOwner, 0n);
    assert.equal(t.statOf(t.get("/e")!).ephemeralOwner, 0x1234n);
    assert.equal(t.kindOf(t.get("/t")!), NodeKind.TTL);
    assert.equal(t.ttlOf(t.get("/t")!), 5000n);
    assert.deepEqual([...t.containers()], ["/c"]);
    assert.deepEqual([...t.ttls()], ["/t"]);
  });

  test("an 0xFF-prefixed owner is a normal session when extended types are off", () => {
    const t = new DataTree();
    t.attach("/e", image({ ephemeralOwner: ttlOwner(5000n) }));
    assert.equal(t.kindOf(t.get("/e")!), NodeKind.EPHEMERAL);
    assert.equal(t.ephemeralsCount, 1);
  });

  test("dataLength is 0 for null data and the byte length otherwise", () => {
    const t = new DataTree();
    t.attach("/n", image({ data: null }));
    t.attach("/d", image({ data: Buffer.from("héllo") }));
    assert.equal(t.statOf(t.get("/n")!).dataLength, 0);
    assert.equal(t.dataOf(t.get("/n")!), null);
    assert.equal(t.statOf(t.get("/d")!).dataLength, 6);
    assert.equal(t.dataOf(t.get("/d")!)!.toString("utf8"), "héllo", "arbitrary bytes survive storage");
  });
});

describe("attach and detach", () => {
  test("detach undoes attach exactly: counters, ephemerals, ACL cache and digest", () => {
    const t = new DataTree();
    const before = {
      size: t.approximateDataSize,
      count: t.znodeCount,
      acls: t.aclCacheSize,
      digest: t.digest(),
    };
    const img = image({
      data: Buffer.from("abc"),
      ephemeralOwner: 7n,
      acl: [{ perms: 1, id: { scheme: "ip", id: "1.2.3.4" } }],
    });
    t.attach("/x", img);
    assert.equal(t.znodeCount, before.count + 1);
    assert.equal(t.approximateDataSize, before.size + 2 + 3);
    assert.equal(t.aclCacheSize, before.acls + 1);
    assert.deepEqual([...t.ephemeralsOf(7n)!], ["/x"]);
    assert.deepEqual(t.detach("/x"), img);
    assert.deepEqual(
      { size: t.approximateDataSize, count: t.znodeCount, acls: t.aclCacheSize, digest: t.digest() },
      before,
    );
    assert.equal(t.ephemeralsOf(7n), undefined);
    assert.equal(t.childrenOf(t.get("/")!).includes("x"), false);
  });

  test("identical ACL lists are shared by every node that uses them", () => {
    const t = new DataTree();
    const base = t.aclCacheSize;
    for (let i = 0; i < 100; i++)
      t.attach(`/n${i}`, image({ acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }] }));
    assert.equal(t.aclCacheSize, base);
    assert.equal(t.aclOf(t.get("/n0")!), t.aclOf(t.get("/n99")!));
  });

  test("attach refuses a missing parent or a taken path, detach refuses a node with children", () => {
    const t = new DataTree();
    assert.throws(() => t.attach("/a/b", image()));
    t.attach("/a", image());
    assert.throws(() => t.attach("/a", image()));
    t.attach("/a/b", image());
    assert.throws(() => t.detach("/a"));
    assert.throws(() => t.detach("/"));
  });

  test("stat slots freed by detach are reused without leaking old values", () => {
    const t = new DataTree();
    for (let i = 0; i < 20000; i++) t.attach(`/n${i}`, image({ version: i }));
    for (let i = 0; i < 20000; i += 2) t.detach(`/n${i}`);
    for (let i = 0; i < 20000; i += 2) t.attach(`/m${i}`, image({ version: 100000 - i }));
    for (let i = 0; i < 20000; i += 2) {
      assert.equal(t.version(t.get(`/m${i}`)!), 100000 - i);
      assert.equal(t.version(t.get(`/n${i + 1}`)!), i + 1);
    }
  });

  test("descendantCount counts the whole subtree below a node, and everything but the root for /", () => {
    const t = new DataTree();
    t.attach("/a", image());
    t.attach("/a/b", image());
    t.attach("/a/b/c", image());
    t.attach("/ab", image());
    assert.equal(t.descendantCount("/a"), 2);
    assert.equal(t.descendantCount("/a/b/c"), 0);
    assert.equal(t.descendantCount("/"), 3 + 4, "includes /zookeeper and its two children");
  });
});

describe("digest", () => {
  test("does not depend on insertion order and changes with any persisted field", () => {
    const a = new DataTree();
    const b = new DataTree();
    a.attach("/x", image({ data: Buffer.from("1") }));
    a.attach("/y", image());
    b.attach("/y", image());
    b.attach("/x", image({ data: Buffer.from("1") }));
    assert.equal(a.digest(), b.digest());
    const c = new DataTree();
    c.attach("/y", image());
    c.attach("/x", image({ data: Buffer.from("1"), pzxid: 2n }));
    assert.notEqual(a.digest(), c.digest());
    const d = new DataTree();
    d.attach("/y", image());
    d.attach("/x", image({ data: Buffer.from("1"), acl: READ_ACL_UNSAFE }));
    assert.notEqual(a.digest(), d.digest());
  });

  test("null data and empty data digest differently", () => {
    const a = new DataTree();
    const b = new DataTree();
    a.attach("/x", image({ data: null }));
    b.attach("/x", image({ data: Buffer.alloc(0) }));
    assert.notEqual(a.digest(), b.digest());
  });
});

describe("structure under random attach and detach (model: a Map of path to children)", () => {
  // The path index, the threaded child lists and the running digest are each checked against a
  // plain model after every step, over runs long enough to grow, churn and reuse slots.
  const names = ["a", "b", "c", "d", "e", "f"];
  const pathArb = fc
    .array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 })
    .map((parts) => `/${parts.join("/")}`);
  const stepArb = fc.record({
    path: pathArb,
    data: fc.option(fc.uint8Array({ maxLength: 9 }), { nil: null }),
    version: fc.integer({ min: 0, max: 5 }),
  });

  test("lookups, child lists in creation order, counts and the digest match the model", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 300 }), (steps) => {
        const t = new DataTree();
        const children = new Map<string, string[]>([["/", []]]);
        for (const { path, data, version } of steps) {
          const parent = path.slice(0, path.lastIndexOf("/")) || "/";
          const existing = children.get(path);
          if (existing === undefined && children.has(parent)) {
            t.attach(path, image({ data: data === null ? null : Buffer.from(data), version }));
            children.set(path, []);
            children.get(parent)!.push(path.slice(path.lastIndexOf("/") + 1));
          } else if (existing !== undefined && existing.length === 0) {
            t.detach(path);
            children.delete(path);
            const siblings = children.get(parent)!;
            siblings.splice(siblings.indexOf(path.slice(path.lastIndexOf("/") + 1)), 1);
          } else if (existing !== undefined) {
            t.setData(t.get(path)!, data === null ? null : Buffer.from(data), version, 9n, 9n);
          }
          assert.equal(t.digest(), t.recomputeDigest(), "the running digest is the sum over the nodes");
        }
        for (const [path, kids] of children) {
          const node = t.get(path);
          assert.notEqual(node, undefined, path);
          assert.equal(t.pathOf(node!), path);
          if (path !== "/") assert.deepEqual(t.childrenOf(node!), kids, `children of ${path}`);
          assert.equal(t.numChildren(node!), path === "/" ? kids.length + 1 : kids.length);
        }
        assert.equal(t.nodeCount, children.size + 3, "the model's nodes plus the three under /zookeeper");
        for (const p of ["/a/a", "/b/c/d", "/f"]) assert.equal(t.get(p) !== undefined, children.has(p), p);
      }),
      { numRuns: 200 },
    );
  });

  test("a tree rebuilt from another's nodes in a different order has the same digest", () => {
    const a = new DataTree();
    for (let i = 0; i < 50; i++) a.attach(`/n${i}`, image({ data: Buffer.from([i]), version: i }));
    for (let i = 0; i < 50; i += 3) a.detach(`/n${i}`);
    const b = new DataTree();
    for (const path of [...a.paths()].reverse()) {
      if (b.get(path) === undefined) b.attach(path, a.persisted(a.get(path)!));
    }
    assert.equal(b.digest(), a.digest());
  });
});

describe("path index", () => {
  test("agrees with a Map through growth and backward-shift deletes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3000 })), { maxLength: 4000 }),
        (ops) => {
          const paths: (string | null)[] = [];
          const index = new PathIndex({
            keyEquals: (slot, path) => paths[slot] === path,
            keyEqualsBytes: (slot, bytes, start, end) =>
              paths[slot] === Buffer.from(bytes.subarray(start, end)).toString(),
          });
          const model = new Map<string, number>();
          for (const [add, n] of ops) {
            const path = `/p${n}`;
            const slot = model.get(path);
            if (add && slot === undefined) {
              paths.push(path);
              index.insertHashed(paths.length - 1, pathHash(path));
              model.set(path, paths.length - 1);
            } else if (!add && slot !== undefined) {
              index.delete(slot);
              model.delete(path);
            }
          }
          assert.equal(index.size, model.size);
          for (let n = 0; n <= 3000; n += 7) assert.equal(index.get(`/p${n}`), model.get(`/p${n}`) ?? -1);
          for (const [path, slot] of model) {
            assert.equal(index.get(path), slot);
            const bytes = Buffer.from(`//${path}`);
            assert.equal(index.findBytes(bytes, 2, bytes.length, pathHash(path)), slot);
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});
