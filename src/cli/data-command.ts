// `paddock data`: the offline toolkit, for ZooKeeper's files and Paddock's alike, without a server
// (ZooKeeper ships zkSnapShotToolkit.sh, zkTxnLogToolkit.sh and zkSnapshotComparer.sh for this).
//   dump <dir|file> [--json]   the state a directory or snapshot holds, or a log file's entries
//   compare <A> <B>            the differences between two trees (any mix of the two formats)
//   check <dir|file>           every checksum and digest, and what a server start would do
// Nothing is ever written: Paddock's recovery runs over a file system that only notes changes.

import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import type { Entry } from "../state/entry.js";
import type { StateMachine } from "../state/machine.js";
import { StorageError } from "../storage/errors.js";
import { openScannedLog, scanLog } from "../storage/log-reader.js";
import { decodeSegmentHeader, SEGMENT_HEADER_BYTES } from "../storage/segment-format.js";
import { listSnapshots, readSnapshot } from "../storage/snapshot-file.js";
import { ZkDecodeError, ZkImportError } from "../storage/zookeeper/errors.js";
import { readZkLog } from "../storage/zookeeper/txn-log.js";
import { DryRunFileSystem } from "./data/dry-run-fs.js";
import { aclText, dataText, hex, jsonLine, paths, stateLines } from "./data/render.js";
import { identify, loadState, type Source } from "./data/sources.js";

export const DATA_USAGE = `Usage: paddock data <command> ...   (offline: no server runs, nothing is written)

  dump <dir|file> [--json]   print a ZooKeeper or Paddock data directory's or snapshot's state
                             (sessions and every znode), or a log file's entries
  compare <A> <B>            list the differences between two trees (each a ZooKeeper or Paddock
                             data directory or snapshot); exit code 1 when they differ
  check <dir|file>           verify every checksum and digest and say what a server start would do;
                             exit code 1 on damage
`;

const DIFFERENCES_SHOWN_MAX = 100;

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Prints the entries of a ZooKeeper log file; returns how it ended. */
async function dumpZooKeeperLog(path: string, json: boolean): Promise<void> {
  const end = readZkLog(await readFile(path), (entry, offset) => {
    const h = entry.header;
    if (json) out(jsonLine({ kind: "txn", offset, ...h, txn: entry.txn, digest: entry.digest }));
    else {
      const time = new Date(Number(h.timeMs)).toISOString();
      out(
        `${hex(h.zxid)} ${time} session=${hex(h.sessionId)} cxid=${h.cxid} ${entry.txn.kind} ${jsonLine(entry.txn)}`,
      );
    }
  });
  const line =
    end.kind === "clean"
      ? `end of records at byte ${end.offset}`
      : `torn record at byte ${end.offset}: ${end.reason}`;
  out(json ? jsonLine({ kind: "end", end: end.kind, offset: end.offset }) : `# ${line}`);
}

/** The entries of one Paddock log segment, read through the log reader (no repair is made). */
async function paddockSegmentEntries(path: string, notes: string[]): Promise<Entry[]> {
  const fs = new DryRunFileSystem();
  const header = decodeSegmentHeader(await (await readFile(path)).subarray(0, SEGMENT_HEADER_BYTES));
  if (header === undefined) throw new StorageError("PDK_LOG_CORRUPT", `${path}: segment header damaged`);
  const dir = dirname(path);
  const scan = await scanLog(fs, dir, header.prevZxid);
  const log = await openScannedLog(fs, scan, { info: (m) => notes.push(m), warn: (m) => notes.push(m) });
  const next = log.segments.find((s) => s.header.firstZxid > header.firstZxid)?.header.firstZxid;
  const entries: Entry[] = [];
  for (const e of log.entries()) if (next === undefined || e.zxid < next) entries.push(e);
  return entries;
}

async function dump(source: Source, json: boolean): Promise<void> {
  if (source.kind === "zookeeper-log") return dumpZooKeeperLog(source.path, json);
  if (source.kind === "paddock-log") {
    const notes: string[] = [];
    for (const e of await paddockSegmentEntries(source.path, notes)) {
      if (json) out(jsonLine({ kind: "entry", ...e }));
      else {
        const time = new Date(Number(e.timeMs)).toISOString();
        out(`${hex(e.zxid)} ${time} session=${hex(e.sessionId)} ${e.txn.kind} ${jsonLine(e.txn)}`);
      }
    }
    for (const n of notes) out(json ? jsonLine({ kind: "note", text: n }) : `# ${n}`);
    return;
  }
  const { machine, notes } = await loadState(source);
  for (const n of notes) out(json ? jsonLine({ kind: "note", text: n }) : `# ${n}`);
  for (const line of stateLines(machine, json)) out(line);
}

