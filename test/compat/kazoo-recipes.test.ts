// Proves kazoo's coordination recipes keep their guarantees on the chosen target: each recipe runs
// in python/kazoo_recipes.py (Debian python3-kazoo, run by /usr/bin/python3) with several client
// sessions and threads at once, and prints what it saw as JSON lines; each test judges one recipe.
// The script runs once for all tests because interpreter start-up is the slow part.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { debianSkipReason } from "../support/debian.js";
import { runKazooScript } from "../support/kazoo.js";
import { describeRun, type RunResult } from "../support/run.js";
import { startTarget, type Target, targetPackages } from "../support/targets.js";

const skip = debianSkipReason([...targetPackages(), "python3-kazoo"]);

describe("kazoo recipes", { skip }, () => {
  let target: Target | undefined;
  let scenario: RunResult | undefined;
  let facts = new Map<string, unknown>();

  /** A printed fact; when missing, the message carries the recipe's error and the whole run. */
  const fact = (name: string): unknown => {
    if (!facts.has(name)) {
      const recipe = name.split(".")[0] ?? name;
      const error = facts.get(`${recipe}.error`);
      assert.fail(
        `kazoo printed no fact ${name}${error ? `; the ${recipe} scenario failed: ${error}` : ""}\n` +
          (scenario ? describeRun(scenario) : "the scenario did not run"),
      );
    }
    return facts.get(name);
  };

  before(async () => {
    target = await startTarget();
    ({ result: scenario, facts } = await runKazooScript(
      "python/kazoo_recipes.py",
      target.connectString,
      150_000,
    ));
    assert.equal(scenario.status, 0, describeRun(scenario));
    assert.equal(fact("done"), true, describeRun(scenario));
  });

  after(async () => {
    await target?.stop();
  });

  test("kazoo Lock is held by one session at a time and handed on in the order contenders queued", () => {
    assert.deepEqual(fact("lock.contenders"), ["a", "b", "c", "d"]);
    assert.equal(fact("lock.nonBlockingWhileHeld"), false);
    assert.deepEqual(fact("lock.holdersWhileQueued"), ["a"]);
    assert.deepEqual(fact("lock.acquireOrder"), ["a", "b", "c", "d"]);
    assert.equal(fact("lock.maxHolders"), 1);
    assert.deepEqual(fact("lock.contendersAfter"), []);
    assert.equal(fact("lock.freeAgain"), true);
  });

  test("kazoo Election has one leader, and the next contender leads when it resigns or its session closes", () => {
    assert.deepEqual(fact("election.contenders"), ["a", "b", "c"]);
    assert.deepEqual(fact("election.leadersWhileAllStand"), ["a"]);
    assert.deepEqual(fact("election.afterResign"), ["a", "b"]);
    assert.equal(fact("election.maxLeadersAtOnce"), 1);
    assert.deepEqual(fact("election.contendersAfterResign"), ["b", "c"]);
    assert.deepEqual(fact("election.afterSessionClose"), ["a", "b", "c"]);
  });

  test("kazoo Barrier holds every waiter until the barrier node is removed", () => {
    assert.equal(fact("barrier.waitWithoutBarrier"), true);
    assert.equal(fact("barrier.boundedWaitWhileUp"), false);
    assert.equal(fact("barrier.passedWhileUp"), 0);
    assert.equal(fact("barrier.removed"), true);
    assert.deepEqual(fact("barrier.passedAfterRemove"), [true, true, true]);
    assert.equal(fact("barrier.removedAgain"), false);
  });

  test("kazoo DoubleBarrier lets nobody enter before all arrive, nor leave before all depart", () => {
    assert.equal(fact("doubleBarrier.enteredBeforeThird"), 0);
    assert.deepEqual(fact("doubleBarrier.arrivalsSeenOnEnter"), [3, 3, 3]);
    assert.deepEqual(fact("doubleBarrier.participating"), [true, true, true]);
    assert.equal(fact("doubleBarrier.leftBeforeThird"), 0);
    assert.deepEqual(fact("doubleBarrier.departuresSeenOnLeave"), [3, 3, 3]);
    assert.deepEqual(fact("doubleBarrier.childrenAfter"), []);
  });

  test("kazoo Queue drained by three consumers yields every item exactly once, highest priority first", () => {
    const items = Array.from({ length: 30 }, (_, i) => `item-${String(i).padStart(2, "0")}`);
    assert.equal(fact("queue.lengthAfterPut"), 30);
    assert.equal(fact("queue.consumedCount"), 30);
    assert.deepEqual(fact("queue.consumedSorted"), items);
    assert.equal(fact("queue.lengthAfterDrain"), 0);
    assert.deepEqual(fact("queue.priorityOrder"), ["first-high", "second-high", "mid", "low"]);
    assert.equal(fact("queue.emptyGet"), null);
  });

  test("kazoo LockingQueue skips locked entries, redelivers released ones, and consumes each once", () => {
    assert.equal(fact("lockingQueue.firstTaken"), "x");
    assert.equal(fact("lockingQueue.holdsLock"), true);
    assert.equal(fact("lockingQueue.secondSkipsLocked"), "y");
    assert.equal(fact("lockingQueue.releasedFirst"), true);
    assert.equal(fact("lockingQueue.secondConsumed"), true);
    assert.equal(fact("lockingQueue.releasedRedelivered"), "x");
    assert.equal(fact("lockingQueue.redeliveredConsumed"), true);
    assert.equal(fact("lockingQueue.lengthAfter"), 0);
    assert.deepEqual(fact("lockingQueue.priorityOrder"), ["sooner", "middle", "later"]);
    const jobs = Array.from({ length: 12 }, (_, i) => `job-${String(i).padStart(2, "0")}`);
    assert.deepEqual(fact("lockingQueue.concurrentConsumed"), jobs);
    assert.equal(fact("lockingQueue.concurrentLengthAfter"), 0);
  });

  test("kazoo Counter sums 100 concurrent increments from four sessions exactly", () => {
    assert.equal(fact("counter.afterConcurrentAdds"), 100);
    assert.deepEqual(fact("counter.prePost"), [100, 93]);
    assert.equal(fact("counter.seenByOther"), 93);
    assert.equal(fact("counter.float"), 1.75);
  });

  test("kazoo Party and ShallowParty members are seen joining, leaving and vanishing with their session", () => {
    for (const kind of ["Party", "ShallowParty"]) {
      assert.deepEqual(fact(`party.${kind}.beforeJoin`), [[], 0], kind);
      assert.deepEqual(fact(`party.${kind}.joined`), [["alice", "bob", "carol"], 3], kind);
      assert.deepEqual(fact(`party.${kind}.afterLeave`), [["alice", "carol"], 2], kind);
    }
    assert.deepEqual(fact("party.afterSessionClose"), [["alice"], ["alice"]]);
    assert.deepEqual(fact("party.afterAllClosed"), [0, 0]);
  });

  test("kazoo SetPartitioner splits the set disjointly and re-balances when a member leaves", () => {
    assert.deepEqual(fact("partitioner.initial"), {
      p1: ["s0", "s3", "s6"],
      p2: ["s1", "s4", "s7"],
      p3: ["s2", "s5", "s8"],
    });
    assert.equal(fact("partitioner.leaverFailed"), true);
    assert.deepEqual(fact("partitioner.afterLeave"), {
      p1: ["s0", "s2", "s4", "s6", "s8"],
      p2: ["s1", "s3", "s5", "s7"],
    });
  });

  test("kazoo TreeCache reports creates, updates and deletes deep in the tree made by another session", () => {
    assert.deepEqual(fact("treeCache.initial"), [
      "NODE_ADDED@/r/tree/a/b=ab",
      "NODE_ADDED@/r/tree/a=",
      "NODE_ADDED@/r/tree/x=x",
      "NODE_ADDED@/r/tree=",
    ]);
    assert.deepEqual(fact("treeCache.createDeep"), [
      "NODE_ADDED@/r/tree/a/b/c=",
      "NODE_ADDED@/r/tree/a/b/c/d=d1",
    ]);
    assert.deepEqual(fact("treeCache.updateDeep"), ["NODE_UPDATED@/r/tree/a/b/c/d=d2"]);
    assert.deepEqual(fact("treeCache.addSibling"), ["NODE_ADDED@/r/tree/a/b/c/e=e"]);
    assert.deepEqual(fact("treeCache.deleteDeep"), ["NODE_REMOVED@/r/tree/a/b/c/d=d2"]);
    assert.deepEqual(fact("treeCache.updateTop"), ["NODE_UPDATED@/r/tree/a=A"]);
    assert.deepEqual(fact("treeCache.deleteSubtree"), [
      "NODE_REMOVED@/r/tree/a/b/c/e=e",
      "NODE_REMOVED@/r/tree/a/b/c=",
      "NODE_REMOVED@/r/tree/a/b=ab",
    ]);
    assert.equal(fact("treeCache.getData"), "A");
    assert.deepEqual(fact("treeCache.getChildren"), ["a", "x"]);
    assert.equal(fact("treeCache.getChildrenOfDeleted"), null);
  });

  test("kazoo DataWatch follows a node from absent through changes, and stops when its callback says so", () => {
    assert.deepEqual(fact("dataWatch.calls"), [
      [null, null, null],
      ["v0", 0, "CREATED"],
      ["v1", 1, "CHANGED"],
      ["stop", 2, "CHANGED"],
    ]);
    assert.equal(fact("dataWatch.fenceSaw"), "after");
    assert.equal(fact("dataWatch.stoppedCallsAfter"), 0);
    assert.equal(fact("dataWatch.fenceSawDelete"), null);
  });

  test("kazoo ChildrenWatch with events sees creates and deletes by another session but not data changes", () => {
    assert.deepEqual(fact("childrenWatch.calls"), [
      [[], null],
      [["one"], "CHILD"],
      [["one", "two"], "CHILD"],
      [["two"], "CHILD"],
    ]);
  });

  test("no kazoo recipe scenario raised", () => {
    const errors = [...facts].filter(([name]) => name.endsWith(".error"));
    assert.deepEqual(errors, []);
  });
});
