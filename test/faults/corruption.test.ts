// Offline corruption on a real process: a server takes acknowledged writes (creates and versioned
// updates) and is SIGKILLed; then, case by seeded case, a copy of its data directory is damaged the
// way disks and operators damage files (a zeroed byte, a flipped bit, a truncated newest segment or
// snapshot, a deleted middle segment) and the server is started on it. Each case must end in a
// recovery holding every acknowledged write, or in a refusal (non-zero exit) whose message names the
// damaged file, and the byte offset when it is a log record: never in serving with a write missing.
// (ClickHouse's logs/snapshots corruptors and jepsen-io/etcd's bitflip/truncate nemeses, offline.)

import assert from "node:assert/strict";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { type Client, createClient } from "../../src/client/index.js";
import { freeLoopbackPort } from "../support/ports.js";
import { launchServer, startServer, tail, writeConfig } from "./paddock-process.js";

/** Three cases of each kind of damage. */
const CASES = 27;
const CLIENTS = 3;
const CREATES_PER_CLIENT = 60;
/** Requests a client keeps in flight: they share fdatasyncs, so populating takes little time. */
const WINDOW = 8;
/** Snapshots every 10-20 entries and 4 KiB preallocation: several snapshots and segments on disk. */
const STORAGE_CONFIG = { snapCount: "20", preAllocSize: "4" };
const UNIT_BYTES = 4 * 1024;
const SEGMENT_HEADER_BYTES = 32;
const CLIENT_OPTIONS = { sessionTimeoutMs: 4000, requestTimeoutMs: 5000 };

type DamageKind =
  | "zero a log byte"
  | "flip a log bit"
  | "zero a snapshot byte"
  | "flip a snapshot bit"
  | "truncate the newest segment"
  | "truncate the newest segment with records at a unit boundary"
  | "truncate the newest snapshot"
  | "delete a middle segment"
  | "delete the segment an older snapshot needs, and damage the newest snapshot";

const KINDS: readonly DamageKind[] = [
  "zero a log byte",
  "flip a log bit",
  "zero a snapshot byte",
  "flip a snapshot bit",
  "truncate the newest segment",
  "truncate the newest segment with records at a unit boundary",
  "truncate the newest snapshot",
  "delete a middle segment",
  "delete the segment an older snapshot needs, and damage the newest snapshot",
];

interface Damage {
  readonly kind: DamageKind;
  readonly file: string;
  /** The damaged byte, or the new length for a truncation; undefined for a deletion. */
  readonly offset: number | undefined;
}

/** What the server acknowledged before it was killed. */
interface Acknowledged {
  readonly creates: string[];
  /** Highest version of /counter a setData reply reported. */
  counterVersion: number;
}

/** xorshift32 from a scrambled seed, so that neighbouring seeds give unrelated sequences. */
function seeded(seed: number): (bound: number) => number {
  let s = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) >>> 0 || 1;
  return (bound) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return Math.floor((s / 4294967296) * bound);
  };
}

/** Storage files in dir by kind, oldest first (names sort by zxid: fixed-width hex). */
function storageFiles(dir: string): { segments: string[]; snapshots: string[] } {
  const names = readdirSync(dir).sort();
  return {
    segments: names.filter((n) => /^log\.[0-9a-f]{16}$/.test(n)),
    snapshots: names.filter((n) => /^snapshot\.[0-9a-f]{16}$/.test(n)),
  };
}

/** Offset just past the last non-zero byte: preallocated zeros past it are not worth damaging. */
function usedBytes(bytes: Buffer): number {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return end;
}

