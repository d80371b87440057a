// Snapshot files stream from a leader to a follower in checksummed chunks: the follower gets an
// identical, fsynced file renamed into its snapshot directory; a bit flipped in flight, a connection
// cut mid-stream or a file over the receiver's bound fails the transfer on both sides and leaves no
// partial file; and heartbeats keep flowing on the election channel while hundreds of MB stream.

import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { open, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { emptyMessage, type Message, MessageType } from "../../../src/consensus/types.js";
import {
  addresses,
  bothUp,
  eventually,
  faultyRelay,
  type Member,
  member,
  removeDirs,
  stop,
} from "./support.js";

const MiB = 1024 * 1024;

function snap(index: number): Message {
  const m = emptyMessage(MessageType.Snap, 2, 1, 4);
  m.snapshot = {
    meta: { index, term: 4, zxid: (4n << 32n) | BigInt(index), conf: { voters: [1, 2, 3], learners: [4] } },
    data: new Uint8Array(0),
  };
  return m;
}

async function fileWith(bytes: number): Promise<{ path: string; sha: string }> {
  const data = randomBytes(bytes);
  const path = join(tmpdir(), `paddock-snap-${process.pid}-${Math.random().toString(36).slice(2)}.snap`);
  await writeFile(path, data);
  return { path, sha: createHash("sha256").update(data).digest("hex") };
}

async function sha(path: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(path))
    .digest("hex");
}

async function partials(m: Member): Promise<string[]> {
  return (await readdir(m.dir)).filter((n) => n.endsWith(".partial"));
}

/** Server 2 (the sender) reaches server 1's quorum port through a faulty relay when one is asked for. */
async function pair(options: { fault?: { flipAt?: number; cutAt?: number }; receiverLimits?: object } = {}) {
  const all = await addresses([1, 2]);
  const relay = options.fault ? await faultyRelay(all.get(1)!.quorumPort, options.fault) : null;
  const a = await member(1, all, { limits: options.receiverLimits ?? {} });
  const seen = new Map(all);
  if (relay) seen.set(1, { ...all.get(1)!, quorumPort: relay.port });
  const b = await member(2, all, { peers: seen });
  const close = async () => {
    await stop(a, b);
    await relay?.close();
    await removeDirs(a, b);
  };
  try {
    await eventually("up", () => bothUp(a, 2) && bothUp(b, 1));
  } catch (e) {
    await close();
    throw e;
  }
  return { a, b, close };
}

