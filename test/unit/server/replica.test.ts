// The replica drives the consensus core over real storage code on the simulated disk: alone in its
// membership it elects itself and commits what it made durable, keeps its term and vote across
// restarts, resumes from a crash with every acknowledged entry, folds snapshots into the core's log,
// and, as one member of several, replays at start-up only what it knows to be committed.

import assert from "node:assert/strict";
import { test } from "node:test";
import { type ConfState, defaultRaftTuning, zxidEpoch } from "../../../src/consensus/index.js";
import { OPEN_ACL_UNSAFE } from "../../../src/protocol/data.js";
import { Replica, ReplicaHooks } from "../../../src/server/replica.js";
import { type Entry, encodeEntry } from "../../../src/state/entry.js";
import { DurableEntryLog } from "../../../src/storage/durable-entry-log.js";
import { StorageError } from "../../../src/storage/errors.js";
import type { FileSystem } from "../../../src/storage/file-system.js";
import { readHardState, writeHardState } from "../../../src/storage/hard-state-file.js";
import { openStorage } from "../../../src/storage/open-storage.js";
import { SimFileSystem } from "../../../src/storage/sim-file-system.js";
import { LinesLogger, turn } from "../storage/support.js";

const DATA_DIR = "/data/snap";
const LOG_DIR = "/data/log";
const ALONE: ConfState = { voters: [1], learners: [] };

interface Booted {
  readonly replica: Replica;
  readonly committed: Entry[];
  readonly storage: Awaited<ReturnType<typeof openStorage>>;
}

async function boot(fs: FileSystem, conf: ConfState = ALONE, snapCount = 1000): Promise<Booted> {
  const logger = new LinesLogger();
  const hooks = new ReplicaHooks();
  const storage = await openStorage(
    fs,
    {
      dataDir: DATA_DIR,
      dataLogDir: LOG_DIR,
      forceSync: true,
      preAllocSizeKb: 4,
      snapCount,
      autopurgeSnapRetainCount: 3,
      autopurgePurgeIntervalHours: 1,
      machineOptions: {},
    },
    { id: 1, initialConf: conf },
    hooks,
    logger,
    (error) => {
      throw error;
    },
  );
  const replica = new Replica(storage, hooks, {
    id: 1,
    fs,
    dataLogDir: LOG_DIR,
    tickMs: 1_000_000,
    tuning: defaultRaftTuning,
    random: () => 0.5,
    now: () => 1_700_000_000_000,
    log: logger,
    onFatal: (error) => {
      throw error;
    },
  });
  const committed: Entry[] = [];
  replica.onCommit = (entries) => {
    for (const e of entries) storage.machine.apply(e);
    committed.push(...entries);
  };
  return { replica, committed, storage };
}

const SESSION = 0x55n;

/** The session the test's creates run as; created again on each boot (a second create is harmless). */
function session(): Omit<Entry, "zxid"> {
  return {
    timeMs: 1_700_000_000_000n,
    sessionId: SESSION,
    authIds: [],
    txn: { kind: "createSession", timeoutMs: 30_000 },
  };
}

function create(path: string): Omit<Entry, "zxid"> {
  return {
    timeMs: 1_700_000_000_000n,
    sessionId: SESSION,
    authIds: [],
    txn: {
      kind: "create",
      opcode: 1,
      request: { path, data: Buffer.from(path), acl: OPEN_ACL_UNSAFE, flags: 0, ttl: -1n },
    },
  };
}

async function until(what: string, done: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    if (done()) return;
    await turn();
  }
  assert.fail(`timed out waiting until ${what}`);
}

/** A log written directly, as an earlier run of some replica left it. */
function emptyLog(fs: FileSystem): DurableEntryLog {
  return new DurableEntryLog({
    fs,
    dir: LOG_DIR,
    tail: undefined,
    lastZxid: 0n,
    preallocBytes: 4096,
    segmentBytesMax: 1 << 20,
    forceSync: true,
    logger: new LinesLogger(),
    onFatal: (e) => {
      throw e;
    },
  });
}

async function newSim(): Promise<SimFileSystem> {
  const sim = new SimFileSystem(3);
  await sim.mkdirp(DATA_DIR);
  await sim.mkdirp(LOG_DIR);
  return sim;
}

test("a replica alone elects itself, and applies a proposal only once its entry is durable", async () => {
  const sim = await newSim();
  const { replica, committed, storage } = await boot(sim.process());
  replica.start();
  await replica.firstLeadership();
  assert.deepEqual(replica.role, { leading: true, leader: 1, ready: true });
  assert.ok(replica.append(session()) && replica.append(create("/a")) && replica.append(create("/b")));
  // Both proposals and the term-start entry commit; the state machine holds both nodes.
  await until(
    "both creates are applied",
    () => committed.filter((e) => e.txn.kind === "create").length === 2,
  );
  assert.equal(committed[0]?.txn.kind, "epochStart", "a new leader's first entry starts its epoch");
  const zxids = committed.map((e) => e.zxid);
  assert.deepEqual(
    zxids,
    zxids.map((_, i) => zxids[0]! + BigInt(i)),
    "the leader stamps consecutive zxids",
  );
  assert.ok(storage.machine.statOf("/a") && storage.machine.statOf("/b"));
  assert.ok(sim.syncCount > 0);
  await replica.close();
});