function damage(dir: string, kind: DamageKind, pick: (bound: number) => number): Damage {
  const { segments, snapshots } = storageFiles(dir);
  // Mostly the newest file, which recovery reads; sometimes an older one, which it should not need.
  const any = (names: string[]) => (pick(4) === 0 ? names[pick(names.length)]! : names[names.length - 1]!);
  switch (kind) {
    case "zero a log byte":
    case "flip a log bit":
    case "zero a snapshot byte":
    case "flip a snapshot bit": {
      const file = kind.endsWith("log byte") || kind.endsWith("log bit") ? any(segments) : any(snapshots);
      const path = join(dir, file);
      const bytes = readFileSync(path);
      let offset = pick(usedBytes(bytes));
      if (kind.startsWith("zero")) {
        // Zeroing a zero changes nothing; move back to the nearest byte that is not one.
        while (offset > 0 && bytes[offset] === 0) offset--;
        bytes[offset] = 0;
      } else {
        bytes[offset] = bytes[offset]! ^ (1 << pick(8));
      }
      writeFileSync(path, bytes);
      return { kind, file, offset };
    }
    case "truncate the newest segment":
    case "truncate the newest snapshot": {
      const names = kind.endsWith("segment") ? segments : snapshots;
      const file = names[names.length - 1]!;
      const path = join(dir, file);
      const length = pick(usedBytes(readFileSync(path)));
      truncateSync(path, length);
      return { kind, file, offset: length };
    }
    case "truncate the newest segment with records at a unit boundary": {
      // The size stays whole units, as after a crash, so only the log's extent can tell (0 empties
      // it). A kill while a segment is being created leaves one with a header only; skip that.
      const written = segments.filter((n) => usedBytes(readFileSync(join(dir, n))) > SEGMENT_HEADER_BYTES);
      const file = written[written.length - 1]!;
      const path = join(dir, file);
      const length = UNIT_BYTES * pick(readFileSync(path).length / UNIT_BYTES);
      truncateSync(path, length);
      return { kind, file, offset: length };
    }
    case "delete a middle segment": {
      assert.ok(segments.length >= 3, `a middle segment exists (segments: ${segments.join(", ")})`);
      const file = segments[1 + pick(segments.length - 2)]!;
      rmSync(join(dir, file));
      return { kind, file, offset: undefined };
    }
    case "delete the segment an older snapshot needs, and damage the newest snapshot": {
      // Segments roll at each snapshot, so the one before the newest serves the older snapshots only.
      const file = segments[segments.length - 2]!;
      rmSync(join(dir, file));
      truncateSync(join(dir, snapshots[snapshots.length - 1]!), 1 + pick(64));
      return { kind, file, offset: undefined };
    }
  }
}

/** Creates /k/<tag>-<n> and sets /counter, WINDOW requests at a time, recording what was acknowledged. */
async function writeCreates(client: Client, tag: string, count: number, acked: Acknowledged): Promise<void> {
  const one = async (n: number) => {
    const path = `/k/${tag}-${n}`;
    await client.create(path, Buffer.from(path));
    acked.creates.push(path);
    const stat = await client.setData("/counter", Buffer.from(path));
    acked.counterVersion = Math.max(acked.counterVersion, stat.version);
  };
  for (let n = 0; n < count; n += WINDOW) {
    await Promise.all(Array.from({ length: Math.min(WINDOW, count - n) }, (_, i) => one(n + i)));
  }
}

/** Runs a server on dataDir, gets writes acknowledged, and SIGKILLs it while more are in flight. */
async function populate(dir: string, dataDir: string, logPath: string): Promise<Acknowledged> {
  const port = await freeLoopbackPort();
  const config = writeConfig(dir, dataDir, port, STORAGE_CONFIG);
  const server = await startServer(config, port, logPath);
  const clients = Array.from({ length: CLIENTS }, () => createClient(`127.0.0.1:${port}`, CLIENT_OPTIONS));
  const acked: Acknowledged = { creates: [], counterVersion: -1 };
  try {
    await Promise.all(clients.map((c) => c.connected(10_000)));
    await clients[0]!.create("/k");
    await clients[0]!.create("/counter");
    await Promise.all(clients.map((c, i) => writeCreates(c, `c${i}`, CREATES_PER_CLIENT, acked)));
    // A second wave still running when the kill lands, so the newest segment may end mid-batch.
    const more: Acknowledged = { creates: [], counterVersion: -1 };
    const waves = clients.map((c, i) => writeCreates(c, `late${i}`, 1_000, more).catch(() => undefined));
    for (let i = 0; i < 1_000 && more.creates.length < 10; i++) await new Promise((r) => setTimeout(r, 5));
    await server.kill();
    await Promise.all(waves);
    acked.creates.push(...more.creates);
    acked.counterVersion = Math.max(acked.counterVersion, more.counterVersion);
    return acked;
  } finally {
    await server.kill();
    // Not awaited: with its server gone, a close retries closeSession until the request timeout.
    for (const c of clients) void c.close().catch(() => undefined);
  }
}

