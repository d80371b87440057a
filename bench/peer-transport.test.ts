// Keeps the peer transport benchmark from rotting: a tiny run must deliver every message and the
// snapshot and report positive rates. Rates are printed by the script, never asserted here.

import assert from "node:assert/strict";
import { test } from "node:test";
import { benchPeerTransport } from "./peer-transport.js";

test("the peer transport benchmark delivers every message and the snapshot in a tiny run", async () => {
  const r = await benchPeerTransport({ messages: 2000, snapshotBytes: 3 * 1024 * 1024 + 5, rounds: 1 });
  for (const rate of [r.messagesPerSecond, r.rawMessagesPerSecond, r.snapshotMBps, r.rawSnapshotMBps]) {
    assert.ok(Number.isFinite(rate) && rate > 0, JSON.stringify(r));
  }
});
