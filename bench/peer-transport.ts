// Peer transport throughput on loopback, against raw TCP on the same machine and in the same
// process: Raft append messages per second (one 100-byte entry each, the shape of a small write) and
// snapshot streaming in MB/s (the receiver writes, fsyncs and renames the file, as it does for real).
// The raw-TCP baselines move the same bytes with no encoding, checksums, framing or disk checks, so
// the ratios say what the transport's own work costs. Run: `npx tsc -p . && node dist/bench/peer-transport.js [appends] [snapshot MiB] [rounds]`;
// each figure is the best of alternating rounds, since other work on the machine only slows a run.

import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { emptyMessage, type Message, MessageType } from "../src/consensus/types.js";
import { encodeFrame, FrameKind } from "../src/server/peer/frame.js";
import { encodeMessage } from "../src/server/peer/message-codec.js";
import type { PeerAddress } from "../src/server/peer/options.js";
import { PeerTransport } from "../src/server/peer/transport.js";
import { freeLoopbackPort } from "../test/support/ports.js";

const MiB = 1024 * 1024;
const turn = () => new Promise((resolve) => setImmediate(resolve));
const quiet = { info: () => {}, warn: (line: string) => console.error(line) };

export interface PeerBenchReport {
  messages: number;
  messagesPerSecond: number;
  rawMessagesPerSecond: number;
  snapshotBytes: number;
  snapshotMBps: number;
  rawSnapshotMBps: number;
}

function append(index: number): Message {
  const m = emptyMessage(MessageType.App, 2, 1, 3);
  m.index = index;
  m.commit = index;
  m.entries = [
    { term: 3, index: index + 1, zxid: (3n << 32n) | BigInt(index + 1), type: 0, data: new Uint8Array(100) },
  ];
  return m;
}

async function pair(dir: string) {
  const all = new Map<number, PeerAddress>();
  for (const id of [1, 2]) {
    all.set(id, {
      host: "127.0.0.1",
      quorumPort: await freeLoopbackPort(),
      electionPort: await freeLoopbackPort(),
    });
  }
  let received = 0;
  let snapshot: string | null = null;
  let sent: boolean | null = null;
  const a = new PeerTransport({
    selfId: 1,
    ensembleId: "bench",
    listen: all.get(1)!,
    peers: all,
    snapshotDir: join(dir, "1"),
    logger: quiet,
    events: { onMessage: () => received++, onSnapshot: (_m, path) => (snapshot = path) },
  });
  const b = new PeerTransport({
    selfId: 2,
    ensembleId: "bench",
    listen: all.get(2)!,
    peers: all,
    snapshotDir: join(dir, "2"),
    logger: quiet,
    events: { onSnapshotSent: (_to, ok) => (sent = ok) },
  });
  await a.start();
  await b.start();
  while (!b.stats()[0]!.quorum.connected || !a.stats()[0]!.quorum.connected) await turn();
  return { a, b, received: () => received, snapshot: () => snapshot, sent: () => sent };
}

/** Sends `count` appends, a batch per turn, keeping the queue below its bound so nothing drops. */
async function transportMessages(count: number, dir: string): Promise<number> {
  const p = await pair(dir);
  try {
    const start = performance.now();
    let next = 0;
    while (p.received() < count) {
      if (next < count && p.b.stats()[0]!.quorum.queuedFrames < 4096) {
        for (let k = 0; k < 512 && next < count; k++) p.b.send(append(next++));
      }
      await turn();
    }
    const seconds = (performance.now() - start) / 1000;
    if (p.b.stats()[0]!.raftDropped > 0)
      throw new Error("messages were dropped; the bench is not measuring delivery");
    return count / seconds;
  } finally {
    await p.a.close();
    await p.b.close();
  }
}

/** The same bytes per message over a bare socket, pre-encoded, counted but not parsed. */
async function rawMessages(count: number): Promise<number> {
  const frame = encodeFrame(FrameKind.Raft, encodeMessage(append(0)));
  const total = count * frame.length;
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  let bytes = 0;
  const done = new Promise<void>((resolve) =>
    server.on("connection", (s: Socket) =>
      s.on("data", (c: Buffer) => {
        bytes += c.length;
        if (bytes >= total) resolve();
      }),
    ),
  );
  const client = connect({ host: "127.0.0.1", port });
  await once(client, "connect");
  const start = performance.now();
  let sent = 0;
  while (sent < count) {
    client.cork();
    for (let k = 0; k < 512 && sent < count; k++, sent++) client.write(frame);
    client.uncork();
    if (client.writableLength > 4096 * frame.length) await once(client, "drain");
    else await turn();
  }
  await done;
  const seconds = (performance.now() - start) / 1000;
  client.destroy();
  server.close();
  return count / seconds;
}

