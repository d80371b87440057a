// Per-peer send queues are bounded: when a peer stops reading, Raft messages beyond the bound are
// dropped and counted while service payloads are refused to the caller, and both flow again once the
// peer reads. Service payloads arrive in exactly the order sent, and when the quorum connection
// breaks the sender hears onPeerDown and sendService refuses until it is back.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { emptyMessage, MessageType } from "../../../src/consensus/types.js";
import { Channel } from "../../../src/server/peer/channel.js";
import { addresses, bothUp, eventually, member, RawPeer, removeDirs, stop } from "./support.js";

function append(to: number, bytes: number) {
  const m = emptyMessage(MessageType.App, 1, to, 1);
  m.entries = [{ term: 1, index: 1, zxid: 1n, type: 0, data: new Uint8Array(bytes) }];
  return m;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("peer send queues", () => {
  test("a peer that stops reading gets raft messages dropped and service payloads refused, then both resume", async () => {
    const all = await addresses([1, 3]);
    const limits = { queueBytesMax: 256 * 1024, queueFramesMax: 1000 };
    const a = await member(1, all, { limits });
    const raw = await RawPeer.dial(all.get(1)!.quorumPort);
    try {
      raw.hello(3, Channel.Quorum);
      await eventually("3 accepted", () => a.recorder.ups.length === 1);
      raw.socket.pause();
      // Fill the kernel's buffers and then the queue, a batch per turn, until the bound refuses.
      let refusedAt = -1;
      for (let k = 0; k < 100_000 && refusedAt < 0; k++) {
        for (let j = 0; j < 8; j++) a.transport.send(append(3, 4096));
        if (!a.transport.sendService(3, new Uint8Array(4096))) refusedAt = k;
        await turn();
      }
      assert.ok(refusedAt >= 0, "the queue never filled");
      const full = a.transport.stats()[0]!;
      assert.ok(full.raftDropped > 0, "raft messages were dropped");
      assert.ok(full.serviceRefused >= 1);
      assert.ok(full.quorum.queuedBytes <= limits.queueBytesMax, `${full.quorum.queuedBytes} queued`);
      assert.ok(full.quorum.queuedFrames <= limits.queueFramesMax);
      assert.ok(a.recorder.downs.length === 0, "a full queue is not a lost connection");
      raw.socket.resume();
      await eventually("queue drained", () => a.transport.stats()[0]!.quorum.queuedFrames === 0);
      assert.equal(a.transport.sendService(3, new Uint8Array(10)), true);
      const dropped = a.transport.stats()[0]!.raftDropped;
      a.transport.send(append(3, 10));
      assert.equal(a.transport.stats()[0]!.raftDropped, dropped, "no drop once drained");
    } finally {
      raw.destroy();
      await stop(a);
      await removeDirs(a);
    }
  });

  test("service payloads arrive in the order sent, whatever their sizes and batching", async () => {
    const all = await addresses([1, 2]);
    const a = await member(1, all);
    const b = await member(2, all);
    try {
      await eventually("up", () => bothUp(a, 2) && bothUp(b, 1));
      const count = 3000;
      let sent = 0;
      while (sent < count) {
        // A varying number per turn, sizes from 4 bytes to 64 KiB, each numbered in its first bytes.
        for (let j = 0; j < 1 + (sent % 37) && sent < count; j++, sent++) {
          const payload = new Uint8Array(4 + ((sent * 7919) % 65536));
          new DataView(payload.buffer).setUint32(0, sent);
          assert.equal(b.transport.sendService(1, payload), true);
        }
        await turn();
      }
      await eventually("all payloads", () => a.recorder.service.length === count);
      a.recorder.service.forEach(({ from, payload }, k) => {
        assert.equal(from, 2);
        assert.equal(new DataView(payload.buffer, payload.byteOffset).getUint32(0), k);
        assert.equal(payload.length, 4 + ((k * 7919) % 65536));
      });
    } finally {
      await stop(a, b);
      await removeDirs(a, b);
    }
  });

  test("a broken quorum connection is reported with onPeerDown and service payloads are refused until it is back", async () => {
    const all = await addresses([1, 2]);
    const a = await member(1, all);
    const b = await member(2, all);
    try {
      await eventually("up", () => bothUp(a, 2) && bothUp(b, 1));
      assert.equal(b.transport.sendService(1, new Uint8Array([1])), true);
      await stop(a);
      await eventually("2 sees 1's quorum channel down", () =>
        b.recorder.downs.some((d) => d.id === 1 && d.channel === Channel.Quorum),
      );
      assert.equal(b.transport.sendService(1, new Uint8Array([2])), false);
      await removeDirs(a);
      const a2 = await member(1, all);
      await eventually("back up", () => bothUp(a2, 2) && bothUp(b, 1));
      assert.equal(b.transport.sendService(1, new Uint8Array([3])), true);
      await eventually("payload after reconnect", () => a2.recorder.service.length === 1);
      assert.deepEqual([...a2.recorder.service[0]!.payload], [3]);
      await stop(a2);
      await removeDirs(a2);
    } finally {
      await stop(a, b);
      await removeDirs(a, b);
    }
  });
});
