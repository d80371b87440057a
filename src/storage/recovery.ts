// Start-up recovery: the newest snapshot that reads back whole (checksums and digest), then every
// log entry after it, applied in order. A damaged snapshot is skipped for an older one, but only if
// the log still reaches back to it; otherwise start-up stops rather than serve a state with a hole.

import { join } from "node:path";
import { StateMachine, type StateMachineOptions } from "../state/machine.js";
import { invariant, StorageError } from "./errors.js";
import type { FileSystem } from "./file-system.js";
import { hex, type ReadLogResult, readLog } from "./log-reader.js";
import type { StorageLogger } from "./logger.js";
import { listSnapshots, readSnapshot } from "./snapshot-file.js";

export interface RecoverOptions {
  readonly fs: FileSystem;
  readonly dataDir: string;
  readonly dataLogDir: string;
  readonly machineOptions: StateMachineOptions;
  readonly logger: StorageLogger;
}

export interface Recovered {
  readonly machine: StateMachine;
  /** The zxid of the snapshot recovery started from (0 when none). */
  readonly snapshotZxid: bigint;
  /** The log as read: where appending resumes, and the last durable zxid. */
  readonly log: ReadLogResult;
}

/** Damaged snapshots tried before giving up on snapshots; each costs a full read. */
const SNAPSHOTS_TRIED_MAX = 10;

export async function recover(o: RecoverOptions): Promise<Recovered> {
  const { fs, logger } = o;
  await fs.mkdirp(o.dataDir);
  await fs.mkdirp(o.dataLogDir);
  for (const name of await fs.list(o.dataDir)) {
    // A snapshot interrupted before its rename: never complete, never used.
    if (name.startsWith("snapshot.") && name.endsWith(".tmp")) await fs.unlink(join(o.dataDir, name));
  }
  let machine: StateMachine | undefined;
  let snapshotZxid = 0n;
  const skipped: string[] = [];
  for (const { name } of (await listSnapshots(fs, o.dataDir)).slice(0, SNAPSHOTS_TRIED_MAX)) {
    const path = join(o.dataDir, name);
    try {
      const read = await readSnapshot(fs, path, o.machineOptions);
      machine = read.machine!;
      snapshotZxid = read.summary.zxid;
      logger.info(`loaded snapshot ${path} at zxid ${hex(snapshotZxid)} (${read.summary.nodeCount} znodes)`);
      break;
    } catch (error) {
      if (!(error instanceof StorageError) || error.code !== "PDK_SNAPSHOT_CORRUPT") throw error;
      logger.warn(error.message);
      skipped.push(error.message);
    }
  }
  machine ??= new StateMachine(o.machineOptions);
  let log: ReadLogResult;
  try {
    log = await readLog(fs, o.dataLogDir, snapshotZxid, logger);
  } catch (error) {
    if (error instanceof StorageError && error.code === "PDK_STORAGE_GAP" && skipped.length > 0) {
      throw new StorageError(
        "PDK_STORAGE_GAP",
        `${error.message.slice("PDK_STORAGE_GAP: ".length)} The newer snapshots were unreadable: ${skipped.join(" | ")}`,
      );
    }
    throw error;
  }
  for (const entry of log.entries) machine.apply(entry);
  invariant(
    machine.lastZxid === log.lastZxid,
    `recovery ends at the log's last zxid ${hex(log.lastZxid)}, not ${hex(machine.lastZxid)}`,
  );
  logger.info(
    `recovered to zxid ${hex(machine.lastZxid)}: snapshot ${hex(snapshotZxid)} plus ${log.entries.length} log entries`,
  );
  return { machine, snapshotZxid, log };
}