async function sparseFile(dir: string, bytes: number): Promise<string> {
  const path = join(dir, "source.snap");
  const handle = await open(path, "w");
  await handle.truncate(bytes);
  await handle.close();
  return path;
}

async function transportSnapshot(path: string, bytes: number, dir: string): Promise<number> {
  const p = await pair(dir);
  try {
    const m = emptyMessage(MessageType.Snap, 2, 1, 3);
    m.snapshot = {
      meta: { index: 10, term: 3, zxid: 10n, conf: { voters: [1, 2], learners: [] } },
      data: new Uint8Array(0),
    };
    const start = performance.now();
    p.b.sendSnapshot(m, path);
    while (p.sent() === null) await new Promise((resolve) => setTimeout(resolve, 2));
    if (!p.sent()) throw new Error("the snapshot transfer failed");
    const seconds = (performance.now() - start) / 1000;
    await rm(p.snapshot()!);
    return bytes / MiB / seconds;
  } finally {
    await p.a.close();
    await p.b.close();
  }
}

/** File to socket to file, then fsync: what any copy over TCP must do at the least. */
async function rawSnapshot(path: string, bytes: number, dir: string): Promise<number> {
  const target = join(dir, "raw.snap");
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  const received = new Promise<void>((resolve, reject) =>
    server.on("connection", (s: Socket) => {
      const out = createWriteStream(target);
      s.pipe(out);
      out.on("error", reject);
      out.on("close", async () => {
        const handle = await open(target, "r+");
        await handle.sync();
        await handle.close();
        resolve();
      });
    }),
  );
  const start = performance.now();
  const client = connect({ host: "127.0.0.1", port });
  createReadStream(path, { highWaterMark: MiB }).pipe(client);
  await received;
  const seconds = (performance.now() - start) / 1000;
  server.close();
  await rm(target);
  return bytes / MiB / seconds;
}

export async function benchPeerTransport(options: {
  messages: number;
  snapshotBytes: number;
  rounds: number;
}): Promise<PeerBenchReport> {
  const dir = await mkdtemp(join(tmpdir(), "paddock-peer-bench-"));
  try {
    let messagesPerSecond = 0;
    let rawMessagesPerSecond = 0;
    for (let round = 0; round < options.rounds; round++) {
      rawMessagesPerSecond = Math.max(rawMessagesPerSecond, await rawMessages(options.messages));
      messagesPerSecond = Math.max(messagesPerSecond, await transportMessages(options.messages, dir));
    }
    const path = await sparseFile(dir, options.snapshotBytes);
    // Alternate, best of each: the page cache and writeback of one run must not favour the other.
    let snapshotMBps = 0;
    let rawSnapshotMBps = 0;
    for (let round = 0; round < options.rounds; round++) {
      rawSnapshotMBps = Math.max(rawSnapshotMBps, await rawSnapshot(path, options.snapshotBytes, dir));
      snapshotMBps = Math.max(snapshotMBps, await transportSnapshot(path, options.snapshotBytes, dir));
    }
    return {
      messages: options.messages,
      snapshotBytes: options.snapshotBytes,
      messagesPerSecond,
      rawMessagesPerSecond,
      snapshotMBps,
      rawSnapshotMBps,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const messages = Number(process.argv[2] ?? 1_000_000);
  const snapshotBytes = Number(process.argv[3] ?? 1024) * MiB;
  const rounds = Number(process.argv[4] ?? 3);
  const r = await benchPeerTransport({ messages, snapshotBytes, rounds });
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  console.log(
    `peer transport on loopback (one process, ${messages} appends of one 100-byte entry, best of ${rounds})`,
  );
  console.log(
    `  appends/s      transport ${fmt(r.messagesPerSecond)}   raw TCP ${fmt(r.rawMessagesPerSecond)}   ratio ${(r.messagesPerSecond / r.rawMessagesPerSecond).toFixed(2)}`,
  );
  console.log(
    `  snapshot MB/s  transport ${fmt(r.snapshotMBps)}   raw TCP ${fmt(r.rawSnapshotMBps)}   ratio ${(r.snapshotMBps / r.rawSnapshotMBps).toFixed(2)}   (${snapshotBytes / MiB} MiB, fsynced)`,
  );
}