/** The differences between two states, one line each. */
function* differences(a: StateMachine, b: StateMachine): IterableIterator<string> {
  if (a.lastZxid !== b.lastZxid) yield `last zxid: ${hex(a.lastZxid)} vs ${hex(b.lastZxid)}`;
  const sa = a.sessions();
  const sb = b.sessions();
  for (const [id, s] of sa) {
    const o = sb.get(id);
    if (o === undefined) yield `session ${hex(id)}: only in A`;
    else if (o.timeoutMs !== s.timeoutMs)
      yield `session ${hex(id)}: timeout ${s.timeoutMs} vs ${o.timeoutMs} ms`;
  }
  for (const id of sb.keys()) if (!sa.has(id)) yield `session ${hex(id)}: only in B`;
  const inA = new Set(paths(a));
  for (const path of inA) {
    const na = a.tree.get(path)!;
    const nb = b.tree.get(path);
    if (nb === undefined) {
      yield `${path}: only in A`;
      continue;
    }
    const da = a.tree.dataOf(na);
    const db = b.tree.dataOf(nb);
    if (da === null ? db !== null : db === null || !da.equals(db))
      yield `${path}: data ${dataText(da)} vs ${dataText(db)}`;
    const aa = aclText(a.tree.aclOf(na));
    const ab = aclText(b.tree.aclOf(nb));
    if (aa !== ab) yield `${path}: acl ${aa} vs ${ab}`;
    const ta = a.tree.statOf(na) as unknown as Record<string, bigint | number>;
    const tb = b.tree.statOf(nb) as unknown as Record<string, bigint | number>;
    for (const key of Object.keys(ta)) {
      if (ta[key] !== tb[key]) yield `${path}: ${key} ${String(ta[key])} vs ${String(tb[key])}`;
    }
  }
  for (const path of paths(b)) if (!inA.has(path)) yield `${path}: only in B`;
}

async function compare(a: Source, b: Source): Promise<number> {
  const [sa, sb] = [await loadState(a), await loadState(b)];
  let count = 0;
  for (const line of differences(sa.machine, sb.machine)) {
    if (++count <= DIFFERENCES_SHOWN_MAX) out(line);
  }
  if (count > DIFFERENCES_SHOWN_MAX) out(`... and ${count - DIFFERENCES_SHOWN_MAX} more`);
  out(
    count === 0
      ? `the trees are the same: ${sa.machine.znodeCount} znodes, ${sa.machine.sessions().size} sessions, zxid ${hex(sa.machine.lastZxid)}`
      : `${count} difference(s) between ${a.path} (A) and ${b.path} (B)`,
  );
  return count === 0 ? 0 : 1;
}

async function check(source: Source): Promise<number> {
  if (source.kind === "zookeeper-log") {
    let records = 0;
    const end = readZkLog(await readFile(source.path), () => records++);
    out(`${source.path}: ${records} record(s), every checksum matches`);
    if (end.kind === "torn")
      out(`torn record at byte ${end.offset} (${end.reason}): ZooKeeper stops reading this file there`);
    return 0;
  }
  if (source.kind === "paddock-log") {
    const notes: string[] = [];
    const entries = await paddockSegmentEntries(source.path, notes);
    for (const n of notes) out(n);
    out(`${source.path}: ${entries.length} entr(ies), every checksum matches`);
    return 0;
  }
  if (source.kind === "paddock-dir") {
    const fs = new DryRunFileSystem();
    for (const { name } of await listSnapshots(fs, source.path)) {
      const path = join(source.path, name);
      try {
        const { summary } = await readSnapshot(fs, path, undefined);
        out(`${path}: checksums match (${summary.nodeCount} znodes at zxid ${hex(summary.zxid)})`);
      } catch (error) {
        if (!(error instanceof StorageError)) throw error;
        out(error.message);
      }
    }
  }
  const { machine, notes } = await loadState(source);
  for (const n of notes) out(n);
  out(
    `state: ${machine.znodeCount} znodes, ${machine.sessions().size} sessions, last zxid ${hex(machine.lastZxid)}`,
  );
  return 0;
}

/** Runs `paddock data` with the arguments after it; resolves to the exit code. */
export async function runData(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
    strict: true,
  });
  const [command, ...targets] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(DATA_USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const wanted = command === "compare" ? 2 : 1;
  if (!["dump", "compare", "check"].includes(command) || targets.length !== wanted) {
    process.stderr.write(`paddock data: bad command line\n\n${DATA_USAGE}`);
    return 2;
  }
  // `paddock data dump ... | head` closes the pipe early: that ends the dump, it is not an error.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
  try {
    const sources = await Promise.all(targets.map(identify));
    if (command === "dump") {
      await dump(sources[0]!, values.json === true);
      return 0;
    }
    if (command === "compare") return await compare(sources[0]!, sources[1]!);
    return await check(sources[0]!);
  } catch (error) {
    if (error instanceof ZkImportError || error instanceof StorageError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    if (error instanceof ZkDecodeError) {
      process.stderr.write(`PDK_DATA_DAMAGED: ${targets.join(" ")}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
