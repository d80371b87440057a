// Proves the watch registry fires what ZooKeeper's WatchManager fires (§10.4): one-shot data and
// child watches, persistent and persistent-recursive watches, one event per watcher per change, and
// the checkWatches/removeWatches interpretation of each WatcherType.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { WatchRegistry } from "../../../src/data/watches.js";
import { EventType, WatcherType } from "../../../src/protocol/constants.js";

const { NodeCreated, NodeDeleted, NodeDataChanged, NodeChildrenChanged } = EventType;

function fired(
  r: WatchRegistry<string>,
  type: (typeof EventType)[keyof typeof EventType],
  path: string,
): string[] {
  return r.trigger(type, path).map((e) => `${e.watcher} ${e.type} ${e.path}`);
}

describe("standard watches", () => {
  test("a data watch fires once for a data change and is then gone", () => {
    const r = new WatchRegistry<string>();
    r.addData("/a", "c1");
    assert.deepEqual(fired(r, NodeDataChanged, "/a"), [`c1 ${NodeDataChanged} /a`]);
    assert.deepEqual(fired(r, NodeDataChanged, "/a"), []);
    assert.equal(r.watchCount, 0);
  });

  test("a data watch on a missing node fires NodeCreated when it is created", () => {
    const r = new WatchRegistry<string>();
    r.addData("/a", "c1");
    assert.deepEqual(fired(r, NodeCreated, "/a"), [`c1 ${NodeCreated} /a`]);
  });

  test("child watches ignore data changes and fire on NodeChildrenChanged", () => {
    const r = new WatchRegistry<string>();
    r.addChild("/p", "c1");
    assert.deepEqual(fired(r, NodeDataChanged, "/p"), []);
    assert.deepEqual(fired(r, NodeChildrenChanged, "/p"), [`c1 ${NodeChildrenChanged} /p`]);
    assert.equal(r.watchCount, 0);
  });

  test("NodeDeleted fires both data and child watches of the path but each watcher only once", () => {
    const r = new WatchRegistry<string>();
    r.addData("/a", "c1");
    r.addChild("/a", "c1");
    r.addChild("/a", "c2");
    assert.deepEqual(fired(r, NodeDeleted, "/a"), [`c1 ${NodeDeleted} /a`, `c2 ${NodeDeleted} /a`]);
    assert.equal(r.watchCount, 0, "the suppressed child watch of c1 is consumed too");
  });

  test("registering the same watch twice still yields one event", () => {
    const r = new WatchRegistry<string>();
    r.addData("/a", "c1");
    r.addData("/a", "c1");
    assert.equal(r.watchCount, 1);
    assert.deepEqual(fired(r, NodeDataChanged, "/a"), [`c1 ${NodeDataChanged} /a`]);
  });
});

describe("persistent watches", () => {
  test("a persistent watch hears every change of its own path, including children, and stays", () => {
    const r = new WatchRegistry<string>();
    r.addPersistent("/p", "c1");
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(fired(r, NodeCreated, "/p"), [`c1 ${NodeCreated} /p`]);
      assert.deepEqual(fired(r, NodeDataChanged, "/p"), [`c1 ${NodeDataChanged} /p`]);
      assert.deepEqual(fired(r, NodeChildrenChanged, "/p"), [`c1 ${NodeChildrenChanged} /p`]);
      assert.deepEqual(fired(r, NodeDeleted, "/p"), [`c1 ${NodeDeleted} /p`]);
    }
    assert.deepEqual(fired(r, NodeCreated, "/p/c"), [], "not recursive");
    assert.equal(r.watchCount, 2, "one entry in each table");
  });

  test("a recursive watch hears created/deleted/changed of the path and all descendants, never children-changed", () => {
    const r = new WatchRegistry<string>();
    r.addPersistentRecursive("/app", "c1");
    assert.deepEqual(fired(r, NodeCreated, "/app"), [`c1 ${NodeCreated} /app`]);
    assert.deepEqual(fired(r, NodeCreated, "/app/deep/er"), [`c1 ${NodeCreated} /app/deep/er`]);
    assert.deepEqual(fired(r, NodeDataChanged, "/app/x"), [`c1 ${NodeDataChanged} /app/x`]);
    assert.deepEqual(fired(r, NodeDeleted, "/app/x"), [`c1 ${NodeDeleted} /app/x`]);
    assert.deepEqual(fired(r, NodeChildrenChanged, "/app"), []);
    assert.deepEqual(fired(r, NodeCreated, "/apple"), [], "a name prefix is not a descendant");
    assert.deepEqual(fired(r, NodeCreated, "/other"), []);
  });

  test("a recursive watch on the root sees the whole tree", () => {
    const r = new WatchRegistry<string>();
    r.addPersistentRecursive("/", "c1");
    assert.deepEqual(fired(r, NodeCreated, "/a/b"), [`c1 ${NodeCreated} /a/b`]);
  });

  test("a connection with a standard, a persistent and a recursive watch on one change gets one event", () => {
    const r = new WatchRegistry<string>();
    r.addData("/a/b", "c1");
    r.addPersistent("/a/b", "c1");
    r.addPersistentRecursive("/a", "c1");
    r.addPersistentRecursive("/", "c1");
    assert.deepEqual(fired(r, NodeDataChanged, "/a/b"), [`c1 ${NodeDataChanged} /a/b`]);
    assert.equal(r.has("/a/b", WatcherType.Data, "c1"), false, "the one-shot part was consumed");
    assert.equal(r.has("/a/b", WatcherType.Persistent, "c1"), true);
  });

  test("different connections each get their event", () => {
    const r = new WatchRegistry<string>();
    r.addData("/a", "c1");
    r.addPersistentRecursive("/", "c2");
    assert.deepEqual(fired(r, NodeDataChanged, "/a").sort(), [
      `c1 ${NodeDataChanged} /a`,
      `c2 ${NodeDataChanged} /a`,
    ]);
  });
});

