// The log's promises, checked on the simulated file layer: group commit shares one fdatasync per
// batch, onCommit never runs ahead of the sync, a crash at any point recovers a prefix of the appended
// entries that holds every acknowledged one, a torn or zero-filled tail is cut, and damage that a
// crash cannot explain stops recovery with the file and offset.

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { OPEN_ACL_UNSAFE } from "../../../src/protocol/data.js";
import { type Entry, encodeEntry } from "../../../src/state/entry.js";
import { StateMachine } from "../../../src/state/machine.js";
import { StorageError } from "../../../src/storage/errors.js";
import { listSegments, readLog } from "../../../src/storage/log-reader.js";
import { SEGMENT_HEADER_BYTES, segmentName, writeRecord } from "../../../src/storage/segment-format.js";
import { SimFileSystem } from "../../../src/storage/sim-file-system.js";
import { type Step, stepArbitrary, toEntries } from "../state/arbitraries.js";
import { LinesLogger, LOG_DIR, openLog, turn, untilCommitted } from "./support.js";

function createEntry(zxid: bigint, path: string, bytes = 8): Entry {
  return {
    zxid,
    timeMs: 1_700_000_000_000n + zxid,
    sessionId: 1n,
    authIds: [],
    txn: {
      kind: "create",
      opcode: 1,
      request: { path, data: Buffer.alloc(bytes, 7), acl: OPEN_ACL_UNSAFE, flags: 0, ttl: -1n },
    },
  };
}

async function newSim(seed = 1): Promise<SimFileSystem> {
  const sim = new SimFileSystem(seed);
  await sim.mkdirp(LOG_DIR);
  return sim;
}

function zxids(entries: readonly Entry[]): bigint[] {
  return entries.map((e) => e.zxid);
}

/** Entries compared as the bytes the log stores (generated requests may carry extra fields). */
function encoded(entries: readonly Entry[]): string[] {
  return entries.map((e) => encodeEntry(e).toString("hex"));
}

test("entries appended in one event-loop turn share one fdatasync and commit together", async () => {
  const sim = await newSim();
  // Units large enough that the batch does not grow the segment (growing also updates the extent).
  const opened = await openLog(sim.process(), { preallocBytes: 64 * 1024, segmentBytesMax: 1024 * 1024 });
  opened.append(createEntry(1n, "/first"));
  await untilCommitted(opened, 1);
  const syncsBefore = sim.syncCount;
  let batches = 0;
  const onDurable = opened.log.onDurable;
  opened.log.onDurable = (zxid) => {
    batches++;
    onDurable(zxid);
  };
  for (let i = 2n; i <= 101n; i++) opened.append(createEntry(i, `/n${i}`));
  await untilCommitted(opened, 101);
  assert.equal(batches, 1);
  assert.equal(sim.syncCount - syncsBefore, 1);
  await opened.log.close();
});

test("no entry is committed when its fdatasync fails, and the log refuses further appends", async () => {
  const sim = await newSim();
  const opened = await openLog(sim.process());
  opened.append(createEntry(1n, "/a"));
  await untilCommitted(opened, 1);
  sim.inject({ call: "datasync", errno: "EIO", remaining: 1 });
  opened.append(createEntry(2n, "/b"));
  for (let i = 0; i < 100 && opened.fatal.length === 0; i++) await turn();
  assert.equal(opened.fatal.length, 1);
  assert.equal(opened.fatal[0]!.code, "PDK_DISK_FAILED");
  assert.match(opened.fatal[0]!.message, /fdatasync .* failed \(EIO\)/);
  assert.deepEqual(zxids(opened.committed), [1n]);
  assert.throws(() => opened.append(createEntry(3n, "/c")), /PDK_LOG_CLOSED/);
  // The failed sync dropped its data (as Linux does); after a reboot only the acknowledged entry is there.
  sim.crash();
  const after = await readLog(sim.process(), LOG_DIR, 0n, new LinesLogger());
  assert.deepEqual(zxids([...after.entries()]), [1n]);
});

