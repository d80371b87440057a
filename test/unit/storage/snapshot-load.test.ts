// The fast snapshot load: records decoded straight from large read blocks (in a worker thread for
// large files), each ACL list interned once, and the digest summed as nodes are restored instead of
// a second pass over the tree. These tests prove the loaded state and its digest equal the live
// machine's, decoded on either thread, including chunks larger than a read block and chunks that
// straddle block boundaries, and that a snapshot repeating a node or with a damaged chunk is
// refused as corrupt rather than loaded.

import assert from "node:assert/strict";
import { test } from "node:test";
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from "../../../src/protocol/data.js";
import { JuteWriter } from "../../../src/protocol/jute.js";
import { StateMachine } from "../../../src/state/machine.js";
import { SnapshotCapture, SnapshotLoader } from "../../../src/state/snapshot.js";
import { NodeRecordPreparer, SnapshotContentError } from "../../../src/state/snapshot-records.js";
import { SimFileSystem } from "../../../src/storage/sim-file-system.js";
import { readSnapshot, snapshotName, writeSnapshot } from "../../../src/storage/snapshot-file.js";
import { type Step, toEntries } from "../state/arbitraries.js";
import { DATA_DIR } from "./node.js";
import { turn } from "./support.js";

function create(path: string, data: Buffer | null, k: number): Step {
  return {
    txn: {
      kind: "create",
      opcode: 1,
      // Alternating ACLs, persistent and ephemeral nodes, and null data exercise every field.
      request: { path, data, acl: k % 3 === 0 ? READ_ACL_UNSAFE : OPEN_ACL_UNSAFE, flags: k % 2, ttl: -1n },
    },
    sessionId: 1n,
    authIds: [],
  };
}

function remove(path: string): Step {
  return { txn: { kind: "delete", request: { path, version: -1 } }, sessionId: 1n, authIds: [] };
}

function setData(path: string, data: Buffer): Step {
  return { txn: { kind: "setData", request: { path, data, version: -1 } }, sessionId: 1n, authIds: [] };
}

function machineWith(steps: Step[]): StateMachine {
  const m = new StateMachine();
  for (const e of toEntries([
    { txn: { kind: "createSession", timeoutMs: 30000 }, sessionId: 1n, authIds: [] },
    ...steps,
  ]))
    m.apply(e);
  return m;
}

/** Writes a snapshot of `m` to a fresh simulated disk; `yieldTurn` runs between its chunks. */
async function writeToSim(
  m: StateMachine,
  nodesPerChunk: number,
  seed: number,
  yieldTurn: () => Promise<void> = turn,
): Promise<{ fs: SimFileSystem; path: string }> {
  const fs = new SimFileSystem(seed);
  await fs.mkdirp(DATA_DIR);
  const summary = await writeSnapshot(new SnapshotCapture(m), {
    fs,
    dir: DATA_DIR,
    position: { index: 7, conf: { voters: [1, 2, 3], learners: [4] } },
    nodesPerChunk,
    yieldTurn,
  });
  return { fs, path: `${DATA_DIR}/${snapshotName(summary.zxid)}` };
}

async function roundTrip(
  m: StateMachine,
  nodesPerChunk: number,
  decode: "worker" | "main" = "main",
): Promise<StateMachine> {
  const { fs, path } = await writeToSim(m, nodesPerChunk, 3);
  const read = await readSnapshot(fs, path, {}, { decode });
  assert.equal(read.summary.digest, m.digest(), "the summary carries the live machine's digest");
  assert.deepEqual(read.position, { index: 7, conf: { voters: [1, 2, 3], learners: [4] } });
  return read.machine!;
}

test("a snapshot whose chunks are larger than a read block loads back to the same state and digest", async () => {
  // 1 MiB of data per node and 8 nodes per chunk: each chunk spans two 4 MiB read blocks or more.
  const steps = Array.from({ length: 24 }, (_, k) => create(`/big${k}`, Buffer.alloc(1024 * 1024, k), k));
  const m = machineWith(steps);
  assert.equal(m.tree.nodeCount, 4 + 24, "every node was created");
  const loaded = await roundTrip(m, 8);
  assert.equal(loaded.digest(), m.digest());
  assert.equal(loaded.tree.nodeCount, m.tree.nodeCount);
});

