// The file side of importing a ZooKeeper data directory: finds `version-2/` under dataDir (and
// dataLogDir), picks the newest snapshot that looks complete (as FileSnap.findNValidSnapshots does),
// decompresses it (.gz, .snappy), and feeds it and then every log file from the one holding the
// snapshot's zxid into a ZkRestore. Damage stops the import with the file and offset; only a torn
// record at the end of a log file is read past, as ZooKeeper reads past it.

import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { StateMachine, StateMachineOptions } from "../../state/machine.js";
import { damaged, ZkDecodeError, ZkImportError } from "./errors.js";
import { decompressXerialSnappy } from "./snappy-stream.js";
import { readZkSnapshot } from "./snapshot-format.js";
import { readZkLog } from "./txn-log.js";
import { ZkDigestMismatch, ZkRestore, type ZkRestoreCounts, ZkSequenceError } from "./zk-restore.js";

const SNAPSHOT_NAME = /^snapshot\.([0-9a-fA-F]+)(\.gz|\.snappy)?$/;
const LOG_NAME = /^log\.([0-9a-fA-F]+)$/;
const GZIP_MAGIC = 0x1f8b;
const SNAPPY_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

interface ZkFile {
  readonly path: string;
  readonly zxid: bigint;
  readonly compression: "" | ".gz" | ".snappy";
  readonly bytes: number;
}

export interface ZkImportProgress {
  /** Bytes of input handled so far and in all (snapshot plus the logs replayed). */
  readonly doneBytes: number;
  readonly totalBytes: number;
  readonly phase: string;
}

export interface ZkImportOptions {
  readonly dataDir: string;
  /** ZooKeeper's dataLogDir, when its logs are not under dataDir. */
  readonly dataLogDir?: string;
  readonly machineOptions: StateMachineOptions;
  /** Compare ZooKeeper's recorded digests with the rebuilt tree (on unless asked not to). */
  readonly checkDigests: boolean;
  readonly onProgress?: (p: ZkImportProgress) => void;
  readonly onWarning?: (message: string) => void;
}

export interface ZkImportResult {
  readonly machine: StateMachine;
  readonly snapshot: string;
  readonly logs: readonly string[];
  readonly counts: ZkRestoreCounts;
  readonly lastZxid: bigint;
  /** ZooKeeper's digest of the imported tree, as its `hash` four-letter word would report it. */
  readonly zookeeperDigest: bigint;
}

/** `dir/version-2` when it exists, else `dir` itself (the user may name either). */
async function versionDir(dir: string): Promise<string> {
  const nested = join(dir, "version-2");
  try {
    if ((await stat(nested)).isDirectory()) return nested;
  } catch {
    // not there: dir is the version directory itself, or not a ZooKeeper directory at all
  }
  return dir;
}

async function listFiles(dir: string, pattern: RegExp): Promise<ZkFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new ZkImportError(
      "PDK_IMPORT_NO_SOURCE",
      `cannot read ${dir} (${(error as Error).message}); --from names ZooKeeper's dataDir (the directory holding version-2/)`,
    );
  }
  const out: ZkFile[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    if (m === null) continue;
    const path = join(dir, name);
    out.push({
      path,
      zxid: BigInt.asIntN(64, BigInt(`0x${m[1]}`)),
      compression: (m[2] ?? "") as ZkFile["compression"],
      bytes: (await stat(path)).size,
    });
  }
  return out.sort((a, b) => (a.zxid < b.zxid ? -1 : a.zxid > b.zxid ? 1 : 0));
}

/**
 * SnapStream.isValidSnapshot: a plain snapshot ends with its "/" seal, a compressed one starts with
 * its format's magic. A file that fails is an interrupted write, which ZooKeeper passes over too.
 */
async function looksComplete(file: ZkFile): Promise<boolean> {
  const bytes = await readFile(file.path);
  if (file.compression === ".gz") return bytes.length >= 2 && bytes.readUInt16BE(0) === GZIP_MAGIC;
  if (file.compression === ".snappy") return bytes.subarray(0, 8).equals(SNAPPY_MAGIC);
  return bytes.length >= 10 && bytes.readInt32BE(bytes.length - 5) === 1 && bytes[bytes.length - 1] === 0x2f;
}

function decompress(file: ZkFile, raw: Buffer): Buffer {
  try {
    if (file.compression === ".gz") return gunzipSync(raw);
    if (file.compression === ".snappy") return decompressXerialSnappy(raw);
    return raw;
  } catch (error) {
    if (error instanceof ZkDecodeError) throw damaged(file.path, error);
    throw damaged(file.path, new ZkDecodeError(0, `cannot decompress: ${(error as Error).message}`));
  }
}