/** Every acknowledged create with its data, and /counter at least at its acknowledged version. */
async function assertHoldsEverything(port: number, acked: Acknowledged, what: string): Promise<void> {
  const client = createClient(`127.0.0.1:${port}`, CLIENT_OPTIONS);
  try {
    await client.connected(10_000);
    const children = new Set(await client.getChildren("/k"));
    const missing = acked.creates.filter((p) => !children.has(p.slice("/k/".length)));
    assert.deepEqual(missing.slice(0, 5), [], `${what}: ${missing.length} acknowledged creates missing`);
    const data = await Promise.all(acked.creates.map((p) => client.getData(p)));
    data.forEach(({ data: d }, i) => {
      assert.equal(d?.toString(), acked.creates[i], `${what}: data of ${acked.creates[i]}`);
    });
    const { stat } = await client.getData("/counter");
    assert.ok(
      stat.version >= acked.counterVersion,
      `${what}: /counter is at version ${stat.version}, ${acked.counterVersion} was acknowledged`,
    );
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** A refusal must name the damage: the file, and for a log record an offset at or before the damage. */
function assertNamesDamage(log: string, d: Damage, what: string): void {
  const fatal = log.match(/"level":60[^\n]*"msg":"([^"\n]*)"/)?.[1];
  assert.ok(fatal !== undefined, `${what}: the server exited without a fatal message:\n${log}`);
  if (d.kind.startsWith("delete")) {
    // Which form the gap takes depends on where the last snapshot's roll fell when the server was
    // killed: a missing segment between two others, a log that starts after the snapshot, or (a kill
    // while the next segment was being created) the deleted one is the newest the log's extent names.
    const gap =
      /PDK_STORAGE_GAP: .*(a segment is missing|the entries in between are missing|newest log segment written, but it is missing)/;
    assert.match(fatal, gap, `${what}: ${fatal}`);
    if (d.kind !== "delete a middle segment") {
      const unreadable = /newer snapshots were unreadable: .*snapshot\.[0-9a-f]+ is corrupt/;
      assert.match(fatal, unreadable, `${what}: ${fatal}`);
    }
    return;
  }
  assert.ok(fatal.includes(d.file), `${what}: the refusal does not name ${d.file}: ${fatal}`);
  const at = fatal.match(/log segment \S+ is corrupt at byte (\d+)/);
  if (d.file.startsWith("log.")) {
    assert.ok(at !== null, `${what}: a log refusal names the byte offset: ${fatal}`);
    // The reported offset is the start of the record holding the damage, or the cut-off length.
    assert.ok(Number(at[1]) <= d.offset!, `${what}: reported offset ${at[1]} is past the damage`);
  }
}

test("a damaged data directory either recovers every acknowledged write or refuses to start, naming the damage", {
  timeout: 120_000,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "paddock-corrupt-"));
  const pristine = join(dir, "pristine");
  mkdirSync(pristine);
  const logPath = join(dir, "server.log");
  try {
    const populating = Date.now();
    const acked = await populate(dir, pristine, logPath);
    t.diagnostic(`populated in ${Date.now() - populating} ms: ${acked.creates.length} acknowledged creates`);
    const files = storageFiles(pristine);
    assert.ok(files.snapshots.length >= 2, `several snapshots to damage: ${files.snapshots.join(", ")}`);
    assert.ok(files.segments.length >= 3, `several segments to damage: ${files.segments.join(", ")}`);
    const outcomes = new Map<string, number>();
    for (let seed = 1; seed <= CASES; seed++) {
      const kind = KINDS[seed % KINDS.length]!;
      const caseDir = join(dir, "case");
      rmSync(caseDir, { recursive: true, force: true });
      cpSync(pristine, caseDir, { recursive: true });
      const d = damage(caseDir, kind, seeded(seed));
      const what = `seed ${seed}: ${kind} (${d.file}${d.offset === undefined ? "" : ` at ${d.offset}`})`;
      const caseLog = join(dir, `case-${seed}.log`);
      const port = await freeLoopbackPort();
      const config = writeConfig(dir, caseDir, port, STORAGE_CONFIG);
      const outcome = await launchServer(config, port, caseLog);
      const log = readFileSync(caseLog, "utf8");
      let result: string;
      if (outcome.serving !== undefined) {
        try {
          await assertHoldsEverything(port, acked, what);
        } catch (error) {
          throw new Error(`${(error as Error).message}\nserver log:\n${tail(caseLog)}`, { cause: error });
        } finally {
          await outcome.serving.kill();
        }
        result = "recovered";
      } else {
        assert.notEqual(outcome.exitCode, 0, `${what}: a refusal exits non-zero`);
        assertNamesDamage(log, d, what);
        result = "refused";
      }
      t.diagnostic(`${what}: ${result}`);
      outcomes.set(`${kind}: ${result}`, (outcomes.get(`${kind}: ${result}`) ?? 0) + 1);
    }
    t.diagnostic(JSON.stringify(Object.fromEntries(outcomes)));
    // Both outcomes must have been exercised, or the damage missed what recovery reads.
    assert.ok(
      [...outcomes.keys()].some((k) => k.endsWith("recovered")),
      "some damage was recovered from",
    );
    assert.ok(
      [...outcomes.keys()].some((k) => k.endsWith("refused")),
      "some damage was refused",
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\npopulating server log:\n${tail(logPath)}`, {
      cause: error,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
