// Watches through the client: one-time watches as callbacks and promises with ZooKeeper's firing
// rules, persistent and recursive watches as async iterators, removeWatches, and every kind of
// watch re-armed after a connection loss, including more than one SetWatches batch's worth.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { NodeEvent, WatchEvent } from "../../src/client/index.js";
import { FaultProxy } from "./proxy.js";
import { eachTarget, eventually } from "./targets.js";

function types(events: readonly WatchEvent[]): string[] {
  return events.map((event) =>
    event.type === "sessionEnded" ? event.reason : `${event.type} ${event.path}`,
  );
}

async function take(iterator: AsyncIterator<NodeEvent>, count: number): Promise<string[]> {
  const out: string[] = [];
  while (out.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    out.push(`${next.value.type} ${next.value.path}`);
  }
  return out;
}

eachTarget("watches", (fixture) => {
  test("a data watch fires once for the first change and not for the second", async () => {
    const client = await fixture().client();
    const writer = await fixture().client();
    const path = fixture().unique("once");
    await client.create(path, "a");
    const events: WatchEvent[] = [];
    await client.getData(path, { watch: (event) => events.push(event) });
    await writer.setData(path, "b");
    await writer.setData(path, "c");
    await eventually("the data watch fires", () => events.length > 0);
    await client.sync(path);
    assert.deepEqual(types(events), [`dataChanged ${path}`]);
  });

  test("exists on a missing node watches for its creation; deletion fires data and child watches", async () => {
    const client = await fixture().client();
    const writer = await fixture().client();
    const path = fixture().unique("exists");
    const created = await client.watchExists(path);
    assert.equal(created.result, null);
    await writer.create(path);
    assert.equal((await created.changed).type, "created");
    const data = await client.watchData(path);
    const children = await client.watchChildren(path);
    await writer.delete(path);
    assert.equal((await data.changed).type, "deleted");
    assert.equal((await children.changed).type, "deleted");
  });

  test("a child watch fires childrenChanged when a child is created", async () => {
    const client = await fixture().client();
    const path = fixture().unique("children");
    await client.create(path);
    const watched = await client.watchChildren(path);
    assert.deepEqual(watched.result, []);
    await client.create(`${path}/kid`);
    assert.deepEqual(await watched.changed, {
      type: "childrenChanged",
      path,
      zxid: (await watched.changed).zxid,
    });
  });

  test("a persistent watch keeps firing and a recursive one sees descendants but no childrenChanged", async () => {
    // Separate paths: ZooKeeper 3.8 keeps one persistent mode per path and connection (ZOOKEEPER-4466).
    const client = await fixture().client();
    const path = fixture().unique("persistent");
    const tree = fixture().unique("recursive");
    await client.create(path);
    await client.create(tree);
    const persistent = await client.addWatch(path);
    const recursive = await client.addWatch(tree, { recursive: true });
    const p = persistent[Symbol.asyncIterator]();
    const r = recursive[Symbol.asyncIterator]();
    for (const root of [path, tree]) {
      await client.setData(root, "1");
      await client.create(`${root}/a`);
      await client.create(`${root}/a/b`);
      await client.setData(root, "2");
    }
    assert.deepEqual(await take(p, 3), [
      `dataChanged ${path}`,
      `childrenChanged ${path}`,
      `dataChanged ${path}`,
    ]);
    assert.deepEqual(await take(r, 4), [
      `dataChanged ${tree}`,
      `created ${tree}/a`,
      `created ${tree}/a/b`,
      `dataChanged ${tree}`,
    ]);
    await persistent.close();
    assert.equal((await p.next()).done, true);
    await recursive.close();
  });

  test("removeWatches tells the removed watcher and a later change does not fire it", async () => {
    const client = await fixture().client();
    const path = fixture().unique("remove");
    await client.create(path);
    const events: WatchEvent[] = [];
    await client.getData(path, { watch: (event) => events.push(event) });
    await client.removeWatches(path, "data");
    assert.deepEqual(types(events), [`dataWatchRemoved ${path}`]);
    await client.setData(path, "x");
    await client.sync(path);
    assert.equal(events.length, 1);
    await assert.rejects(client.removeWatches(path, "children"), { code: -121 });
  });

  test("watches set before a connection loss fire for changes made while the client was away", async () => {
    const proxy = await FaultProxy.start(fixture().target.port);
    try {
      const client = await fixture().client({}, undefined, proxy.connectString);
      const writer = await fixture().client();
      const path = fixture().unique("rearm");
      await client.create(path, "v0");
      const data = await client.watchData(path);
      const missing = await client.watchExists(`${path}/later`);
      const stream = (await client.addWatch(path, { recursive: true }))[Symbol.asyncIterator]();
      proxy.refuse(true);
      proxy.cut();
      await eventually("the client notices", () => client.state === "disconnected");
      await writer.setData(path, "v1");
      proxy.refuse(false);
      await client.connected();
      assert.equal((await data.changed).type, "dataChanged");
      await writer.create(`${path}/later`);
      assert.equal((await missing.changed).type, "created");
      // The recursive watch also hears the data watch's catch-up event, as ZooKeeper's client does.
      assert.deepEqual(await take(stream, 2), [`dataChanged ${path}`, `created ${path}/later`]);
    } finally {
      await proxy.close();
    }
  });

  test("more watches than fit one SetWatches frame are all re-armed after a reconnect", async () => {
    const proxy = await FaultProxy.start(fixture().target.port);
    try {
      const client = await fixture().client({}, undefined, proxy.connectString);
      const writer = await fixture().client();
      const root = `${fixture().unique("many")}-${"x".repeat(180)}`;
      await client.create(root);
      // 800 exists-watches on ~200-byte paths: about 160 KiB of paths, so at least two batches.
      const count = 800;
      const fired = new Set<string>();
      await Promise.all(
        Array.from({ length: count }, (_, i) =>
          client.exists(`${root}/n${i}`, {
            watch: (event) => event.type === "created" && fired.add(event.path),
          }),
        ),
      );
      proxy.cut();
      await eventually(
        "the client reconnects",
        () => client.state === "connected" && proxy.connections === 1,
      );
      const tx = writer.transaction();
      for (let i = 0; i < count; i++) tx.create(`${root}/n${i}`);
      await tx.commit();
      await eventually("every re-armed watch fires", () => fired.size === count);
    } finally {
      await proxy.close();
    }
  });
});
