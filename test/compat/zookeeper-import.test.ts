// `paddock import` on data directories written by a real Apache ZooKeeper 3.8: a scripted workload
// (every node type, ACL kinds, quotas, multi, deletes, sequential nodes, sessions left open) runs on
// a ZooKeeper with a small snapCount so it leaves several snapshots and a log tail; its dataDir is
// copied while it keeps running (every write acknowledged is on disk), imported, and a Paddock
// server started on the result. kazoo then reads every znode's data, Stat, ACL and children from
// both servers and the two must be equal; a session opened on ZooKeeper resumes on Paddock with its
// id and password. Damaged copies are refused with the file and offset, a torn log tail is handled
// as ZooKeeper handles it, and compressed snapshots (gz, snappy) import the same way.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Client, connect } from "../../src/client/index.js";
import { setQuota } from "../../src/client/quota.js";
import { OpCode, Perms } from "../../src/protocol/constants.js";
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from "../../src/protocol/data.js";
import { readZkLog } from "../../src/storage/zookeeper/txn-log.js";
import { debianSkipReason } from "../support/debian.js";
import { fourLetterWord } from "../support/four-letter-word.js";
import { runKazooScript } from "../support/kazoo.js";
import { startPaddock } from "../support/paddock.js";
import { repoRoot } from "../support/paths.js";
import { run } from "../support/run.js";
import type { Target } from "../support/targets.js";
import { startZooKeeper } from "../support/zookeeper.js";
import { RawSession } from "./differential/raw-session.js";

const skip = debianSkipReason(["zookeeper", "python3-kazoo"]);
const scratch: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

async function paddockImport(args: string[]) {
  return run(process.execPath, [join(repoRoot, "bin", "paddock.js"), "import", ...args], {
    timeoutMs: 120_000,
  });
}

async function paddockData(args: string[]) {
  return run(process.execPath, [join(repoRoot, "bin", "paddock.js"), "data", ...args], {
    timeoutMs: 120_000,
  });
}

async function dumpTree(connectString: string): Promise<Record<string, unknown>> {
  const { result, facts } = await runKazooScript("python/dump_tree.py", connectString, 120_000);
  assert.equal(result.status, 0, `dump_tree.py failed: ${result.stderr}`);
  return facts.get("tree") as Record<string, unknown>;
}

/** Copies a dataDir; a running server's copy is what it would leave if it stopped (or crashed) now. */
function copyDataDir(dir: string): string {
  const copy = tempDir("paddock-import-src-");
  cpSync(dir, copy, { recursive: true });
  return copy;
}

function files(dir: string, prefix: string): string[] {
  return readdirSync(join(dir, "version-2"))
    .filter((n) => n.startsWith(prefix))
    .sort((a, b) => (BigInt(`0x${a.split(".")[1]}`) < BigInt(`0x${b.split(".")[1]}`) ? -1 : 1))
    .map((n) => join(dir, "version-2", n));
}

/** The workload: every kind of node, ACL, quota and txn ZooKeeper logs, with snapshots in between. */
async function workload(zk: Client): Promise<void> {
  await zk.create("/app", "config-v1");
  await zk.setData("/app", "config-v2");
  for (let i = 0; i < 25; i++) await zk.create("/app/seq-", `item ${i}`, { mode: "persistentSequential" });
  await zk.delete("/app/seq-0000000003");
  await zk.delete("/app/seq-0000000010");
  await zk.create("/app/eph", "mine", { mode: "ephemeral" });
  await zk.create("/app/eph-seq-", null, { mode: "ephemeralSequential" });
  await zk.create("/box", null, { mode: "container" });
  await zk.create("/box/inside", "x");
  await zk.create("/ttl", "lives an hour", { mode: "persistentWithTtl", ttlMs: 3_600_000 });
  await zk.create("/empty", Buffer.alloc(0));
  await zk.create("/nulldata", null);
  await zk.create("/readonly", "r", { acl: READ_ACL_UNSAFE });
  await zk.create("/ip", "i", {
    acl: [{ perms: Perms.READ | Perms.WRITE, id: { scheme: "ip", id: "127.0.0.1" } }],
  });
  await zk.addAuth("digest", "u:p");
  await zk.create("/secure", "s", { acl: [{ perms: Perms.ALL, id: { scheme: "auth", id: "" } }] });
  await zk.setACL("/secure", [
    {
      perms: Perms.ALL,
      id: { scheme: "digest", id: `u:${createHash("sha1").update("u:p").digest("base64")}` },
    },
    { perms: Perms.READ, id: { scheme: "world", id: "anyone" } },
  ]);
  await zk.create("/q", "quota root");
  await setQuota(zk, "/q", { count: 50, bytes: 1000 });
  for (let i = 0; i < 5; i++) await zk.create(`/q/c${i}`, "abc");
  await zk.setData("/q/c0", "longer data");
  await zk.delete("/q/c4");
  await zk.transaction().create("/multi-a", "a").create("/multi-a/b", "b").setData("/app", "v3").commit();
  await zk
    .transaction()
    .create("/multi-fails", "x")
    .check("/app", 99)
    .commit()
    .catch(() => undefined);
  await zk.transaction().delete("/multi-a/b").delete("/multi-a").commit();
  await zk.create("/multi-a", "again");
  await zk.setACL("/empty", READ_ACL_UNSAFE);
  for (let i = 0; i < 40; i++) await zk.setData("/app/seq-0000000001", `rev ${i}`);
  const gone = await connect(zkConnect);
  await gone.create("/temp", "of a closed session", { mode: "ephemeral" });
  await gone.close();
}

