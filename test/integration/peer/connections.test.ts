// Peer transports on loopback: every pair connects once per channel and carries Raft messages to the
// right member, a restarted member is reconnected, servers started together settle on one connection
// per pair and channel without flapping, membership changes at runtime, and close() leaves no
// socket or timer behind.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { emptyMessage, type Message, MessageType } from "../../../src/consensus/types.js";
import { Channel } from "../../../src/server/peer/channel.js";
import { decodeHelloReply } from "../../../src/server/peer/handshake.js";
import { addresses, bothUp, eventually, member, RawPeer, removeDirs, stop } from "./support.js";

function heartbeat(from: number, to: number, commit: number): Message {
  return { ...emptyMessage(MessageType.Heartbeat, from, to, 3), commit };
}

function append(from: number, to: number, index: number): Message {
  const m = emptyMessage(MessageType.App, from, to, 3);
  m.index = index;
  m.entries = [
    { term: 3, index: index + 1, zxid: (3n << 32n) | BigInt(index + 1), type: 0, data: new Uint8Array(100) },
  ];
  return m;
}

/** Sockets, listeners and timers alive in this process, as a comparable string. */
function lingering(): string {
  const kinds = new Set(["TCPSocketWrap", "TCPServerWrap", "Timeout", "Immediate"]);
  return JSON.stringify(
    process
      .getActiveResourcesInfo()
      .filter((r) => kinds.has(r))
      .sort(),
  );
}