describe("checkWatches and removeWatches", () => {
  test("Data and Children find only standard watches of their table", () => {
    const r = new WatchRegistry<string>();
    r.addPersistent("/a", "c1");
    assert.equal(r.has("/a", WatcherType.Data, "c1"), false);
    assert.equal(r.has("/a", WatcherType.Children, "c1"), false);
    assert.equal(r.has("/a", WatcherType.Any, "c1"), true);
    r.addData("/a", "c1");
    assert.equal(r.has("/a", WatcherType.Data, "c1"), true);
    assert.equal(r.remove("/a", WatcherType.Data, "c1"), true);
    assert.equal(r.remove("/a", WatcherType.Data, "c1"), false);
    assert.equal(r.has("/a", WatcherType.Persistent, "c1"), true, "removing Data kept the persistent watch");
  });

  test("Persistent removes from both tables and Any removes every mode", () => {
    const r = new WatchRegistry<string>();
    r.addPersistent("/a", "c1");
    assert.equal(r.remove("/a", WatcherType.Persistent, "c1"), true);
    assert.equal(r.watchCount, 0);
    r.addData("/a", "c1");
    r.addChild("/a", "c1");
    r.addPersistentRecursive("/a", "c1");
    assert.equal(r.remove("/a", WatcherType.Any, "c1"), true);
    assert.equal(r.watchCount, 0);
    assert.deepEqual(fired(r, NodeCreated, "/a/b"), [], "the recursive watch is gone");
  });

  test("PersistentRecursive matches only recursive watches; other connections and paths are separate", () => {
    const r = new WatchRegistry<string>();
    r.addPersistentRecursive("/a", "c1");
    assert.equal(r.has("/a", WatcherType.PersistentRecursive, "c1"), true);
    assert.equal(r.has("/a", WatcherType.Persistent, "c1"), false);
    assert.equal(r.has("/a", WatcherType.PersistentRecursive, "c2"), false);
    assert.equal(r.remove("/b", WatcherType.Any, "c1"), false);
    assert.equal(r.remove("/a", WatcherType.PersistentRecursive, "c1"), true);
  });

  test("unknown watcher types match nothing", () => {
    const r = new WatchRegistry<string>();
    r.addData("/a", "c1");
    assert.equal(r.has("/a", 9, "c1"), false);
    assert.equal(r.remove("/a", 9, "c1"), false);
  });
});

describe("bookkeeping", () => {
  test("removeWatcher drops every watch of a closed connection and leaves others", () => {
    const r = new WatchRegistry<string>();
    r.addData("/a", "c1");
    r.addChild("/a", "c1");
    r.addPersistentRecursive("/", "c1");
    r.addData("/a", "c2");
    assert.equal(r.watchesOf("c1"), 3);
    r.removeWatcher("c1");
    assert.equal(r.watchesOf("c1"), 0);
    assert.equal(r.watchCount, 1);
    assert.deepEqual(fired(r, NodeCreated, "/x"), [], "no recursive watch survives");
    assert.deepEqual(fired(r, NodeDataChanged, "/a"), [`c2 ${NodeDataChanged} /a`]);
  });

  test("the data-watch views list the data table only, by path and by watcher", () => {
    const r = new WatchRegistry<string>();
    r.addData("/a", "c1");
    r.addData("/a", "c2");
    r.addData("/b", "c1");
    r.addChild("/c", "c1");
    assert.deepEqual(
      [...r.dataWatchesByPath()],
      [
        ["/a", ["c1", "c2"]],
        ["/b", ["c1"]],
      ],
    );
    assert.deepEqual(
      [...r.dataWatchesByWatcher()],
      [
        ["c1", ["/a", "/b"]],
        ["c2", ["/a"]],
      ],
    );
    assert.deepEqual(r.dataWatchSummary(), { connections: 2, paths: 2, watches: 3 });
    assert.equal(r.watchCount, 4);
  });
});