/** Reads a ZooKeeper data directory into a Paddock StateMachine, as ZooKeeper would restore it. */
export async function importZooKeeperDataDir(o: ZkImportOptions): Promise<ZkImportResult> {
  const snapDir = await versionDir(o.dataDir);
  const logDir = await versionDir(o.dataLogDir ?? o.dataDir);
  const snapshots = (await listFiles(snapDir, SNAPSHOT_NAME)).reverse();
  let chosen: ZkFile | undefined;
  for (const file of snapshots) {
    if (await looksComplete(file)) {
      chosen = file;
      break;
    }
    o.onWarning?.(`${file.path} is incomplete (an interrupted write); ZooKeeper skips it too`);
  }
  if (chosen === undefined) {
    throw new ZkImportError(
      "PDK_IMPORT_NO_SNAPSHOT",
      `no complete ZooKeeper snapshot in ${snapDir}. ZooKeeper writes snapshot.0 when it first starts; ` +
        "point --from at its dataDir (and --from-log at its dataLogDir if that is separate).",
    );
  }
  const allLogs = await listFiles(logDir, LOG_NAME);
  // FileTxnLog.getLogFiles: the last log starting at or before the snapshot's zxid, and every later one.
  let first = 0;
  for (let i = 0; i < allLogs.length; i++) if (allLogs[i]!.zxid <= chosen.zxid) first = i;
  const logs = allLogs.slice(first);
  const totalBytes = chosen.bytes + logs.reduce((n, f) => n + f.bytes, 0);
  const progress = (doneBytes: number, phase: string) => o.onProgress?.({ doneBytes, totalBytes, phase });

  const restore = new ZkRestore(o.machineOptions, o.checkDigests);
  await loadSnapshot(restore, chosen, (done) => progress(done, `snapshot ${basename(chosen.path)}`));
  let done = chosen.bytes;

  const replayed: string[] = [];
  let tornBefore: string | undefined;
  for (let i = 0; i < logs.length; i++) {
    const file = logs[i]!;
    const name = basename(file.path);
    const bytes = await readFile(file.path);
    let applied = 0;
    let recordAt = 0;
    let end: ReturnType<typeof readZkLog>;
    try {
      end = readZkLog(bytes, (entry, offset) => {
        recordAt = offset;
        try {
          if (restore.apply(entry)) applied++;
        } catch (error) {
          if (error instanceof ZkSequenceError && tornBefore !== undefined) {
            throw new ZkSequenceError(`${error.message} (${tornBefore})`);
          }
          throw error;
        }
        tornBefore = undefined;
        if (applied % 20_000 === 0) progress(done + offset, `log ${name}`);
      });
    } catch (error) {
      if (error instanceof ZkDecodeError) throw damaged(file.path, error);
      throw explain(error, `${file.path} at byte ${recordAt}`);
    }
    if (end.kind === "torn") {
      const what = `${name} ends with a torn record at byte ${end.offset} (${end.reason})`;
      // A torn record is a write a crash cut off; ZooKeeper reads on from the next file, whose first
      // txn must then follow on (apply checks it), or stops here when this is the newest file.
      if (i === logs.length - 1)
        o.onWarning?.(`${what}; it was never acknowledged and is left out, as ZooKeeper does`);
      else tornBefore = what;
    }
    if (applied > 0) replayed.push(file.path);
    done += file.bytes;
    progress(done, `log ${name}`);
  }
  const lastZxid = restore.zxid;
  const zookeeperDigest = restore.zookeeperDigest;
  const { machine, counts, warnings } = restore.finish();
  for (const w of new Set(warnings)) o.onWarning?.(w);
  return { machine, snapshot: chosen.path, logs: replayed, counts, lastZxid, zookeeperDigest };
}

/** Reads a snapshot file into `restore`, reporting progress in bytes of the file. */
async function loadSnapshot(
  restore: ZkRestore,
  file: ZkFile,
  progress: (doneBytes: number) => void,
): Promise<void> {
  const content = decompress(file, await readFile(file.path));
  progress(0);
  let nodes = 0;
  try {
    const trailer = readZkSnapshot(content, {
      sessions: (list) => restore.snapshotSessions(list),
      node: (path, image, offset, zkDigest) => {
        restore.snapshotNode(path, image, zkDigest);
        if (++nodes % 50_000 === 0) progress(Math.floor((file.bytes * offset) / content.length));
      },
    });
    restore.snapshotDone(file.zxid, trailer);
  } catch (error) {
    if (error instanceof ZkDecodeError) throw damaged(file.path, error, file.compression !== "");
    throw explain(error, file.path);
  }
  progress(file.bytes);
}

/** One ZooKeeper snapshot file on its own, without the logs after it (for the offline toolkit). */
export async function readZooKeeperSnapshotFile(
  path: string,
  machineOptions: StateMachineOptions,
): Promise<{ machine: StateMachine; zxid: bigint; zookeeperDigest: bigint }> {
  const m = SNAPSHOT_NAME.exec(basename(path));
  if (m === null)
    throw new ZkImportError(
      "PDK_IMPORT_NO_SNAPSHOT",
      `${path} is not named snapshot.<hex zxid>[.gz|.snappy]`,
    );
  const file: ZkFile = {
    path,
    zxid: BigInt.asIntN(64, BigInt(`0x${m[1]}`)),
    compression: (m[2] ?? "") as ZkFile["compression"],
    bytes: (await stat(path)).size,
  };
  const restore = new ZkRestore(machineOptions, true);
  await loadSnapshot(restore, file, () => {});
  const zookeeperDigest = restore.zookeeperDigest;
  return { machine: restore.finish().machine, zxid: file.zxid, zookeeperDigest };
}

function explain(error: unknown, where: string): unknown {
  if (error instanceof ZkSequenceError) {
    return new ZkImportError("PDK_IMPORT_INCONSISTENT", `${where}: ${error.message}. Nothing was imported.`);
  }
  if (error instanceof ZkDigestMismatch) {
    return new ZkImportError(
      "PDK_IMPORT_DIGEST",
      `${where}: ${error.message}. Nothing was imported; the files disagree with the digest ZooKeeper ` +
        "recorded. Report this with the data directory; --no-digest-check imports anyway.",
    );
  }
  return error;
}