describe("snapshot streaming", () => {
  test("a snapshot file arrives whole, identical and renamed into the receiver's directory", async () => {
    const file = await fileWith(12 * MiB + 12345);
    const { a, b, close } = await pair();
    try {
      b.transport.sendSnapshot(snap(100), file.path);
      await eventually(
        "snapshot delivered and acknowledged",
        () => a.recorder.snapshots.length === 1 && b.recorder.snapshotsSent.length === 1,
      );
      assert.deepEqual(b.recorder.snapshotsSent, [{ to: 1, ok: true }]);
      const { m, path } = a.recorder.snapshots[0]!;
      assert.deepStrictEqual(m, snap(100));
      assert.ok(path.startsWith(a.dir));
      assert.equal(await sha(path), file.sha);
      assert.deepEqual(await partials(a), []);
      assert.equal(a.transport.stats()[0]!.snapshotsReceived, 1);
      assert.equal(b.transport.stats()[0]!.snapshotsSent, 1);
    } finally {
      await close();
      await rm(file.path);
    }
  });

  test("a bit flipped in a chunk in flight fails the transfer, leaves no partial file, and a retry succeeds", async () => {
    const file = await fileWith(8 * MiB);
    const p = await pair({ fault: { flipAt: 3 * MiB + 17 } });
    try {
      p.b.transport.sendSnapshot(snap(7), file.path);
      await eventually("transfer failed", () => p.b.recorder.snapshotsSent.length === 1);
      assert.deepEqual(p.b.recorder.snapshotsSent, [{ to: 1, ok: false }]);
      assert.ok(p.a.recorder.logged(/protocol error: frame checksum mismatch/), p.a.recorder.logs.join("\n"));
      assert.ok(p.b.recorder.logged(/sending snapshot .* to server 1 failed/));
      await eventually("partial file removed", () => p.a.recorder.logged(/removed .*\.partial/));
      assert.deepEqual(await partials(p.a), []);
      assert.equal(p.a.recorder.snapshots.length, 0);
      await eventually("reconnected", () => bothUp(p.a, 2) && bothUp(p.b, 1));
      p.b.transport.sendSnapshot(snap(7), file.path);
      await eventually(
        "retry delivered",
        () => p.a.recorder.snapshots.length === 1 && p.b.recorder.snapshotsSent.length === 2,
      );
      assert.deepEqual(p.b.recorder.snapshotsSent[1], { to: 1, ok: true });
      assert.equal(await sha(p.a.recorder.snapshots[0]!.path), file.sha);
    } finally {
      await p.close();
      await rm(file.path);
    }
  });

  test("a connection cut mid-stream fails the transfer on both sides and removes the partial file", async () => {
    const file = await fileWith(8 * MiB);
    const p = await pair({ fault: { cutAt: 5 * MiB } });
    try {
      p.b.transport.sendSnapshot(snap(8), file.path);
      await eventually("transfer failed", () => p.b.recorder.snapshotsSent.length === 1);
      assert.deepEqual(p.b.recorder.snapshotsSent, [{ to: 1, ok: false }]);
      assert.ok(p.b.recorder.logged(/quorum connection was lost/));
      await eventually("partial file removed on the receiver", () =>
        p.a.recorder.logged(/removed .*\.partial/),
      );
      assert.deepEqual(await partials(p.a), []);
      assert.equal(p.a.recorder.snapshots.length, 0);
      assert.equal(p.b.transport.stats()[0]!.snapshotsFailed, 1);
    } finally {
      await p.close();
      await rm(file.path);
    }
  });

  test("a snapshot over the receiver's bound is refused with the reason on both sides", async () => {
    const file = await fileWith(2 * MiB);
    const { a, b, close } = await pair({ receiverLimits: { snapshotBytesMax: MiB } });
    try {
      b.transport.sendSnapshot(snap(9), file.path);
      await eventually("refused", () => b.recorder.snapshotsSent.length === 1);
      assert.deepEqual(b.recorder.snapshotsSent, [{ to: 1, ok: false }]);
      assert.ok(
        a.recorder.logged(/WARN refused a snapshot from server 2: 2097152 bytes exceed the limit of 1048576/),
      );
      assert.ok(b.recorder.logged(/server 1 refused it: 2097152 bytes exceed the limit/));
      assert.deepEqual(await partials(a), []);
      assert.ok(bothUp(a, 2), "a refusal keeps the connection");
    } finally {
      await close();
      await rm(file.path);
    }
  });

  test("a second snapshot to the same peer while one is in flight is refused at once", async () => {
    const file = await fileWith(4 * MiB);
    const { a, b, close } = await pair();
    try {
      b.transport.sendSnapshot(snap(10), file.path);
      b.transport.sendSnapshot(snap(11), file.path);
      await eventually("both reported", () => b.recorder.snapshotsSent.length === 2);
      assert.deepEqual(b.recorder.snapshotsSent, [
        { to: 1, ok: false },
        { to: 1, ok: true },
      ]);
      assert.ok(b.recorder.logged(/another snapshot to it is still in flight/));
      await eventually("first delivered", () => a.recorder.snapshots.length === 1);
      assert.equal(a.recorder.snapshots[0]!.m.snapshot!.meta.index, 10);
    } finally {
      await close();
      await rm(file.path);
    }
  });

  test("heartbeats keep flowing on the election channel while a 256 MB snapshot streams", async () => {
    const path = join(tmpdir(), `paddock-sparse-${process.pid}.snap`);
    const handle = await open(path, "w");
    await handle.truncate(256 * MiB); // sparse: no disk for the sender's side
    await handle.close();
    const { a, b, close } = await pair();
    try {
      // Server 1 answers each heartbeat; server 2 sends the next one when the answer arrives, and
      // records how many snapshot bytes server 1 received during that round trip.
      let rounds = 0;
      let receivedAtSend = 0;
      let worstBytesPerRound = 0;
      const received = () => a.transport.stats()[0]!.bytesReceived;
      const ping = () => {
        receivedAtSend = received();
        b.transport.send(emptyMessage(MessageType.Heartbeat, 2, 1, 4));
      };
      a.recorder.onMessage = (m) => {
        if (m.type === MessageType.Heartbeat)
          a.transport.send(emptyMessage(MessageType.HeartbeatResp, 1, 2, 4));
      };
      b.recorder.onMessage = (m) => {
        if (m.type !== MessageType.HeartbeatResp) return;
        if (b.recorder.snapshotsSent.length === 0) {
          rounds++;
          worstBytesPerRound = Math.max(worstBytesPerRound, received() - receivedAtSend);
        }
        setImmediate(ping);
      };
      b.transport.sendSnapshot(snap(12), path);
      ping();
      await eventually("snapshot delivered", () => b.recorder.snapshotsSent.length === 1, 240_000);
      assert.deepEqual(b.recorder.snapshotsSent, [{ to: 1, ok: true }]);
      // 256 chunks streamed; heartbeats went round many times meanwhile, each within a few chunks.
      assert.ok(rounds >= 20, `only ${rounds} heartbeat round trips during the stream`);
      assert.ok(
        worstBytesPerRound <= 32 * MiB,
        `a round trip waited for ${worstBytesPerRound} snapshot bytes`,
      );
      b.recorder.onMessage = null;
    } finally {
      await close();
      await rm(path);
    }
  });
});
