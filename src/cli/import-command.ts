// `paddock import --from <zookeeper dataDir>`: rebuilds a stopped ZooKeeper's state (its newest
// snapshot plus its transaction logs, as ZooKeeper restores itself) and writes it as the first
// snapshot of a Paddock data directory, through Paddock's own snapshot writer, so `paddock server`
// starts from it with the same tree, sessions and zxid. Progress goes to stderr: a bar on a terminal,
// plain lines otherwise; the summary goes to stdout.

import { readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { zxidEpoch } from "../consensus/zxid.js";
import { defaultConfig, loadZooCfg } from "../server/config.js";
import { configuredMembership } from "../server/member.js";
import type { StateMachine } from "../state/machine.js";
import { SnapshotCapture } from "../state/snapshot.js";
import { HARD_STATE_NAME, writeHardState } from "../storage/hard-state-file.js";
import { LOG_EXTENT_NAME } from "../storage/log-extent.js";
import { NodeFileSystem } from "../storage/node-file-system.js";
import { parseSegmentName } from "../storage/segment-format.js";
import { parseSnapshotName, readSnapshot, snapshotName, writeSnapshot } from "../storage/snapshot-file.js";
import { importZooKeeperDataDir, type ZkImportProgress } from "../storage/zookeeper/data-dir.js";
import { ZkImportError } from "../storage/zookeeper/errors.js";
import { copyLiveTree } from "./live-copy.js";

export const IMPORT_USAGE = `Usage: paddock import --from <zookeeper dataDir> [--from-log <zookeeper dataLogDir>] [options]
       paddock import --from-server host:port[,host:port...] [--auth scheme:credential]... [options]

With --from, reads a STOPPED ZooKeeper's newest snapshot (plain, .gz or .snappy) and replays its
transaction logs, as ZooKeeper does when it restarts. Every znode keeps its data, ACL and Stat;
sessions keep their ids, timeouts and ZooKeeper passwords; the zxid carries over.

With --from-server, copies a RUNNING ZooKeeper's tree over the client protocol: data, ACLs and
Stat fields, but no sessions, containers and TTL nodes arrive as persistent nodes, and the copy
is not atomic (writes during it may be half seen): stop writers first for an exact copy.

Either way the result is written as the first snapshot of Paddock's data directory (dataDir and
dataLogDir from --config, or --data-dir/--data-log-dir, default ./data).

  --force               replace the snapshots and log of a Paddock data directory that holds data
  --no-digest-check     import even where the tree disagrees with a digest ZooKeeper recorded
  --ephemerals MODE     with --from-server: skip (default, listed) or persistent (kept as persistent nodes)
  --skip-unreadable     with --from-server: import without nodes the identities given cannot read
`;

/** Paddock's own files in a data directory: what --force replaces and what "holds data" means. */
function isPaddockDataFile(name: string): boolean {
  return (
    parseSnapshotName(name) !== undefined ||
    (name.startsWith("snapshot.") && name.endsWith(".tmp")) ||
    parseSegmentName(name) !== undefined ||
    name === LOG_EXTENT_NAME ||
    name === HARD_STATE_NAME
  );
}

async function paddockFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter(isPaddockDataFile).map((name) => join(dir, name));
  } catch {
    return [];
  }
}

function hex(zxid: bigint): string {
  return `0x${BigInt.asUintN(64, zxid).toString(16)}`;
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** A bar on a terminal; otherwise a line per tenth of the work, so logs of a long import stay short. */
function progressReporter(unit: "bytes" | "znodes"): { update(p: ZkImportProgress): void; stop(): void } {
  const amount = unit === "bytes" ? mib : (n: number) => `${n} znodes`;
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: "import [{bar}] {percentage}% | {done} of {total} | {phase}",
        stream: process.stderr,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        const payload = { phase: p.phase, done: amount(p.doneBytes), total: amount(p.totalBytes) };
        if (!started) {
          bar.start(Math.max(1, p.totalBytes), p.doneBytes, payload);
          started = true;
        } else bar.update(p.doneBytes, payload);
      },
      stop: () => bar.stop(),
    };
  }
  let lastTenth = -1;
  let lastPhase = "";
  return {
    update(p) {
      const tenth = p.totalBytes === 0 ? 10 : Math.floor((10 * p.doneBytes) / p.totalBytes);
      if (tenth === lastTenth && p.phase === lastPhase) return;
      lastTenth = tenth;
      lastPhase = p.phase;
      const percent = p.totalBytes === 0 ? 100 : Math.floor((100 * p.doneBytes) / p.totalBytes);
      process.stderr.write(
        `import: ${percent}% (${amount(p.doneBytes)} of ${amount(p.totalBytes)}) ${p.phase}\n`,
      );
    },
    stop() {},
  };
}

