// Proves the quota-root index answers as ZooKeeper's PathTrie with getMaxPrefixWithQuota does (deepest
// root that is the path or an ancestor, by whole components, never the tree root, blank components
// ignored), and that the tree keeps it in step with limits nodes on attach and detach.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { QuotaRoots } from "../../../src/data/quota-roots.js";
import { DataTree, type PersistedNode } from "../../../src/data/tree.js";
import { OPEN_ACL_UNSAFE } from "../../../src/protocol/data.js";

const limits = (root: string) => `/zookeeper/quota${root}/zookeeper_limits`;

function image(): PersistedNode {
  return {
    data: null,
    acl: OPEN_ACL_UNSAFE,
    czxid: 1n,
    mzxid: 1n,
    ctime: 1n,
    mtime: 1n,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    pzxid: 1n,
  };
}

describe("quota roots", () => {
  test("the deepest root on the path governs, matching whole components only", () => {
    const q = new QuotaRoots();
    q.nodeAttached(limits("/a"));
    q.nodeAttached(limits("/a/b/c"));
    assert.equal(q.governing("/a"), "/a");
    assert.equal(q.governing("/a/b"), "/a");
    assert.equal(q.governing("/a/b/c/d"), "/a/b/c");
    assert.equal(q.governing("/ab"), undefined);
    assert.equal(q.governing("/b/a"), undefined);
    assert.deepEqual(q.roots(), ["/a", "/a/b/c"]);
  });

  test("blank components are dropped on both sides, as PathTrie's split does", () => {
    const q = new QuotaRoots();
    q.nodeAttached(limits("/a/ /b"));
    assert.deepEqual(q.roots(), ["/a/b"]);
    assert.equal(q.governing("/a/b/x"), "/a/b");
    assert.equal(q.governing("/ /a/b"), "/a/b");
  });

  test("only nodes named zookeeper_limits under a parent starting /zookeeper/quota declare roots; never the root", () => {
    const q = new QuotaRoots();
    q.nodeAttached("/zookeeper/quota/zookeeper_limits");
    q.nodeAttached("/zookeeper/other/a/zookeeper_limits");
    q.nodeAttached("/zookeeper/quota/a/zookeeper_limits_x");
    q.nodeAttached("/zookeeper/quota/a/zookeeper_stats");
    assert.equal(q.size, 0);
    assert.equal(q.governing("/a"), undefined);
    // ZooKeeper tests startsWith("/zookeeper/quota") without a '/', so "quotaX" declares /X/a.
    q.nodeAttached("/zookeeper/quotaX/a/zookeeper_limits");
    assert.deepEqual(q.roots(), ["/X/a"]);
  });

  test("a root stays while any limits node declares it, and detaching prunes the trie", () => {
    const q = new QuotaRoots();
    q.nodeAttached(limits("/a/b"));
    q.nodeAttached(limits("/a/ /b"));
    q.nodeDetached(limits("/a/b"));
    assert.deepEqual(q.roots(), ["/a/b"]);
    q.nodeDetached(limits("/a/ /b"));
    assert.deepEqual(q.roots(), []);
    assert.equal(q.size, 0);
    assert.equal(q.governing("/a/b"), undefined);
  });

  test("the tree declares and withdraws roots as limits nodes are attached and detached", () => {
    const t = new DataTree();
    t.attach("/zookeeper/quota/a", image());
    assert.equal(t.quotaRoots().size, 0);
    t.attach(limits("/a"), image());
    assert.deepEqual(t.quotaRoots().roots(), ["/a"]);
    t.detach(limits("/a"));
    assert.deepEqual(t.quotaRoots().roots(), []);
  });
});