describe("peer connections", () => {
  test("three servers started together connect each pair once per channel and deliver every message type", async () => {
    const all = await addresses([1, 2, 3]);
    const members = await Promise.all([1, 2, 3].map((id) => member(id, all)));
    const [a, b, c] = members as [(typeof members)[0], (typeof members)[0], (typeof members)[0]];
    try {
      await eventually("every pair up", () =>
        members.every((m) => [1, 2, 3].filter((id) => id !== m.id).every((id) => bothUp(m, id))),
      );
      for (let type = 1; type <= 13; type++) {
        for (const from of members) {
          for (const to of [1, 2, 3].filter((id) => id !== from.id)) {
            from.transport.send({ ...emptyMessage(type as MessageType, from.id, to, 5), context: type });
          }
        }
      }
      await eventually("all 78 messages", () => members.every((m) => m.recorder.messages.length === 26));
      for (const m of members) {
        assert.ok(m.recorder.messages.every((msg) => msg.to === m.id && msg.from !== m.id));
        assert.deepEqual(
          m.recorder.messages.filter((msg) => msg.type === MessageType.Heartbeat).length,
          2,
          "one heartbeat from each other member",
        );
      }
      // Servers that dialed at the same moment must still hold exactly one connection per pair and
      // channel: each member saw each peer come up once per channel and never go down.
      for (const m of [a, b, c]) {
        assert.equal(m.recorder.ups.length, 4, `${m.id}: ${JSON.stringify(m.recorder.ups)}`);
        assert.equal(m.recorder.downs.length, 0);
      }
    } finally {
      await stop(...members);
      await removeDirs(...members);
    }
  });

  test("a member that restarts is reconnected and receives messages again", async () => {
    const all = await addresses([1, 2]);
    const a = await member(1, all);
    let b = await member(2, all);
    try {
      await eventually("1-2 up", () => bothUp(a, 2) && bothUp(b, 1));
      await stop(b);
      await eventually("1 sees 2 down on both channels", () => a.recorder.downs.length === 2);
      assert.deepEqual(
        new Set(a.recorder.downs.map((d) => d.channel)),
        new Set([Channel.Quorum, Channel.Election]),
      );
      a.transport.send(heartbeat(1, 2, 1));
      assert.equal(
        a.transport.stats()[0]!.raftDropped,
        1,
        "a message to a peer that is down is dropped and counted",
      );
      await removeDirs(b);
      b = await member(2, all);
      await eventually("1-2 up again", () => bothUp(a, 2) && bothUp(b, 1));
      a.transport.send(heartbeat(1, 2, 7));
      b.transport.send(heartbeat(2, 1, 8));
      await eventually(
        "messages both ways",
        () => b.recorder.messages.length === 1 && a.recorder.messages.length === 1,
      );
      assert.equal(b.recorder.messages[0]!.commit, 7);
      assert.equal(a.recorder.messages[0]!.commit, 8);
    } finally {
      await stop(a, b);
      await removeDirs(a, b);
    }
  });

  test("a second handshake from the same peer replaces the first connection without a dial back", async () => {
    const all = await addresses([1, 3]);
    const a = await member(1, all, { peers: all });
    try {
      // Server 3 is configured but not running; two raw connections claim to be it, one after the other.
      const first = await RawPeer.dial(all.get(1)!.electionPort);
      first.hello(3, Channel.Election);
      await eventually("first accepted", () => a.recorder.ups.length === 1);
      const second = await RawPeer.dial(all.get(1)!.electionPort);
      second.hello(3, Channel.Election);
      await eventually("first replaced", () => first.closed && a.recorder.ups.length === 2);
      assert.equal(a.recorder.downs.length, 1);
      assert.equal(decodeHelloReply(second.frames[0]!.payload).refusal, "");
      assert.ok(a.recorder.logged(/replaced by a newer connection/));
      second.destroy();
    } finally {
      await stop(a);
      await removeDirs(a);
    }
  });

  test("peers added at runtime are connected and removed ones disconnected", async () => {
    const all = await addresses([1, 2, 3]);
    const onlyTwo = new Map([...all].filter(([id]) => id !== 3));
    const a = await member(1, all, { peers: onlyTwo, limits: { refusedRetryMs: 50 } });
    const c = await member(3, all, { limits: { refusedRetryMs: 50 } });
    try {
      await eventually("3 refused by 1", () =>
        c.recorder.logged(/server 1 refused our .* not in server 1's server list/),
      );
      assert.ok(
        a.recorder.logged(/refused a .* \(claiming server 3\): server id 3 is not in server 1's server list/),
      );
      a.transport.setPeers(all);
      await eventually("1-3 up after setPeers", () => bothUp(a, 3) && bothUp(c, 1));
      a.transport.setPeers(onlyTwo);
      await eventually("1-3 down after removal", () => c.recorder.downs.length === 2);
      assert.deepEqual(
        a.transport.stats().map((p) => p.id),
        [2],
      );
    } finally {
      await stop(a, c);
      await removeDirs(a, c);
    }
  });

  test("appends and a heartbeat travel on separate channels: each channel's queue holds only its own", async () => {
    const all = await addresses([1, 2]);
    const a = await member(1, all);
    const b = await member(2, all);
    try {
      await eventually("up", () => bothUp(a, 2) && bothUp(b, 1));
      // Queue appends and a heartbeat in one turn: the appends sit in the quorum queue only.
      for (let k = 0; k < 50; k++) b.transport.send(append(2, 1, k));
      b.transport.send(heartbeat(2, 1, 9));
      const s = b.transport.stats()[0]!;
      assert.equal(s.quorum.queuedFrames, 50);
      assert.equal(s.election.queuedFrames, 1);
      await eventually("delivered", () => a.recorder.messages.length === 51);
      const apps = a.recorder.messages.filter((m) => m.type === MessageType.App).map((m) => m.index);
      assert.deepEqual(apps, [...Array(50).keys()], "appends arrive in order");
    } finally {
      await stop(a, b);
      await removeDirs(a, b);
    }
  });

  test("close() leaves no socket, server or timer behind", async () => {
    const before = lingering();
    const all = await addresses([1, 2, 3]);
    const members = await Promise.all([1, 2].map((id) => member(id, all)));
    const [a, b] = members as [(typeof members)[0], (typeof members)[0]];
    try {
      await eventually("up", () => bothUp(a, 2) && bothUp(b, 1));
      // Server 3 never starts, so both keep a dial retry timer pending; one pending handshake too.
      const raw = await RawPeer.dial(all.get(1)!.quorumPort);
      a.transport.send(heartbeat(1, 2, 1));
      await stop(a, b);
      raw.destroy();
      await eventually("sockets and timers back to the baseline", () => lingering() === before);
    } finally {
      await stop(a, b);
      await removeDirs(a, b);
    }
  });
});
