// Barriers, queues, counters, caches, group membership and service discovery against both servers,
// each with a connection cut or a session expiry at the moment it is most likely to break them.

import assert from "node:assert/strict";
import { test } from "node:test";
import { OperationTimeoutError } from "../../src/client/index.js";
import {
  AtomicCounter,
  Barrier,
  ChildrenCache,
  DistributedQueue,
  DoubleBarrier,
  GroupMembership,
  NodeCache,
  ServiceDiscovery,
  TreeCache,
} from "../../src/recipes/index.js";
import { FaultProxy } from "../client/proxy.js";
import { eachTarget, eventually, expireSession } from "../client/targets.js";

eachTarget("coordination recipes", (fixture) => {
  test("a barrier holds waiters until it is removed, across a connection cut", async () => {
    const proxy = await FaultProxy.start(fixture().target.port);
    try {
      const path = fixture().unique("barrier");
      const owner = new Barrier(await fixture().client(), path);
      await owner.set();
      const waiter = new Barrier(await fixture().client({}, undefined, proxy.connectString), path);
      await assert.rejects(waiter.wait(100), OperationTimeoutError);
      const released = waiter.wait();
      proxy.cut();
      await owner.remove();
      await released;
    } finally {
      await proxy.close();
    }
  });

  test("a double barrier lets members in together and out together", async () => {
    const path = fixture().unique("double");
    const members = await Promise.all(
      [0, 1, 2].map(async (i) => new DoubleBarrier(await fixture().client(), path, 3, `m${i}`)),
    );
    await assert.rejects(members[0]!.enter(100), OperationTimeoutError);
    await Promise.all(members.map((member) => member.enter(10_000)));
    await Promise.all(members.map((member) => member.leave(10_000)));
  });

  test("a queue hands each item to exactly one consumer in priority then arrival order", async () => {
    const path = fixture().unique("queue");
    const producer = new DistributedQueue(await fixture().client(), path);
    const consumers = await Promise.all(
      [0, 1].map(async () => new DistributedQueue(await fixture().client(), path)),
    );
    assert.equal(await producer.poll(), null);
    await producer.put("low", 9);
    await producer.put("first", 1);
    await producer.put("second", 1);
    assert.equal((await consumers[0]!.take()).toString(), "first");
    const items = await Promise.all([consumers[0]!.take(), consumers[1]!.take()]);
    assert.deepEqual(items.map(String).sort(), ["low", "second"]);
    const waiting = consumers[1]!.take(10_000);
    await producer.put("late");
    assert.equal((await waiting).toString(), "late");
    assert.equal(await producer.size(), 0);
  });

  test("an atomic counter loses no increments under concurrent writers", async () => {
    const path = `${fixture().unique("counter")}/value`;
    const counters = await Promise.all(
      [0, 1, 2].map(async () => new AtomicCounter(await fixture().client(), path)),
    );
    await Promise.all(counters.flatMap((counter) => Array.from({ length: 10 }, () => counter.increment())));
    assert.equal(await counters[0]!.get(), 30n);
    assert.equal(await counters[1]!.add(-5), 25n);
  });

  test("increments made while the connection is down are applied once each after the reconnect", async () => {
    const proxy = await FaultProxy.start(fixture().target.port);
    try {
      const path = fixture().unique("counter-cut");
      const counter = new AtomicCounter(await fixture().client({}, undefined, proxy.connectString), path);
      await counter.add(1);
      proxy.refuse(true);
      proxy.cut();
      const pending = [counter.increment(), counter.increment()];
      proxy.refuse(false);
      await Promise.all(pending);
      assert.equal(await new AtomicCounter(await fixture().client(), path).get(), 3n);
    } finally {
      await proxy.close();
    }
  });

  test("node and children caches follow changes, including ones made during a connection cut", async () => {
    const proxy = await FaultProxy.start(fixture().target.port);
    try {
      const path = fixture().unique("caches");
      const writer = await fixture().client();
      const reader = await fixture().client({}, undefined, proxy.connectString);
      const node = new NodeCache(reader, path);
      await node.start();
      assert.equal(node.current, null);
      await writer.create(path, "v1");
      await eventually("node created", () => node.current?.data?.toString() === "v1");
      const children = new ChildrenCache(reader, path);
      await children.start();
      await writer.create(`${path}/a`, "A");
      await eventually("child added", () => children.current.get("a")?.data?.toString() === "A");
      proxy.refuse(true);
      proxy.cut();
      await writer.setData(path, "v2");
      await writer.setData(`${path}/a`, "A2");
      await writer.create(`${path}/b`, "B");
      proxy.refuse(false);
      await eventually("node updated", () => node.current?.data?.toString() === "v2");
      await eventually(
        "children updated",
        () => children.current.get("a")?.data?.toString() === "A2" && children.current.has("b"),
      );
      await writer.delete(`${path}/a`);
      await eventually("child removed", () => !children.current.has("a"));
      node.close();
      children.close();
    } finally {
      await proxy.close();
    }
  });

  test("a tree cache mirrors a subtree and reports when its session expires", async () => {
    const path = fixture().unique("tree");
    const writer = await fixture().client();
    await writer.create(path, "root");
    await writer.create(`${path}/x`, "1");
    const reader = await fixture().client();
    const tree = new TreeCache(reader, path);
    const errors: Error[] = [];
    tree.on("error", (error) => errors.push(error));
    await tree.start();
    assert.deepEqual([...tree.current.keys()].sort(), [path, `${path}/x`]);
    await writer.create(`${path}/x/y`, "2");
    await writer.setData(`${path}/x`, "1b");
    await eventually(
      "tree updated",
      () => tree.current.get(`${path}/x`)?.data?.toString() === "1b" && tree.current.has(`${path}/x/y`),
    );
    await writer.delete(`${path}/x/y`);
    await eventually("deletion seen", () => !tree.current.has(`${path}/x/y`));
    await expireSession(fixture().target.connectString, reader);
    await reader.exists("/").catch(() => {});
    await eventually("the cache reports expiry", () => errors.length === 1);
  });

  test("group members and service instances vanish with their session and survive a connection cut", async () => {
    const proxy = await FaultProxy.start(fixture().target.port);
    try {
      const base = fixture().unique("services");
      const memberClient = await fixture().client({}, undefined, proxy.connectString);
      const discovery = new ServiceDiscovery(memberClient, base);
      const registration = await discovery.register({
        name: "api",
        id: "i1",
        address: "127.0.0.1",
        port: 8080,
        payload: { v: 1 },
      });
      const viewer = new ServiceDiscovery(await fixture().client(), base);
      const live = viewer.watch("api");
      await live.start();
      assert.deepEqual(
        (await viewer.instances<{ v: number }>("api")).map((instance) => [instance.id, instance.payload.v]),
        [["i1", 1]],
      );
      proxy.cut();
      await memberClient.connected();
      assert.equal((await viewer.instances("api")).length, 1);
      const group = new GroupMembership(memberClient, `${base}-group`);
      await group.join("alice", "payload");
      assert.deepEqual([...(await group.members()).keys()], ["alice"]);
      await expireSession(fixture().target.connectString, memberClient);
      await memberClient.exists("/").catch(() => {});
      await eventually("the registration is lost", () => registration.lost.aborted);
      await eventually("the instance is gone", () => live.current.size === 0);
      assert.equal((await new GroupMembership(await fixture().client(), `${base}-group`).members()).size, 0);
      live.close();
    } finally {
      await proxy.close();
    }
  });
});
