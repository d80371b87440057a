// The client's pure parts without a server: connection strings and chroot mapping, the bounded
// event stream, and the table that fans one notification out to the watchers it triggers.

import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConnectString, toClientPath, toServerPath } from "../../src/client/connect-string.js";
import { ClientError } from "../../src/client/errors.js";
import { EventStream } from "../../src/client/event-stream.js";
import { type NodeEvent, type WatchEvent, WatchTable } from "../../src/client/watches.js";

test("a connection string yields every host with default ports and the chroot", () => {
  assert.deepEqual(parseConnectString("a:1,b,[::1]:3/app/x"), {
    hosts: [
      { host: "a", port: 1 },
      { host: "b", port: 2181 },
      { host: "::1", port: 3 },
    ],
    chroot: "/app/x",
  });
  assert.equal(parseConnectString("a:1/").chroot, "");
  assert.throws(() => parseConnectString("a:99999"), ClientError);
  assert.throws(() => parseConnectString("/only-chroot"), ClientError);
  assert.throws(() => parseConnectString("a:1/bad/"), ClientError);
  assert.equal(toServerPath("/app", "/"), "/app");
  assert.equal(toServerPath("/app", "/x"), "/app/x");
  assert.equal(toClientPath("/app", "/app"), "/");
  assert.equal(toClientPath("/app", "/app/x"), "/x");
  assert.equal(toClientPath("/app", "/application"), "/application");
});

test("an event stream that falls more than its capacity behind ends with an overflow error", async () => {
  let finished = 0;
  const stream = new EventStream<number>(2, () => finished++);
  stream.push(1);
  stream.push(2);
  stream.push(3);
  assert.equal(finished, 1);
  await assert.rejects(
    stream.next(),
    (error: unknown) => error instanceof ClientError && error.code === "PDK_EVENTS_OVERFLOW",
  );
  assert.equal((await stream.next()).done, true);
});

test("an event stream delivers buffered events before it ends, and break ends it quietly", async () => {
  const stream = new EventStream<number>(10);
  stream.push(1);
  stream.end();
  assert.deepEqual(await stream.next(), { value: 1, done: false });
  assert.equal((await stream.next()).done, true);
  const other = new EventStream<number>(10);
  other.push(5);
  for await (const value of other) {
    assert.equal(value, 5);
    break;
  }
  assert.equal(other.open, false);
});

test("one notification fires data and exist watches once; deletion also fires child watches; recursive skips childrenChanged", () => {
  const table = new WatchTable(100);
  const seen: string[] = [];
  const watcher =
    (name: string) =>
    (event: WatchEvent): void => {
      seen.push(`${name}:${event.type}`);
    };
  table.addOneTime("data", "/a", watcher("data"));
  table.addOneTime("exist", "/a", watcher("exist"));
  table.addOneTime("child", "/a", watcher("child"));
  const recursive = new EventStream<NodeEvent>(10);
  table.addStream("recursive", "/", recursive);
  const event = (type: NodeEvent["type"], path: string): NodeEvent => ({ type, path, zxid: -1n });
  table.dispatch(event("dataChanged", "/a"));
  table.dispatch(event("dataChanged", "/a"));
  table.dispatch(event("childrenChanged", "/a"));
  table.dispatch(event("deleted", "/a"));
  assert.deepEqual(seen, ["data:dataChanged", "exist:dataChanged", "child:childrenChanged"]);
  assert.equal(table.size, 1);
  recursive.end();
  assert.equal(table.removeStream("recursive", "/", recursive), true);
});