test("a snapshot of many small chunks straddling block boundaries loads back to the same state and digest", async () => {
  // k = 2 makes /a persistent with an open ACL, so every child below is created.
  const steps: Step[] = [create("/a", null, 2)];
  for (let k = 0; k < 3000; k++)
    steps.push(create(`/a/n${k}`, k % 7 === 0 ? null : Buffer.alloc(1500 + (k % 300), k), k));
  const m = machineWith(steps);
  assert.equal(m.tree.nodeCount, 4 + 1 + 3000, "every node was created");
  const loaded = await roundTrip(m, 7);
  assert.equal(loaded.digest(), m.digest(), "the tree as loaded has the digest summed while decoding");
  assert.deepEqual(loaded.tree.statOf(loaded.tree.get("/a/n42")!), m.tree.statOf(m.tree.get("/a/n42")!));
  assert.deepEqual(loaded.tree.aclOf(loaded.tree.get("/a/n3")!), READ_ACL_UNSAFE);
  assert.equal(loaded.tree.dataOf(loaded.tree.get("/a/n7")!), null);
});

test("a snapshot chunk that repeats a node is refused as corrupt, not loaded over the first copy", () => {
  const m = machineWith([create("/dup", Buffer.from("x"), 1)]);
  const capture = new SnapshotCapture(m);
  const chunks: Buffer[] = [];
  for (let chunk = capture.nextChunk(1_000); chunk !== undefined; chunk = capture.nextChunk(1_000))
    chunks.push(chunk);
  const all = Buffer.concat(chunks.map((c) => c.subarray(4)));
  const count = chunks.reduce((n, c) => n + c.readInt32BE(0), 0);
  // The same records twice in one chunk: every node, /dup included, appears a second time.
  const w = new JuteWriter(2 * all.length + 8);
  w.writeInt(2 * count);
  const doubled = Buffer.concat([Buffer.from(w.finish()), all, all]);
  const loader = new SnapshotLoader({});
  assert.throws(
    () => loader.addNodes(doubled, new NodeRecordPreparer().prepare(doubled)),
    (e: unknown) => e instanceof SnapshotContentError,
  );
});

test("chunks decoded in a worker thread load the same state as on the main thread", async () => {
  const steps: Step[] = [create("/w", null, 2)];
  for (let k = 0; k < 2000; k++) steps.push(create(`/w/n${k}`, k % 5 === 0 ? null : Buffer.from(`v${k}`), k));
  // A non-ASCII path: the decoder hashes it from the decoded string, not from its bytes.
  steps.push(create("/w/caf\u00e9-\u{1f600}", Buffer.from("x"), 1));
  const m = machineWith(steps);
  const inWorker = await roundTrip(m, 37, "worker");
  const onMain = await roundTrip(m, 37, "main");
  assert.equal(inWorker.digest(), m.digest());
  assert.equal(onMain.digest(), m.digest());
  assert.equal(
    inWorker.tree.recomputeDigest(),
    inWorker.tree.digest(),
    "the terms the worker computed are the tree's",
  );
  assert.deepEqual(inWorker.tree.childrenOf(inWorker.tree.get("/w")!), m.tree.childrenOf(m.tree.get("/w")!));
  assert.deepEqual(inWorker.tree.dataOf(inWorker.tree.get("/w/n7")!), Buffer.from("v7"));
});

test("a damaged chunk is refused as corrupt at its offset whichever thread decodes it", async () => {
  const steps: Step[] = [];
  for (let k = 0; k < 200; k++) steps.push(create(`/d${k}`, Buffer.from(`value ${k}`), k));
  const m = machineWith(steps);
  for (const decode of ["worker", "main"] as const) {
    const { fs, path } = await writeToSim(m, 50, 5);
    const bytes = await fs.readFile(path);
    // A byte in the middle of the second node chunk's records.
    const f = await fs.open(path, "append");
    const at = Math.floor(bytes.length / 2);
    await f.write(Buffer.from([bytes[at]! ^ 0x10]), at);
    await f.close();
    await assert.rejects(readSnapshot(fs, path, {}, { decode }), (e: unknown) => {
      assert.match((e as Error).message, /is corrupt at byte \d+ \(chunk checksum mismatch\)/);
      return true;
    });
  }
});

