// Start-up recovery: the newest snapshot that reads back whole (checksums and digest), and the log
// entries after it, read and checked; which of them may be replayed at once is the replica's call
// (only those known committed). A damaged snapshot is skipped for an older one, but only if the log
// still reaches back to it; otherwise start-up stops rather than serve a state with a hole. The log
// is read and checked while the snapshot loads: that needs only the snapshot's zxid, which its file
// name gives.

import { join } from "node:path";
import { StateMachine, type StateMachineOptions } from "../state/machine.js";
import { invariant, StorageError } from "./errors.js";
import type { FileSystem } from "./file-system.js";
import { hex, type LogScan, openScannedLog, type ReadLogResult, scanLog } from "./log-reader.js";
import type { StorageLogger } from "./logger.js";
import { listSnapshots, readSnapshot, type SnapshotPosition } from "./snapshot-file.js";

export interface RecoverOptions {
  readonly fs: FileSystem;
  readonly dataDir: string;
  readonly dataLogDir: string;
  readonly machineOptions: StateMachineOptions;
  readonly logger: StorageLogger;
}

export interface Recovered {
  /** The state as of the snapshot; the log's entries are not replayed into it yet. */
  readonly machine: StateMachine;
  /** The zxid of the snapshot recovery started from (0 when none). */
  readonly snapshotZxid: bigint;
  /** Where that snapshot stands in the replicated log; undefined when there is none. */
  readonly position: SnapshotPosition | undefined;
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
  const snapshots = (await listSnapshots(fs, o.dataDir)).slice(0, SNAPSHOTS_TRIED_MAX);
  // The segment reads are asynchronous and the checksum scan fills the main thread's waits for the
  // snapshot loader's worker. A scan only reads, so one for a snapshot that proves unreadable is
  // dropped and the log scanned again for the one loaded. The handler keeps a failure from being
  // reported unhandled before it is awaited.
  const expectedZxid = snapshots[0]?.zxid ?? 0n;
  const early = scanLog(fs, o.dataLogDir, expectedZxid);
  early.catch(() => undefined);
  let machine: StateMachine | undefined;
  let snapshotZxid = 0n;
  let position: SnapshotPosition | undefined;
  const skipped: string[] = [];
  for (const { name } of snapshots) {
    const path = join(o.dataDir, name);
    try {
      const read = await readSnapshot(fs, path, o.machineOptions);
      machine = read.machine!;
      snapshotZxid = read.summary.zxid;
      position = read.position;
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
    let scan: LogScan;
    if (snapshotZxid === expectedZxid) {
      scan = await early;
    } else {
      // Let the dropped scan end first rather than hold two copies of the segments.
      await early.catch(() => undefined);
      scan = await scanLog(fs, o.dataLogDir, snapshotZxid);
    }
    log = await openScannedLog(fs, scan, logger);
  } catch (error) {
    if (error instanceof StorageError && error.code === "PDK_STORAGE_GAP" && skipped.length > 0) {
      throw new StorageError(
        "PDK_STORAGE_GAP",
        `${error.message.slice("PDK_STORAGE_GAP: ".length)} The newer snapshots were unreadable: ${skipped.join(" | ")}`,
      );
    }
    throw error;
  }
  return { machine, snapshotZxid, position, log };
}

/** Replays every entry of the log into the machine: for a log whose entries are all committed. */
export function replayAll(recovered: Recovered, logger: StorageLogger): StateMachine {
  const { machine, log } = recovered;
  for (const entry of log.entries()) machine.replay(entry);
  invariant(
    machine.lastZxid === log.lastZxid,
    `recovery ends at the log's last zxid ${hex(log.lastZxid)}, not ${hex(machine.lastZxid)}`,
  );
  logger.info(
    `recovered to zxid ${hex(machine.lastZxid)}: snapshot ${hex(recovered.snapshotZxid)} plus ${log.entryCount} log entries`,
  );
  return machine;
}