/** Runs `paddock import` with the arguments after the subcommand; resolves to the exit code. */
export async function runImport(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: "string" },
      "from-log": { type: "string" },
      config: { type: "string", short: "c" },
      "data-dir": { type: "string" },
      "data-log-dir": { type: "string" },
      force: { type: "boolean" },
      "no-digest-check": { type: "boolean" },
      "from-server": { type: "string" },
      auth: { type: "string", multiple: true },
      ephemerals: { type: "string" },
      "skip-unreadable": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(IMPORT_USAGE);
    return 0;
  }
  if ((values.from === undefined) === (values["from-server"] === undefined)) {
    process.stderr.write(
      `paddock import: give one of --from <zookeeper dataDir> or --from-server\n\n${IMPORT_USAGE}`,
    );
    return 2;
  }
  const ephemerals = values.ephemerals ?? "skip";
  if (ephemerals !== "skip" && ephemerals !== "persistent") {
    process.stderr.write(`paddock import: --ephemerals is skip or persistent, not ${ephemerals}\n`);
    return 2;
  }
  const config = values.config === undefined ? defaultConfig() : loadZooCfg(values.config).config;
  const dataDir = values["data-dir"] ?? config.dataDir;
  const dataLogDir = values["data-log-dir"] ?? values["data-dir"] ?? config.dataLogDir;
  const existing = [...new Set([...(await paddockFiles(dataDir)), ...(await paddockFiles(dataLogDir))])];
  if (existing.length > 0 && values.force !== true) {
    process.stderr.write(
      `PDK_IMPORT_TARGET_NOT_EMPTY: ${dataDir} already holds Paddock data (${existing.length} file(s), ` +
        `such as ${existing[0]}); nothing was changed. Import into an empty directory, or add --force ` +
        "to replace that data with the import.\n",
    );
    return 1;
  }
  const started = performance.now();
  const progress = progressReporter(values["from-server"] === undefined ? "bytes" : "znodes");
  let imported: Imported;
  try {
    imported =
      values["from-server"] === undefined
        ? await fromDataDir(values.from!, values["from-log"], values["no-digest-check"] !== true, progress)
        : await fromServer(
            values["from-server"],
            values.auth ?? [],
            ephemerals,
            values["skip-unreadable"] === true,
            progress,
          );
  } catch (error) {
    progress.stop();
    if (error instanceof ZkImportError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  progress.stop();
  const fs = new NodeFileSystem();
  // Only now, with the whole state rebuilt, is the old Paddock data replaced.
  for (const path of existing) await unlink(path);
  await fs.mkdirp(dataDir);
  await fs.mkdirp(dataLogDir);
  const summary = await writeSnapshot(new SnapshotCapture(imported.machine), {
    fs,
    dir: dataDir,
    nodesPerChunk: 20_000,
    yieldTurn: () => Promise.resolve(),
    // Raft's view of the import: a snapshot before any log entry, for this server's membership.
    position: { index: 0, conf: configuredMembership(config) },
  });
  // Terms are zxid epochs: the first election must start above the imported zxid's epoch, so that
  // every new zxid is larger than the last imported one.
  const epoch = zxidEpoch(summary.zxid);
  if (epoch > 0) await writeHardState(fs, dataLogDir, { term: epoch, vote: 0, commit: 0 });
  // Read it back: every checksum must hold before the import reports success.
  const written = join(dataDir, snapshotName(summary.zxid));
  await readSnapshot(fs, written, undefined);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `imported ${imported.machine.znodeCount} znodes and ${imported.machine.sessions().size} sessions at zxid ` +
      `${hex(summary.zxid)} from ${imported.from} in ${seconds} s, peak memory ` +
      `${mib(process.resourceUsage().maxRSS * 1024)}\n${imported.details}` +
      `wrote ${written}; start the server with: paddock server${values.config === undefined ? "" : ` --config ${values.config}`}\n`,
  );
  return 0;
}

/** What either source hands the writer: the state, where it came from, and lines for the summary. */
interface Imported {
  readonly machine: StateMachine;
  readonly from: string;
  readonly details: string;
}

type Progress = ReturnType<typeof progressReporter>;

async function fromDataDir(
  dataDir: string,
  dataLogDir: string | undefined,
  checkDigests: boolean,
  progress: Progress,
): Promise<Imported> {
  const result = await importZooKeeperDataDir({
    dataDir,
    ...(dataLogDir === undefined ? {} : { dataLogDir }),
    machineOptions: { extendedTypesEnabled: true },
    checkDigests,
    onProgress: (p) => progress.update(p),
    onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
  });
  const { counts } = result;
  const digest =
    counts.digestsChecked > 0
      ? `, matched ${counts.digestsChecked} digest(s) ZooKeeper recorded`
      : ", no recorded digest to compare";
  return {
    machine: result.machine,
    from: `${result.snapshot} and ${counts.txnsApplied} logged transactions (${result.logs.length} log file(s))`,
    details: `ZooKeeper digest ${hex(result.zookeeperDigest)}${digest}\n`,
  };
}

async function fromServer(
  connectString: string,
  auth: readonly string[],
  ephemerals: "skip" | "persistent",
  skipUnreadable: boolean,
  progress: Progress,
): Promise<Imported> {
  const result = await copyLiveTree({
    connectString,
    auth,
    ephemerals,
    skipUnreadable,
    onProgress: (done, total) =>
      progress.update({ doneBytes: done, totalBytes: total, phase: "znodes read" }),
  });
  const lines: string[] = [];
  if (result.skippedEphemerals.length > 0) {
    lines.push(
      `skipped ${result.skippedEphemerals.length} ephemeral node(s) (sessions are not copied): ` +
        `${result.skippedEphemerals.slice(0, 10).join(", ")}${result.skippedEphemerals.length > 10 ? ", ..." : ""}`,
    );
  }
  if (result.unreadable.length > 0) {
    lines.push(
      `left out ${result.unreadable.length} unreadable node(s) and their subtrees: ${result.unreadable.slice(0, 10).join(", ")}`,
    );
  }
  return {
    machine: result.machine,
    from: `the running server ${connectString} (not atomic; no sessions; containers and TTL nodes as persistent)`,
    details: lines.map((l) => `${l}\n`).join(""),
  };
}
