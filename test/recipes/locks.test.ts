// Locks and leader election against both servers, including the awkward moments: a connection
// cut while waiting, a session that expires while holding (the lock passes on and the holder is
// told), timeouts that leave no node behind, and leadership that moves when a leader's session ends.

import assert from "node:assert/strict";
import { test } from "node:test";
import { OperationTimeoutError, SessionExpiredError } from "../../src/client/index.js";
import { LeaderLatch, LeaderSelector, Mutex, ReadWriteLock, Semaphore } from "../../src/recipes/index.js";
import { FaultProxy } from "../client/proxy.js";
import { eachTarget, eventually, expireSession } from "../client/targets.js";

eachTarget("locks and election", (fixture) => {
  test("a mutex admits one holder at a time and the next waiter gets it on release", async () => {
    const path = fixture().unique("mutex");
    const a = new Mutex(await fixture().client(), path);
    const b = new Mutex(await fixture().client(), path);
    const leaseA = await a.acquire();
    let bHolds = false;
    const waiting = b.acquire().then((lease) => {
      bHolds = true;
      return lease;
    });
    await assert.rejects(
      new Mutex(await fixture().client(), path).acquire({ timeoutMs: 200 }),
      OperationTimeoutError,
    );
    assert.equal(bHolds, false);
    await leaseA.release();
    const leaseB = await waiting;
    assert.equal(bHolds, true);
    await leaseB.release();
    const client = await fixture().client();
    assert.deepEqual(await client.getChildren(path), [], "timed-out and released nodes are gone");
  });

  test("a mutex is reentrant for the same object and frees the node only on the last release", async () => {
    const client = await fixture().client();
    const path = fixture().unique("reentrant");
    const mutex = new Mutex(client, path);
    const outer = await mutex.acquire();
    const inner = await mutex.acquire();
    assert.equal(inner.path, outer.path);
    await inner.release();
    assert.equal((await client.getChildren(path)).length, 1);
    await outer.release();
    assert.equal((await client.getChildren(path)).length, 0);
  });

  test("session expiry while holding a lock releases it and tells the holder", async () => {
    const path = fixture().unique("expire-holder");
    const holderClient = await fixture().client();
    const holder = await new Mutex(holderClient, path).acquire();
    const waiter = new Mutex(await fixture().client(), path).acquire();
    await expireSession(fixture().target.connectString, holderClient);
    // The holder learns when its client next talks to the server.
    await holderClient.exists("/").catch(() => {});
    await eventually("the holder is told", () => holder.lost.aborted);
    assert.ok(holder.lost.reason instanceof SessionExpiredError);
    const next = await waiter;
    await next.release();
    await holder.release();
  });

  test("a waiter whose connection is cut keeps its place and gets the lock", async () => {
    const proxy = await FaultProxy.start(fixture().target.port);
    try {
      const path = fixture().unique("cut-waiter");
      const holder = await new Mutex(await fixture().client(), path).acquire();
      const waiterClient = await fixture().client({}, undefined, proxy.connectString);
      const waiting = new Mutex(waiterClient, path).acquire();
      await eventually("the waiter queued", async () => (await waiterClient.getChildren(path)).length === 2);
      proxy.cut();
      await holder.release();
      const lease = await waiting;
      assert.equal(lease.lost.aborted, false);
      await lease.release();
    } finally {
      await proxy.close();
    }
  });

  test("a read-write lock shares reads and excludes a writer until the readers leave", async () => {
    const path = fixture().unique("rw");
    const lock = new ReadWriteLock(await fixture().client(), path);
    const r1 = await lock.acquireRead();
    const r2 = await new ReadWriteLock(await fixture().client(), path).acquireRead();
    const writer = new ReadWriteLock(await fixture().client(), path);
    await assert.rejects(writer.acquireWrite({ timeoutMs: 200 }), OperationTimeoutError);
    const writing = writer.acquireWrite();
    await r1.release();
    await r2.release();
    const w = await writing;
    await assert.rejects(lock.acquireRead({ timeoutMs: 200 }), OperationTimeoutError);
    await w.release();
  });

  test("a semaphore grants at most its number of leases", async () => {
    const path = fixture().unique("semaphore");
    const client = await fixture().client();
    const semaphore = new Semaphore(client, path, 2);
    const first = await semaphore.acquire();
    const second = await semaphore.acquire();
    await assert.rejects(semaphore.acquire({ timeoutMs: 200 }), OperationTimeoutError);
    const third = semaphore.acquire();
    await first.release();
    await (await third).release();
    await second.release();
  });

  test("a leader latch passes leadership on when the leader's session expires", async () => {
    const path = fixture().unique("latch");
    const leaderClient = await fixture().client();
    const first = new LeaderLatch(leaderClient, path, "first");
    const second = new LeaderLatch(await fixture().client(), path, "second");
    first.on("error", () => {});
    await first.start();
    await first.awaitLeadership();
    await second.start();
    assert.deepEqual(await second.participants(), ["first", "second"]);
    assert.equal(second.isLeader, false);
    await expireSession(fixture().target.connectString, leaderClient);
    await second.awaitLeadership();
    await leaderClient.exists("/").catch(() => {});
    await eventually("the old leader knows", () => !first.isLeader);
    await second.close();
  });

  test("a leader selector runs one turn at a time and aborts a turn when its session expires", async () => {
    const path = fixture().unique("selector");
    const doomed = await fixture().client();
    let running = 0;
    let maxRunning = 0;
    let turns = 0;
    const turn = async (signal: AbortSignal): Promise<void> => {
      running++;
      turns++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      });
      running--;
    };
    const a = new LeaderSelector(doomed, path, turn);
    const b = new LeaderSelector(await fixture().client(), path, turn);
    a.start();
    b.start();
    await eventually("several turns", () => turns >= 4);
    assert.equal(maxRunning, 1);
    await a.close();
    await b.close();
    let holding = false;
    let abortReason: unknown;
    const slow = new LeaderSelector(doomed, fixture().unique("selector-slow"), (signal) => {
      holding = true;
      return new Promise((resolve) =>
        signal.addEventListener("abort", () => {
          abortReason = signal.reason;
          resolve();
        }),
      );
    });
    slow.start();
    await eventually("the slow turn holds", () => holding);
    await expireSession(fixture().target.connectString, doomed);
    await doomed.exists("/").catch(() => {});
    await eventually("the turn is aborted", () => abortReason !== undefined);
    assert.ok(abortReason instanceof SessionExpiredError);
    await slow.close();
  });
});