test("ENOSPC while growing a segment stops the log without committing the batch", async () => {
  const sim = await newSim();
  const opened = await openLog(sim.process(), { preallocBytes: 4096 });
  opened.append(createEntry(1n, "/a"));
  await untilCommitted(opened, 1);
  sim.inject({ call: "truncate", errno: "ENOSPC" });
  opened.append(createEntry(2n, "/big", 6000));
  for (let i = 0; i < 100 && opened.fatal.length === 0; i++) await turn();
  assert.match(opened.fatal[0]!.message, /PDK_DISK_FAILED: truncate .* \(ENOSPC\).*disk is full/);
  assert.deepEqual(zxids(opened.committed), [1n]);
});

test("a record larger than the preallocation unit is written and read back whole (ZOOKEEPER-2249)", async () => {
  const sim = await newSim();
  const opened = await openLog(sim.process(), { preallocBytes: 4096 });
  const entries = [createEntry(1n, "/a", 10), createEntry(2n, "/big", 9000), createEntry(3n, "/c", 10)];
  for (const e of entries) opened.append(e);
  await untilCommitted(opened, 3);
  await opened.log.close();
  sim.crash();
  const after = await readLog(sim.process(), LOG_DIR, 0n, new LinesLogger());
  assert.deepEqual([...after.entries()], entries);
});

interface CrashRun {
  readonly steps: Step[];
  /** Power fails in place of this disk call (counted from when the log opens). */
  readonly crashAtCall: number;
  readonly perTurn: number;
  readonly seed: number;
}

const crashRun: fc.Arbitrary<CrashRun> = fc.record({
  steps: fc.array(stepArbitrary, { minLength: 1, maxLength: 60 }),
  crashAtCall: fc.integer({ min: 1, max: 120 }),
  perTurn: fc.integer({ min: 1, max: 6 }),
  seed: fc.integer(),
});

/** Appends `entries` a few per turn until the power fails; returns what was acknowledged. */
async function runUntilCrash(sim: SimFileSystem, entries: readonly Entry[], run: CrashRun) {
  const opened = await openLog(sim.process(), { preallocBytes: 4096, segmentBytesMax: 2048 });
  sim.crashAtCall(run.crashAtCall);
  let next = 0;
  for (let t = 0; t < 200 && !sim.crashed && opened.fatal.length === 0; t++) {
    for (let k = 0; k < run.perTurn && next < entries.length; k++) opened.append(entries[next++]!);
    await turn();
  }
  const acknowledged = [...opened.committed];
  if (!sim.crashed) sim.crash();
  return { acknowledged };
}

test("after a crash at any point the log recovers a prefix of what was appended holding every acknowledged entry", async () => {
  await fc.assert(
    fc.asyncProperty(crashRun, crashRun, async (first, second) => {
      const sim = await newSim(first.seed);
      const all = toEntries([...first.steps, ...second.steps]);
      const one = all.slice(0, first.steps.length);
      const a = await runUntilCrash(sim, one, first);
      const afterFirst = await readLog(sim.process(), LOG_DIR, 0n, new LinesLogger());
      const firstEntries = [...afterFirst.entries()];
      assert.deepEqual(
        encoded(firstEntries),
        encoded(one.slice(0, firstEntries.length)),
        "a prefix of the appended",
      );
      assert.ok(firstEntries.length >= a.acknowledged.length, "every acknowledged entry survives");
      // Second life: continue where the log ends, crash again, and check the whole history.
      const rest = all.slice(firstEntries.length);
      const restStamped = rest.map((e, i) => ({ ...e, zxid: afterFirst.lastZxid + 1n + BigInt(i) }));
      const b = await runUntilCrash(sim, restStamped, second);
      const afterSecond = await readLog(sim.process(), LOG_DIR, 0n, new LinesLogger());
      const secondEntries = [...afterSecond.entries()];
      const history = [...firstEntries, ...restStamped];
      assert.deepEqual(encoded(secondEntries), encoded(history.slice(0, secondEntries.length)));
      assert.ok(secondEntries.length >= firstEntries.length + b.acknowledged.length);
      // Applying the recovered prefix never throws: multis are whole records, never half-applied.
      const machine = new StateMachine();
      for (const e of secondEntries) machine.apply(e);
    }),
    { numRuns: 150 },
  );
});

async function cleanLog(count: number): Promise<{ sim: SimFileSystem; entries: Entry[] }> {
  const sim = await newSim();
  const opened = await openLog(sim.process(), { preallocBytes: 4096, segmentBytesMax: 2048 });
  const entries: Entry[] = [];
  for (let i = 1; i <= count; i++) entries.push(createEntry(BigInt(i), `/node${i}`, i * 3));
  for (const e of entries) {
    opened.append(e);
    if (e.zxid % 3n === 0n) await turn();
  }
  await untilCommitted(opened, count);
  await opened.log.close();
  return { sim, entries };
}