let zkConnect = "";

describe("paddock import of a ZooKeeper 3.8 data directory", { skip }, () => {
  let zk: Target;
  let client: Client;
  let raw: RawSession;
  let source: string;
  let keepAlive: NodeJS.Timeout | undefined;

  before(async () => {
    zk = await startZooKeeper({
      extraConfig: { snapCount: "20" },
      systemProperties: { "zookeeper.extendedTypesEnabled": "true" },
    });
    zkConnect = zk.connectString;
    client = await connect(zk.connectString, { sessionTimeoutMs: 30_000 });
    await workload(client);
    // A session whose id and password we hold, left open, with an ephemeral of its own.
    raw = await RawSession.open(zk.port, 30_000, 10_000);
    const created = await raw.send({
      type: OpCode.create,
      path: "/raw-eph",
      data: Buffer.from("r"),
      acl: OPEN_ACL_UNSAFE,
      flags: 1,
    });
    assert.ok(
      "reply" in created && created.reply.header.err === 0,
      "the raw session's ephemeral was created",
    );
    source = copyDataDir(join(zk.dir, "data"));
    // Pings keep the raw session (and its ephemeral) alive on ZooKeeper while the tests compare.
    keepAlive = setInterval(() => void raw.ping(), 3_000);
  });

  after(async () => {
    clearInterval(keepAlive);
    raw?.destroy();
    await client?.close();
    await zk?.stop();
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  it("imports every znode, Stat and ACL, and resumes a ZooKeeper session on Paddock", async () => {
    assert.ok(files(source, "snapshot.").length >= 3, "the workload left several snapshots");
    const target = tempDir("paddock-import-dst-");
    const imported = await paddockImport(["--from", source, "--data-dir", target]);
    assert.equal(imported.status, 0, imported.stderr);
    assert.match(imported.stdout, /imported \d+ znodes and 2 sessions at zxid 0x[0-9a-f]+/);
    assert.match(imported.stdout, /matched \d+ digest\(s\) ZooKeeper recorded/);
    assert.match(imported.stderr, /import: 100%/, "plain progress lines when stderr is not a terminal");

    const paddock = await startPaddock({ extraConfig: { dataDir: target } });
    try {
      const [expected, actual] = await Promise.all([
        dumpTree(zk.connectString),
        dumpTree(paddock.connectString),
      ]);
      assert.deepEqual(actual, expected);
      assert.ok(
        "/ttl" in expected && "/box/inside" in expected && "/app/eph" in expected && "/raw-eph" in expected,
      );
      assert.ok(!("/temp" in expected), "the closed session's ephemeral is gone");

      const resumed = await RawSession.resume(
        paddock.port,
        { sessionId: raw.sessionId, passwd: raw.passwd, lastZxidSeen: raw.lastZxidSeen },
        30_000,
        10_000,
      );
      assert.equal(resumed.sessionId, raw.sessionId);
      assert.ok(resumed.timeOut > 0, "Paddock accepted ZooKeeper's password for the imported session");
      const exists = await resumed.send({ type: OpCode.exists, path: "/raw-eph", watch: false });
      assert.ok("reply" in exists && exists.reply.header.err === 0);
      resumed.destroy();

      const wrong = await RawSession.resume(
        paddock.port,
        { sessionId: raw.sessionId, passwd: Buffer.alloc(16, 7), lastZxidSeen: 0n },
        30_000,
        10_000,
      );
      assert.equal(wrong.timeOut, 0, "a wrong password is refused");
      wrong.destroy();
    } finally {
      await paddock.stop();
    }
  });

  it("copies a running ZooKeeper's tree over the client protocol with --from-server", async () => {
    const kept = tempDir("paddock-import-dst-");
    const copied = await paddockImport([
      "--from-server",
      zk.connectString,
      "--auth",
      "digest:u:p",
      "--ephemerals",
      "persistent",
      "--data-dir",
      kept,
    ]);
    assert.equal(copied.status, 0, copied.stderr);
    assert.match(copied.stdout, /not atomic; no sessions/);
    const paddock = await startPaddock({ extraConfig: { dataDir: kept } });
    try {
      const expected = (await dumpTree(zk.connectString)) as Record<
        string,
        { stat: { ephemeralOwner: number } }
      >;
      // Without sessions, ephemerals arrive as persistent nodes; everything else is as ZooKeeper has it.
      for (const node of Object.values(expected)) node.stat.ephemeralOwner = 0;
      assert.deepEqual(await dumpTree(paddock.connectString), expected);
    } finally {
      await paddock.stop();
    }

    const skipped = await paddockImport([
      "--from-server",
      zk.connectString,
      "--data-dir",
      tempDir("paddock-import-dst-"),
    ]);
    assert.equal(skipped.status, 1, "digest-protected nodes cannot be read without --auth");
    assert.match(skipped.stderr, /PDK_IMPORT_UNREADABLE: .*\/secure/);
    const partial = await paddockImport([
      "--from-server",
      zk.connectString,
      "--skip-unreadable",
      "--data-dir",
      tempDir("paddock-import-dst-"),
    ]);
    assert.equal(partial.status, 0, partial.stderr);
    assert.match(partial.stdout, /skipped 3 ephemeral node\(s\).*\/raw-eph/);
    assert.match(partial.stdout, /left out 1 unreadable node\(s\) and their subtrees: \/secure/);
  });

  it("paddock data dump, compare and check read both formats offline and change nothing", async () => {
    const paddockDir = tempDir("paddock-import-dst-");
    assert.equal((await paddockImport(["--from", source, "--data-dir", paddockDir])).status, 0);
    const before = readdirSync(paddockDir).sort();

    const same = await paddockData(["compare", source, paddockDir]);
    assert.equal(same.status, 0, same.stdout + same.stderr);
    assert.match(same.stdout, /the trees are the same: \d+ znodes, 2 sessions/);

    const zkDump = await paddockData(["dump", "--json", source]);
    const pdkDump = await paddockData(["dump", "--json", paddockDir]);
    assert.equal(zkDump.status, 0, zkDump.stderr);
    const nodes = (out: string) =>
      out
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { kind: string; path?: string })
        .filter((r) => r.kind === "node");
    assert.deepEqual(nodes(pdkDump.stdout), nodes(zkDump.stdout));
    assert.ok(nodes(zkDump.stdout).some((n) => n.path === "/secure"));
    const text = await paddockData(["dump", source]);
    assert.match(text.stdout, /^\/app czxid=0x[0-9a-f]+ .* data="v3"$/m);

    const log = files(source, "log.").at(-1)!;
    const logDump = await paddockData(["dump", log]);
    assert.equal(logDump.status, 0, logDump.stderr);
    assert.match(
      logDump.stdout,
      /^0x[0-9a-f]+ \S+ session=0x[0-9a-f]+ cxid=\d+ (create|setData|closeSession)/m,
    );

    const checked = await paddockData(["check", source]);
    assert.equal(checked.status, 0, checked.stderr);
    assert.match(checked.stdout, /digest\(s\) ZooKeeper recorded match the rebuilt tree/);
    const checkedPaddock = await paddockData(["check", paddockDir]);
    assert.equal(checkedPaddock.status, 0, checkedPaddock.stderr);
    assert.match(checkedPaddock.stdout, /checksums match/);
    assert.match(checkedPaddock.stdout, /replayed \d+ log entries after the snapshot, to zxid 0x[0-9a-f]+/);

    const older = files(source, "snapshot.")[1]!;
    const differ = await paddockData(["compare", older, paddockDir]);
    assert.equal(differ.status, 1);
    assert.match(differ.stdout, /difference\(s\) between/);

    const damaged = copyDataDir(source);
    const newest = files(damaged, "snapshot.").at(-1)!;
    const bytes = readFileSync(newest);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x40;
    writeFileSync(newest, bytes);
    const refused = await paddockData(["check", damaged]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /PDK_IMPORT_DAMAGED: .* is damaged at byte \d+/);

    assert.deepEqual(readdirSync(paddockDir).sort(), before, "the toolkit wrote nothing");
  });

  it("paddock export writes a snapshot ZooKeeper 3.8 loads with the same tree and digest", async () => {
    const paddockDir = tempDir("paddock-import-dst-");
    assert.equal((await paddockImport(["--from", source, "--data-dir", paddockDir])).status, 0);
    // Writes on Paddock after the import, so the export reads a snapshot and a log.
    const paddock = await startPaddock({ extraConfig: { dataDir: paddockDir } });
    const writer = await connect(paddock.connectString);
    await writer.create("/after-import", "written on Paddock");
    await writer.setData("/app", "v4");
    await writer.delete("/empty");
    await writer.close();
    await paddock.stop();

    const exportDir = tempDir("paddock-export-");
    const exported = await run(
      process.execPath,
      [join(repoRoot, "bin", "paddock.js"), "export", "--data-dir", paddockDir, "--to", exportDir],
      { timeoutMs: 120_000 },
    );
    assert.equal(exported.status, 0, exported.stderr);
    assert.match(
      exported.stdout,
      /exported \d+ znodes and \d+ sessions at zxid 0x[0-9a-f]+ to .*snapshot\.[0-9a-f]+/,
    );

    const zkOnExport = await startZooKeeper({
      extraConfig: { dataDir: exportDir },
      systemProperties: { "zookeeper.extendedTypesEnabled": "true" },
    });
    const paddockAgain = await startPaddock({ extraConfig: { dataDir: paddockDir } });
    try {
      const [expected, actual] = await Promise.all([
        dumpTree(paddockAgain.connectString),
        dumpTree(zkOnExport.connectString),
      ]);
      assert.deepEqual(actual, expected);
      assert.ok("/after-import" in actual && !("/empty" in actual));
      const mntr = await fourLetterWord(zkOnExport.port, "mntr", 10_000);
      assert.match(
        mntr,
        /zk_digest_mismatches_count\s+0\b/,
        "ZooKeeper's digest check of the exported snapshot passed",
      );
    } finally {
      await paddockAgain.stop();
      await zkOnExport.stop();
    }
  });

  it("refuses a Paddock data directory that holds data unless --force", async () => {
    const target = tempDir("paddock-import-dst-");
    assert.equal((await paddockImport(["--from", source, "--data-dir", target])).status, 0);
    const again = await paddockImport(["--from", source, "--data-dir", target]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /PDK_IMPORT_TARGET_NOT_EMPTY/);
    const forced = await paddockImport(["--from", source, "--data-dir", target, "--force"]);
    assert.equal(forced.status, 0, forced.stderr);
    assert.equal(readdirSync(target).filter((n) => n.startsWith("snapshot.")).length, 1);
  });

  it("stops at a damaged snapshot or log record, naming the file and offset", async () => {
    const badSnap = copyDataDir(source);
    const newest = files(badSnap, "snapshot.").at(-1)!;
    const bytes = readFileSync(newest);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x40;
    writeFileSync(newest, bytes);
    const refused = await paddockImport(["--from", badSnap, "--data-dir", tempDir("paddock-import-dst-")]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, new RegExp(`PDK_IMPORT_DAMAGED: ${newest} is damaged at byte \\d+`));

    const badLog = copyDataDir(source);
    const log = files(badLog, "log.").at(-1)!;
    const logBytes = readFileSync(log);
    const offsets: number[] = [];
    readZkLog(logBytes, (_entry, offset) => offsets.push(offset));
    const hit = offsets[Math.floor(offsets.length / 2)]! + 12 + 20;
    logBytes[hit]! ^= 0x01;
    writeFileSync(log, logBytes);
    const refusedLog = await paddockImport(["--from", badLog, "--data-dir", tempDir("paddock-import-dst-")]);
    assert.equal(refusedLog.status, 1);
    assert.match(refusedLog.stderr, new RegExp(`${log} is damaged at byte ${hit - 32}: record checksum`));
  });

  it("leaves out a torn record at the end of the newest log, as ZooKeeper does", async () => {
    const torn = copyDataDir(source);
    const log = files(torn, "log.").at(-1)!;
    const offsets: number[] = [];
    const end = readZkLog(readFileSync(log), (_entry, offset) => offsets.push(offset));
    assert.ok(offsets.length > 0);
    // The last record loses its final bytes, its end-of-record byte among them: a torn write.
    truncateSync(log, end.offset - 3);
    const target = tempDir("paddock-import-dst-");
    const imported = await paddockImport(["--from", torn, "--data-dir", target]);
    assert.equal(imported.status, 0, imported.stderr);
    assert.match(imported.stderr, /ends with a torn record at byte \d+/);
    const full = await paddockImport(["--from", source, "--data-dir", tempDir("paddock-import-dst-")]);
    const zxidOf = (out: string) => BigInt(/at zxid (0x[0-9a-f]+)/.exec(out)![1]!);
    assert.equal(zxidOf(imported.stdout), zxidOf(full.stdout) - 1n);
  });

  it("replays every log from the first snapshot to the same state as from the newest", async () => {
    const fromFirst = copyDataDir(source);
    for (const snap of files(fromFirst, "snapshot.").slice(1)) rmSync(snap);
    const full = await paddockImport(["--from", fromFirst, "--data-dir", tempDir("paddock-import-dst-")]);
    assert.equal(full.status, 0, full.stderr);
    assert.match(full.stdout, /snapshot\.0 and/);
    const newest = await paddockImport(["--from", source, "--data-dir", tempDir("paddock-import-dst-")]);
    const summary = (out: string) =>
      /imported (\d+ znodes and \d+ sessions at zxid 0x[0-9a-f]+)/.exec(out)![1];
    const digest = (out: string) => /ZooKeeper digest (0x[0-9a-f]+)/.exec(out)![1];
    assert.equal(summary(full.stdout), summary(newest.stdout));
    assert.equal(digest(full.stdout), digest(newest.stdout));
  });

  it("stops when a log in the middle lost its end (transactions missing)", async () => {
    const cut = copyDataDir(source);
    for (const snap of files(cut, "snapshot.").slice(1)) rmSync(snap);
    const logs = files(cut, "log.");
    assert.ok(logs.length >= 2, "the workload rolled the log at least once");
    const offsets: number[] = [];
    readZkLog(readFileSync(logs[0]!), (_entry, offset) => offsets.push(offset));
    assert.ok(offsets.length >= 2);
    truncateSync(logs[0]!, offsets.at(-2)!);
    const refused = await paddockImport(["--from", cut, "--data-dir", tempDir("paddock-import-dst-")]);
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /PDK_IMPORT_INCONSISTENT: .*log\.[0-9a-f]+ at byte \d+: the log jumps from zxid/,
    );
  });
});