test("paths loaded from a snapshot stay in its image until used, and act like the strings they were", async () => {
  const steps: Step[] = [create("/q", null, 2)];
  for (let k = 0; k < 100; k++) steps.push(create(`/q/c${k}`, Buffer.from(`v${k}`), 2));
  // Kept as strings from the start: a non-ASCII path, and quota nodes (their roots are indexed).
  steps.push(create("/q/caf\u00e9", Buffer.from("x"), 2));
  steps.push(create("/zookeeper/quota/q", null, 2));
  steps.push(create("/zookeeper/quota/q/zookeeper_limits", Buffer.from("count=10,bytes=-1"), 2));
  const m = machineWith(steps);
  const loaded = await roundTrip(m, 16);
  const t = loaded.tree;
  const inImage = () => [...t.nodes()].filter((n) => typeof t.storedPathOf(n) !== "string").length;
  // /q itself was looked up by path when its quota usage was counted.
  assert.equal(inImage(), 100, "the ASCII children of /q keep their paths in the image");
  assert.deepEqual(t.quotaRoots().roots(), m.tree.quotaRoots().roots());
  assert.deepEqual(t.childrenOf(t.get("/q")!), m.tree.childrenOf(m.tree.get("/q")!));
  assert.equal(inImage(), 100, "listing children leaves their paths in the image");
  assert.equal(t.pathOf(t.get("/q/c7")!), "/q/c7");
  assert.equal(inImage(), 99, "a lookup makes the path it found a string");

  // Changes to nodes whose paths are still in the image, on the loaded and on the original machine.
  const more: Step[] = [
    remove("/q/c1"),
    setData("/q/c2", Buffer.from("new")),
    create("/q/c1", Buffer.from("again"), 2),
  ];
  for (const e of toEntries(more, m.lastZxid + 1n)) {
    m.apply(e);
    loaded.apply(e);
  }
  assert.equal(loaded.digest(), m.digest());
  assert.equal(t.recomputeDigest(), t.digest());
  assert.deepEqual(t.childrenOf(t.get("/q")!), m.tree.childrenOf(m.tree.get("/q")!));

  // A snapshot of the loaded machine writes the paths still in the image as they are.
  const again = await roundTrip(loaded, 16);
  assert.equal(again.digest(), m.digest());
  // In slot order, where the recreated /q/c1 took its old slot: children are a set, as in ZooKeeper.
  const sorted = (tree: typeof t) => tree.childrenOf(tree.get("/q")!).sort();
  assert.deepEqual(sorted(again.tree), sorted(m.tree));
  assert.deepEqual(again.tree.dataOf(again.tree.get("/q/c99")!), Buffer.from("v99"));
});

test("a snapshot of a loaded tree, taken while nodes whose paths are still in the image change, holds the state at its zxid", async () => {
  const steps: Step[] = [create("/s", null, 2)];
  for (let k = 0; k < 200; k++) steps.push(create(`/s/c${k}`, Buffer.from(`v${k}`), 2));
  const loaded = await roundTrip(machineWith(steps), 16);
  const atCapture = loaded.digest();
  // Nodes late in slot order, so the walk has not reached them when they change.
  const changes: Step[] = [];
  for (let k = 180; k < 190; k++) {
    changes.push(remove(`/s/c${k}`), setData(`/s/c${k + 10}`, Buffer.from("changed")));
  }
  changes.push(create("/s/c180", Buffer.from("re-created"), 2));
  const entries = toEntries(changes, loaded.lastZxid + 1n);
  let applied = 0;
  const { fs, path } = await writeToSim(loaded, 8, 7, async () => {
    if (applied < entries.length) loaded.apply(entries[applied++]!);
  });
  assert.equal(applied, entries.length, "every change landed while the snapshot was being written");
  assert.notEqual(loaded.digest(), atCapture);
  const read = await readSnapshot(fs, path, {});
  const t = read.machine!.tree;
  assert.equal(read.machine!.digest(), atCapture, "the snapshot holds the state when it began");
  assert.deepEqual(t.dataOf(t.get("/s/c180")!), Buffer.from("v180"));
  assert.deepEqual(t.dataOf(t.get("/s/c195")!), Buffer.from("v195"));
});