test("a crash loses no applied entry, and each restart elects the replica in a higher term", async () => {
  const sim = await newSim();
  let term = 0;
  for (let round = 0; round < 3; round++) {
    const { replica, committed, storage } = await boot(sim.process());
    replica.start();
    await replica.firstLeadership();
    const status = replica.status();
    assert.ok(status.term > term, `term ${status.term} after ${term}`);
    term = status.term;
    assert.equal(zxidEpoch(storage.machine.lastZxid), term, "the epoch is the leader's term");
    for (let r = 0; r < round; r++) assert.ok(storage.machine.statOf(`/r${r}`), `/r${r} from round ${r}`);
    replica.append(session());
    replica.append(create(`/r${round}`));
    await until("the create is applied", () => committed.some((e) => e.txn.kind === "create"));
    // Crash without closing: only what was synced survives.
    sim.crash();
  }
  const { storage } = await boot(sim.process());
  for (const path of ["/r0", "/r1", "/r2"]) assert.ok(storage.machine.statOf(path), `${path} survived`);
  assert.equal((await readHardState(sim.process(), LOG_DIR)).vote, 1);
});

test("a durable snapshot leaves the core's memory and the next start resumes from it", async () => {
  const sim = await newSim();
  const { replica, committed, storage } = await boot(sim.process(), ALONE, 4);
  replica.start();
  await replica.firstLeadership();
  replica.append(session());
  for (let i = 0; i < 12; i++) {
    replica.append(create(`/s${i}`));
    await turn();
  }
  await until("all creates applied", () => committed.filter((e) => e.txn.kind === "create").length === 12);
  await storage.snapshotter.idle();
  await replica.close();
  const again = await boot(sim.process());
  assert.ok(again.storage.raft.snapshot !== null, "recovery starts from a snapshot");
  const meta = again.storage.raft.snapshot.meta;
  assert.ok(meta.index > 0 && again.storage.raft.entries.every((e) => e.index > meta.index));
  for (let i = 0; i < 12; i++) assert.ok(again.storage.machine.statOf(`/s${i}`), `/s${i}`);
  again.replica.start();
  await again.replica.firstLeadership();
  again.replica.append(session());
  again.replica.append(create("/after"));
  await until("the create after restart applies", () => again.committed.some((e) => e.txn.kind === "create"));
  await again.replica.close();
});

test("a member of three replays at start-up only the entries its recorded commit covers", async () => {
  const sim = await newSim();
  const fs = sim.process();
  // A log of five entries of term 2, as a follower would have written it, with commit 3 recorded.
  const log = emptyLog(fs);
  for (let i = 1n; i <= 5n; i++) {
    const zxid = (2n << 32n) | i;
    const entry: Entry = i === 1n ? { ...session(), zxid } : { ...create(`/f${i}`), zxid };
    log.append(zxid, encodeEntry(entry));
  }
  await log.close();
  await writeHardState(fs, LOG_DIR, { term: 2, vote: 2, commit: 3 });
  const { storage } = await boot(fs, { voters: [1, 2, 3], learners: [] });
  assert.equal(storage.raft.applied, 3);
  assert.equal(storage.raft.entries.length, 5, "every entry is handed to the core");
  assert.ok(storage.machine.statOf("/f3"));
  assert.equal(storage.machine.statOf("/f4"), undefined, "an entry past the known commit is not applied");
  assert.equal(storage.raft.hardState.term, 2);
});

test("an entry logged without the consensus core (epoch 0) stops start-up with a clear error", async () => {
  const sim = await newSim();
  const fs = sim.process();
  const log = emptyLog(fs);
  log.append(1n, encodeEntry({ ...create("/old"), zxid: 1n }));
  await log.close();
  await assert.rejects(
    boot(fs),
    (e: unknown) =>
      e instanceof StorageError &&
      e.code === "PDK_LOG_CORRUPT" &&
      /without the replicated log/.test(e.message),
  );
});

test("a damaged hard state stops start-up rather than risk a second vote in a term", async () => {
  const sim = await newSim();
  const fs = sim.process();
  await writeHardState(fs, LOG_DIR, { term: 7, vote: 3, commit: 10 });
  assert.deepEqual(await readHardState(fs, LOG_DIR), { term: 7, vote: 3, commit: 10 });
  sim.corrupt(`${LOG_DIR}/consensus.state`, 9, 0x40);
  await assert.rejects(
    readHardState(fs, LOG_DIR),
    (e: unknown) => e instanceof StorageError && e.code === "PDK_STATE_CORRUPT",
  );
});