for (const method of ["gz", "snappy"]) {
  describe(`paddock import of ${method}-compressed ZooKeeper snapshots`, { skip }, () => {
    it(`imports a snapshot.*.${method} to the tree ZooKeeper serves`, async () => {
      const zk = await startZooKeeper({
        extraConfig: { snapCount: "20" },
        systemProperties: { "zookeeper.snapshot.compression.method": method },
      });
      zkConnect = zk.connectString;
      const client = await connect(zk.connectString);
      try {
        for (let i = 0; i < 30; i++) await client.create(`/n${i}`, `data ${i}`.repeat(i));
        await client.create("/n0/child", "c", { mode: "persistentSequential" });
        const source = copyDataDir(join(zk.dir, "data"));
        assert.ok(files(source, "snapshot.").some((f) => f.endsWith(`.${method}`)));
        const target = tempDir("paddock-import-dst-");
        const imported = await paddockImport(["--from", source, "--data-dir", target]);
        assert.equal(imported.status, 0, imported.stderr);
        assert.match(imported.stdout, new RegExp(`snapshot\\.[0-9a-f]+\\.${method} and`));
        const paddock = await startPaddock({ extraConfig: { dataDir: target } });
        try {
          assert.deepEqual(await dumpTree(paddock.connectString), await dumpTree(zk.connectString));
        } finally {
          await paddock.stop();
        }
      } finally {
        await client.close();
        await zk.stop();
      }
    });
  });
}
