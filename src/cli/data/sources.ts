// What the offline toolkit can be pointed at, told apart by content (file magic) and layout, not by
// name alone: ZooKeeper's and Paddock's data directories, snapshot files and log files. A directory
// or snapshot loads as a StateMachine the way its own server would load it, without changing a byte
// (Paddock's recovery runs over a DryRunFileSystem and reports what it would have repaired).

import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { StateMachine, StateMachineOptions } from "../../state/machine.js";
import type { StorageLogger } from "../../storage/logger.js";
import { recover } from "../../storage/recovery.js";
import { readSnapshot } from "../../storage/snapshot-file.js";
import { importZooKeeperDataDir, readZooKeeperSnapshotFile } from "../../storage/zookeeper/data-dir.js";
import { ZkImportError } from "../../storage/zookeeper/errors.js";
import { DryRunFileSystem } from "./dry-run-fs.js";

export type SourceKind =
  | "zookeeper-dir"
  | "zookeeper-snapshot"
  | "zookeeper-log"
  | "paddock-dir"
  | "paddock-snapshot"
  | "paddock-log";

export interface Source {
  readonly kind: SourceKind;
  readonly path: string;
}

const MAGICS: readonly (readonly [number[], SourceKind])[] = [
  [[0x5a, 0x4b, 0x53, 0x4e], "zookeeper-snapshot"], // ZKSN
  [[0x1f, 0x8b], "zookeeper-snapshot"], // gzip: ZooKeeper's .gz snapshots
  [[0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00], "zookeeper-snapshot"], // snappy-java stream
  [[0x5a, 0x4b, 0x4c, 0x47], "zookeeper-log"], // ZKLG
  [[0x50, 0x44, 0x4b, 0x53], "paddock-snapshot"], // PDKS
  [[0x50, 0x44, 0x4b, 0x4c], "paddock-log"], // PDKL
];

/** Machine options for loading anything: every node kind is known, so nothing is misread. */
export const TOOLKIT_MACHINE: StateMachineOptions = { extendedTypesEnabled: true };

async function fileKind(path: string): Promise<SourceKind | undefined> {
  const f = await open(path, "r");
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await f.read(head, 0, 8, 0);
    for (const [magic, kind] of MAGICS) {
      if (bytesRead >= magic.length && magic.every((b, i) => head[i] === b)) return kind;
    }
    return undefined;
  } finally {
    await f.close();
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Names what `path` holds; throws a ZkImportError saying what was expected when it is none of them. */
export async function identify(path: string): Promise<Source> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(path);
  } catch (error) {
    throw new ZkImportError("PDK_DATA_NOT_FOUND", `cannot read ${path}: ${(error as Error).message}`);
  }
  if (st.isDirectory()) {
    if (await isDirectory(join(path, "version-2"))) return { kind: "zookeeper-dir", path };
    for (const name of await readdir(path)) {
      if (!name.startsWith("snapshot.") && !name.startsWith("log.")) continue;
      const kind = await fileKind(join(path, name)).catch(() => undefined);
      if (kind?.startsWith("zookeeper")) return { kind: "zookeeper-dir", path };
      if (kind?.startsWith("paddock")) return { kind: "paddock-dir", path };
    }
    throw new ZkImportError(
      "PDK_DATA_UNKNOWN",
      `${path} holds no ZooKeeper or Paddock snapshot or log; name a dataDir, a snapshot file or a log file`,
    );
  }
  const kind = await fileKind(path);
  if (kind === undefined) {
    throw new ZkImportError(
      "PDK_DATA_UNKNOWN",
      `${path} is not a ZooKeeper or Paddock snapshot or log (its first bytes match no known format)`,
    );
  }
  return { kind, path };
}

/**
 * A Paddock data directory's state as a start would rebuild it: the newest good snapshot plus every
 * durable log entry after it (offline there is no leader to wait for, so all of them are applied).
 */
export async function recoverOffline(
  fs: DryRunFileSystem,
  dataDir: string,
  dataLogDir: string,
  logger: StorageLogger,
): Promise<StateMachine> {
  const recovered = await recover({ fs, dataDir, dataLogDir, machineOptions: TOOLKIT_MACHINE, logger });
  let replayed = 0;
  for (const entry of recovered.log.entries()) {
    recovered.machine.replay(entry);
    replayed++;
  }
  logger.info(
    `replayed ${replayed} log entries after the snapshot, to zxid 0x${BigInt.asUintN(64, recovered.machine.lastZxid).toString(16)}`,
  );
  return recovered.machine;
}

export interface LoadedState {
  readonly machine: StateMachine;
  /** How it was rebuilt, and what the server would repair or warn about on the way. */
  readonly notes: readonly string[];
}

/** Loads a directory or snapshot as its server would; logs are not a state and are refused. */
export async function loadState(source: Source): Promise<LoadedState> {
  const notes: string[] = [];
  switch (source.kind) {
    case "zookeeper-dir": {
      const r = await importZooKeeperDataDir({
        dataDir: source.path,
        machineOptions: TOOLKIT_MACHINE,
        checkDigests: true,
        onWarning: (m) => notes.push(`warning: ${m}`),
      });
      notes.push(
        `ZooKeeper would load ${r.snapshot} and replay ${r.counts.txnsApplied} transaction(s) ` +
          `from ${r.logs.length} log file(s), reaching zxid 0x${BigInt.asUintN(64, r.lastZxid).toString(16)}`,
        r.counts.digestsChecked > 0
          ? `${r.counts.digestsChecked} digest(s) ZooKeeper recorded match the rebuilt tree`
          : "no digest recorded to compare",
      );
      return { machine: r.machine, notes };
    }
    case "zookeeper-snapshot": {
      const r = await readZooKeeperSnapshotFile(source.path, TOOLKIT_MACHINE);
      notes.push(
        `ZooKeeper snapshot at zxid 0x${BigInt.asUintN(64, r.zxid).toString(16)}, seals verified (the logs after it are not applied)`,
      );
      return { machine: r.machine, notes };
    }
    case "paddock-dir": {
      const fs = new DryRunFileSystem();
      const machine = await recoverOffline(fs, source.path, source.path, {
        info: (m) => notes.push(m),
        warn: (m) => notes.push(`warning: ${m}`),
      });
      for (const change of fs.changes) notes.push(`a server start would ${change}`);
      return { machine, notes };
    }
    case "paddock-snapshot": {
      const { machine, summary } = await readSnapshot(new DryRunFileSystem(), source.path, TOOLKIT_MACHINE);
      notes.push(
        `Paddock snapshot at zxid 0x${BigInt.asUintN(64, summary.zxid).toString(16)}, checksums and digest verified`,
      );
      return { machine: machine!, notes };
    }
    default:
      throw new ZkImportError(
        "PDK_DATA_NOT_A_STATE",
        `${source.path} is a log file: a tree needs a data directory or a snapshot (dump prints a log's entries)`,
      );
  }
}