test("a byte damaged anywhere in the log either recovers every acknowledged entry or refuses naming file and offset", async () => {
  const { sim, entries } = await cleanLog(40);
  const segments = await listSegments(sim, LOG_DIR);
  assert.ok(segments.length > 2, "the log spans several segments");
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: segments.length - 1 }),
      fc.nat(),
      fc.integer({ min: 1, max: 255 }),
      fc.boolean(),
      async (which, at, mask, zero) => {
        const path = `${LOG_DIR}/${segments[which]!.name}`;
        const bytes = sim.durableBytes(path);
        const offset = at % bytes.length;
        const change = zero ? bytes[offset]! : mask;
        if (change === 0) return;
        sim.corrupt(path, offset, change);
        try {
          const after = await readLog(sim.process(), LOG_DIR, 0n, new LinesLogger());
          assert.deepEqual([...after.entries()], entries, "recovered everything");
        } catch (error) {
          if (!(error instanceof StorageError)) throw error;
          assert.match(
            error.message,
            /^PDK_LOG_CORRUPT: log segment \/data\/log\/log\.[0-9a-f]{16} is corrupt at byte \d+/,
          );
          assert.match(error.message, /refuses to start/);
        } finally {
          sim.corrupt(path, offset, change);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test("a newest segment truncated between kill and restart is refused, not silently shortened", async () => {
  const { sim } = await cleanLog(20);
  const segments = await listSegments(sim, LOG_DIR);
  const newest = `${LOG_DIR}/${segments[segments.length - 1]!.name}`;
  sim.truncateAtRest(newest, 100);
  await assert.rejects(
    readLog(sim.process(), LOG_DIR, 0n, new LinesLogger()),
    /PDK_LOG_CORRUPT: .* is corrupt at byte 100 \(the file is 100 bytes, not a whole number of its 4096-byte preallocation units/,
  );
});

/** One segment grown over several 4 KiB units, its records acknowledged. */
async function grownLog(): Promise<{ sim: SimFileSystem; newest: string; entries: Entry[] }> {
  const sim = await newSim();
  const opened = await openLog(sim.process(), { preallocBytes: 4096, segmentBytesMax: 1024 * 1024 });
  const entries: Entry[] = [];
  for (let i = 1; i <= 60; i++) entries.push(createEntry(BigInt(i), `/grown${i}`, 200));
  for (const e of entries) {
    opened.append(e);
    await turn();
  }
  await untilCommitted(opened, entries.length);
  await opened.log.close();
  const segments = await listSegments(sim, LOG_DIR);
  assert.equal(segments.length, 1);
  const newest = `${LOG_DIR}/${segments[0]!.name}`;
  assert.ok((await sim.readFile(newest)).length >= 3 * 4096, "the segment grew over several units");
  return { sim, newest, entries };
}

test("a newest segment cut back to whole units after its records were acknowledged is refused (log.extent)", async () => {
  // A crash never shrinks a synced file, and the cut keeps the size a whole number of units, so
  // without the extent this would pass as a torn tail and lose the records past it.
  const { sim, newest } = await grownLog();
  sim.truncateAtRest(newest, 4096);
  await assert.rejects(
    readLog(sim.process(), LOG_DIR, 0n, new LinesLogger()),
    /PDK_LOG_CORRUPT: .* is corrupt at byte 4096 \(the file is 4096 bytes, but it had been grown to \d+ bytes and synced .*log\.extent\), so it was truncated/,
  );
});

test("a newest segment emptied after its records were acknowledged is refused, not taken for a crash during creation", async () => {
  const { sim, newest } = await grownLog();
  sim.truncateAtRest(newest, 0);
  await assert.rejects(
    readLog(sim.process(), LOG_DIR, 0n, new LinesLogger()),
    /PDK_LOG_CORRUPT: .* is corrupt at byte 0 \(log\.extent says this segment was created and synced, but it is empty/,
  );
});

test("a deleted newest segment is refused as a gap when the log's extent names it", async () => {
  const { sim, newest } = await grownLog();
  await sim.unlink(newest);
  await assert.rejects(
    readLog(sim.process(), LOG_DIR, 0n, new LinesLogger()),
    /PDK_STORAGE_GAP: log\.extent names .* as the newest log segment written, but it is missing/,
  );
});

test("a log without an extent recovers as before and records one on its next write; a damaged one stops recovery", async () => {
  const { sim, entries } = await grownLog();
  const extent = `${LOG_DIR}/log.extent`;
  const kept = await sim.readFile(extent);
  await sim.unlink(extent);
  const opened = await openLog(sim.process(), { preallocBytes: 4096, segmentBytesMax: 1024 * 1024 });
  assert.deepEqual(zxids([...opened.recovered.entries()]), zxids(entries));
  opened.append(createEntry(61n, "/after"));
  await untilCommitted(opened, 1);
  await opened.log.close();
  assert.deepEqual(await sim.readFile(extent), kept, "the resumed segment is named again, at its size");

  sim.corrupt(extent, 12, 1);
  await assert.rejects(
    readLog(sim.process(), LOG_DIR, 0n, new LinesLogger()),
    /PDK_LOG_CORRUPT: \/data\/log\/log\.extent is damaged/,
  );
});

test("a missing middle segment is refused as a gap", async () => {
  const { sim } = await cleanLog(40);
  const segments = await listSegments(sim, LOG_DIR);
  await sim.unlink(`${LOG_DIR}/${segments[1]!.name}`);
  await assert.rejects(
    readLog(sim.process(), LOG_DIR, 0n, new LinesLogger()),
    /PDK_STORAGE_GAP: .*a segment is missing/,
  );
});

test("a log whose oldest segments were purged never starts as an empty database without a snapshot (ZOOKEEPER-2325)", async () => {
  const { sim } = await cleanLog(40);
  const segments = await listSegments(sim, LOG_DIR);
  await sim.unlink(`${LOG_DIR}/${segments[0]!.name}`);
  await assert.rejects(
    readLog(sim.process(), LOG_DIR, 0n, new LinesLogger()),
    /PDK_STORAGE_GAP: the oldest log segment .* \(there is none\)/,
  );
});

test("an empty or all-zero newest segment left by a crash during creation is removed (ZOOKEEPER-2332, -1621)", async () => {
  for (const size of [0, 17, 4096]) {
    const { sim, entries } = await cleanLog(5);
    // The crash came while creating the segment for the entry after the last one written.
    const f = await sim.open(`${LOG_DIR}/${segmentName(6n)}`, "create");
    await f.truncate(size);
    await f.datasync();
    await sim.syncDir(LOG_DIR);
    const logger = new LinesLogger();
    const after = await readLog(sim.process(), LOG_DIR, 0n, logger);
    assert.deepEqual([...after.entries()], entries);
    assert.ok(logger.lines.some((l) => l.includes("was never written")));
    assert.equal(await sim.exists(`${LOG_DIR}/${segmentName(6n)}`), false);
  }
});

test("an unwritten newest segment named past the log's end proves entries are missing: refuse, keep the evidence", async () => {
  // A deleted middle segment followed by a crash while creating the next one: the empty segment's
  // name is the only trace that entries 6..98 once existed.
  const { sim } = await cleanLog(5);
  const f = await sim.open(`${LOG_DIR}/${segmentName(99n)}`, "create");
  await f.datasync();
  await sim.syncDir(LOG_DIR);
  await assert.rejects(readLog(sim.process(), LOG_DIR, 0n, new LinesLogger()), (error: Error) => {
    assert.match(error.message, /^PDK_STORAGE_GAP: .*log\.0+63 was created for zxid 0x63/);
    return true;
  });
  assert.equal(await sim.exists(`${LOG_DIR}/${segmentName(99n)}`), true);
});

test("a torn last record is cut, logged, and appending resumes cleanly after it", async () => {
  const sim = await newSim();
  const opened = await openLog(sim.process());
  opened.append(createEntry(1n, "/a", 100));
  await untilCommitted(opened, 1);
  await opened.log.close();
  // Hand-craft a half-written second record after the first: its first sector landed, the rest did not.
  const segment = `${LOG_DIR}/${segmentName(1n)}`;
  const f = await sim.open(segment, "append");
  const end = SEGMENT_HEADER_BYTES + 24 + (await sim.readFile(segment)).readUInt32BE(SEGMENT_HEADER_BYTES);
  const whole = Buffer.alloc(2000);
  const payload = encodeEntry(createEntry(2n, "/b", 1500));
  writeRecord(whole, 0, 2n, payload);
  await f.write(whole.subarray(0, 512 - end), end);
  await f.datasync();
  const logger = new LinesLogger();
  const after = await readLog(sim.process(), LOG_DIR, 0n, logger);
  assert.deepEqual(zxids([...after.entries()]), [1n]);
  assert.ok(logger.lines.some((l) => l.includes(`cutting the torn tail of ${segment} at byte ${end}`)));
  const again = await openLog(sim.process());
  again.append(createEntry(2n, "/b"));
  await untilCommitted(again, 1);
  await again.log.close();
  sim.crash();
  assert.deepEqual(zxids([...(await readLog(sim.process(), LOG_DIR, 0n, new LinesLogger())).entries()]), [
    1n,
    2n,
  ]);
});

test("a record whose checksums match but whose entry does not decode stops recovery with its file and offset", async () => {
  // Such a record was written whole by a faulty writer, not torn by a crash: nothing may be skipped.
  const sim = await newSim();
  const opened = await openLog(sim.process());
  opened.append(createEntry(1n, "/a"));
  await untilCommitted(opened, 1);
  await opened.log.close();
  const segment = `${LOG_DIR}/${segmentName(1n)}`;
  const end = SEGMENT_HEADER_BYTES + 24 + (await sim.readFile(segment)).readUInt32BE(SEGMENT_HEADER_BYTES);
  const payload = encodeEntry(createEntry(2n, "/b")).subarray(0, 20);
  const record = Buffer.alloc(24 + payload.length);
  writeRecord(record, 0, 2n, payload);
  const f = await sim.open(segment, "append");
  await f.write(record, end);
  await f.datasync();
  await f.close();
  const after = await readLog(sim.process(), LOG_DIR, 0n, new LinesLogger());
  assert.equal(after.entryCount, 2);
  assert.throws(
    () => [...after.entries()],
    (error: Error) => {
      assert.ok(error instanceof StorageError);
      assert.equal(error.code, "PDK_LOG_CORRUPT");
      assert.match(
        error.message,
        new RegExp(`${segment} is corrupt at byte ${end} \\(checksum matches but the entry does not decode`),
      );
      return true;
    },
  );
});

test("the newest records replaced by a new leader's are cut durably, and the log reads back with the replacements", async () => {
  const sim = await newSim();
  const opened = await openLog(sim.process(), { preallocBytes: 4096, segmentBytesMax: 1 << 20 });
  const epoch = (e: bigint, n: bigint) => (e << 32n) | n;
  for (let i = 1n; i <= 5n; i++) opened.append(createEntry(epoch(2n, i), `/old${i}`));
  await untilCommitted(opened, 5);
  await opened.log.dropLast(2);
  assert.equal(opened.log.durableZxid, epoch(2n, 3n));
  const replacements = [createEntry(epoch(3n, 1n), "/new1"), createEntry(epoch(3n, 2n), "/new2")];
  for (const e of replacements) opened.append(e);
  await untilCommitted(opened, 7);
  // Crash: only what was synced survives; the cut and the replacements were.
  sim.crash();
  const after = await readLog(sim.process(), LOG_DIR, 0n, new LinesLogger());
  assert.deepEqual(
    [...after.entries()].map((e) => e.zxid),
    [epoch(2n, 1n), epoch(2n, 2n), epoch(2n, 3n), epoch(3n, 1n), epoch(3n, 2n)],
  );
});

test("cutting records beyond the newest segment, or all of it, is refused rather than done halfway", async () => {
  const sim = await newSim();
  const opened = await openLog(sim.process(), { preallocBytes: 4096, segmentBytesMax: 1 << 20 });
  for (let i = 1n; i <= 3n; i++) opened.append(createEntry((2n << 32n) | i, `/n${i}`));
  await untilCommitted(opened, 3);
  for (const count of [3, 4]) {
    await assert.rejects(
      opened.log.dropLast(count),
      (e: unknown) => e instanceof StorageError && e.code === "PDK_LOG_CORRUPT" && /resync/.test(e.message),
    );
  }
  const after = await readLog(sim.process(), LOG_DIR, 0n, new LinesLogger());
  assert.equal(after.entryCount, 3, "nothing was cut");
});
