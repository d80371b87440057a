// A transport refuses every connection that is not a configured peer of its own ensemble speaking
// the protocol (another ensemble, an unknown id, its own id, garbage bytes, an oversized frame, a
// peer that turns to nonsense after its handshake), logs why, closes that connection and keeps
// serving its real peers. A refused dialer waits refusedRetryMs, not a tight loop.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { emptyMessage, MessageType } from "../../../src/consensus/types.js";
import { Channel } from "../../../src/server/peer/channel.js";
import { FrameKind } from "../../../src/server/peer/frame.js";
import { decodeHelloReply } from "../../../src/server/peer/handshake.js";
import { encodeMessage } from "../../../src/server/peer/message-codec.js";
import { addresses, bothUp, eventually, type Member, member, RawPeer, removeDirs, stop } from "./support.js";

/** Checks that server 1 still exchanges messages with server 2 after whatever the test did. */
async function stillServing(a: Member, b: Member): Promise<void> {
  await eventually("1-2 up", () => bothUp(a, 2) && bothUp(b, 1));
  const before = a.recorder.messages.length;
  b.transport.send({ ...emptyMessage(MessageType.Heartbeat, 2, 1, 1), commit: 42 });
  await eventually("a heartbeat from 2", () => a.recorder.messages.length === before + 1);
  assert.equal(a.recorder.messages.at(-1)!.commit, 42);
}

describe("peer handshake refusals", () => {
  test("a member of another ensemble is refused on both sides with a clear log line and is not redialed soon", async () => {
    const all = await addresses([1, 2]);
    const a = await member(1, all);
    const b = await member(2, all, { ensembleId: "another-ensemble" });
    try {
      await eventually(
        "refusal logged on both sides",
        () =>
          a.recorder.logged(
            /WARN refused a quorum connection .* \(claiming server 2\): ensemble "another-ensemble" is not this server's ensemble "test-ensemble"/,
          ) && b.recorder.logged(/WARN server 1 refused our quorum connection: ensemble "another-ensemble"/),
      );
      await eventually("both channels refused", () => b.recorder.logged(/refused our election connection/));
      // The dialer schedules its next attempt after refusedRetryMs (60 s here), never the short backoff.
      await eventually("retry scheduled", () => b.clock.delays.filter((d) => d === 60_000).length === 2);
      assert.equal(a.recorder.ups.length + b.recorder.ups.length, 0);
      assert.equal(a.recorder.logs.filter((l) => /refused a/.test(l)).length, 2, "one refusal per channel");
    } finally {
      await stop(a, b);
      await removeDirs(a, b);
    }
  });

  test("a server with an unknown id, or this server's own id, is refused with the reason", async () => {
    const all = await addresses([1, 2]);
    const a = await member(1, all);
    const b = await member(2, all);
    try {
      const unknown = await RawPeer.dial(all.get(1)!.quorumPort);
      unknown.hello(9, Channel.Quorum);
      await eventually("refused 9", () => unknown.closed && unknown.frames.length === 1);
      assert.match(
        decodeHelloReply(unknown.frames[0]!.payload).refusal,
        /server id 9 is not in server 1's server list/,
      );
      const self = await RawPeer.dial(all.get(1)!.electionPort);
      self.hello(1, Channel.Election);
      await eventually("refused own id", () => self.closed && self.frames.length === 1);
      assert.match(
        decodeHelloReply(self.frames[0]!.payload).refusal,
        /is this server's own id; two servers share a myid/,
      );
      const wrongPort = await RawPeer.dial(all.get(1)!.electionPort);
      wrongPort.hello(2, Channel.Quorum);
      await eventually("refused wrong port", () => wrongPort.closed);
      assert.match(
        decodeHelloReply(wrongPort.frames[0]!.payload).refusal,
        /quorum connection arrived on the election port/,
      );
      assert.ok(a.recorder.logged(/claiming server 9/) && a.recorder.logged(/claiming server 1/));
      await stillServing(a, b);
    } finally {
      await stop(a, b);
      await removeDirs(a, b);
    }
  });

  test("garbage bytes, an oversized frame and silence close that connection with a logged reason", async () => {
    const all = await addresses([1, 2]);
    const a = await member(1, all, { limits: { handshakeTimeoutMs: 300 } });
    const b = await member(2, all);
    try {
      const http = await RawPeer.dial(all.get(1)!.quorumPort);
      http.socket.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
      await eventually("http closed", () => http.closed);
      const huge = await RawPeer.dial(all.get(1)!.electionPort);
      const header = Buffer.alloc(8);
      header.writeUInt32BE(1 << 30, 0);
      huge.socket.write(header);
      await eventually("huge closed", () => huge.closed);
      assert.ok(
        a.recorder.logged(
          /WARN closed a quorum connection from 127\.0\.0\.1:\d+ before its handshake: protocol error/,
        ),
      );
      assert.ok(
        a.recorder.logged(
          /WARN closed a election connection from .* frame length 1073741824 is outside 1\.\.2048/,
        ),
      );
      const silent = await RawPeer.dial(all.get(1)!.quorumPort);
      await eventually("silent closed", () => silent.closed);
      assert.ok(a.recorder.logged(/before its handshake: no handshake in 300 ms/));
      await stillServing(a, b);
    } finally {
      await stop(a, b);
      await removeDirs(a, b);
    }
  });

  test("a peer that sends nonsense after its handshake is disconnected while the others are served", async () => {
    const all = await addresses([1, 2, 3]);
    const a = await member(1, all);
    const b = await member(2, all);
    try {
      await eventually("1-2 up", () => bothUp(a, 2));
      // Server 3 is configured but absent; a raw peer takes its place and misbehaves three ways.
      const cases: [string, (raw: RawPeer) => void, RegExp][] = [
        [
          "a corrupt raft message",
          (raw) => raw.send(FrameKind.Raft, new Uint8Array([1, 0, 0xff])),
          /raft message:/,
        ],
        [
          "a message claiming another sender",
          (raw) => raw.send(FrameKind.Raft, encodeMessage(emptyMessage(MessageType.Heartbeat, 2, 1, 1))),
          /a message from 2 to 1 arrived on server 3's connection/,
        ],
        [
          "a second handshake",
          (raw) => raw.hello(3, Channel.Quorum),
          /unexpected frame kind 1 after the handshake/,
        ],
      ];
      for (const [what, misbehave, reason] of cases) {
        const raw = await RawPeer.dial(all.get(1)!.quorumPort);
        raw.hello(3, Channel.Quorum);
        await eventually(`3 accepted before ${what}`, () => raw.frames.length === 1 && bothUp(a, 2));
        misbehave(raw);
        await eventually(`closed after ${what}`, () => raw.closed);
        assert.ok(a.recorder.logged(reason), `${what}: ${a.recorder.logs.join("\n")}`);
      }
      assert.equal(a.recorder.messages.length, 0, "nothing from the misbehaving peer was delivered");
      await stillServing(a, b);
    } finally {
      await stop(a, b);
      await removeDirs(a, b);
    }
  });
});
