// One call for a replica's start-up: recover the state from dataDir/dataLogDir, replay the log
// entries known to be committed, hand the consensus core everything it needs to resume (hard state,
// snapshot position, every entry after the snapshot), open the durable log where recovery left it,
// and set up the snapshot trigger, with ZooKeeper's configuration keys.

import { type ConfState, type Entry, EntryType, type RaftStorage, zxidEpoch } from "../consensus/index.js";
import type { Entry as StateEntry } from "../state/entry.js";
import type { StateMachine, StateMachineOptions } from "../state/machine.js";
import { DurableEntryLog } from "./durable-entry-log.js";
import { StorageError } from "./errors.js";
import type { FileSystem } from "./file-system.js";
import { readHardState } from "./hard-state-file.js";
import { hex } from "./log-reader.js";
import type { StorageLogger } from "./logger.js";
import { recover } from "./recovery.js";
import { type SnapshotPosition, snapshotName } from "./snapshot-file.js";
import { Snapshotter } from "./snapshotter.js";

export interface StorageConfig {
  readonly dataDir: string;
  readonly dataLogDir: string;
  readonly forceSync: boolean;
  readonly preAllocSizeKb: number;
  readonly snapCount: number;
  /** zookeeper.snapSizeLimitInKb; ZooKeeper's default is 4 GiB. */
  readonly snapSizeLimitKb?: number;
  readonly autopurgeSnapRetainCount: number;
  /** 0 turns autopurge off; any other value purges after each snapshot. */
  readonly autopurgePurgeIntervalHours: number;
  readonly machineOptions: StateMachineOptions;
}

/** What the replica tells its storage about itself. */
export interface ReplicaIdentity {
  readonly id: number;
  /** The membership from the configuration, used while no snapshot records one. */
  readonly initialConf: ConfState;
}

/** Filled in by the replica once it exists: the snapshotter asks it where the applied state stands. */
export interface SnapshotHooks {
  position(): SnapshotPosition;
  onWritten(zxid: bigint, position: SnapshotPosition): void;
}

export interface OpenedStorage {
  readonly machine: StateMachine;
  readonly log: DurableEntryLog;
  readonly snapshotter: Snapshotter;
  /** What the consensus core resumes from. */
  readonly raft: RaftStorage;
  /** The membership as of the recovered snapshot (or the configuration's, without one). */
  readonly conf: ConfState;
}

const SNAP_SIZE_LIMIT_KB_DEFAULT = 4 * 1024 * 1024;
/** ZooKeeper rolls its log at each snapshot; this also bounds one segment between snapshots. */
const SEGMENT_BYTES_MAX = 1024 * 1024 * 1024;
/**
 * Nodes serialised per event-loop turn: 1.8 ms (p99 2.9 ms) for 100-byte znodes here. Fewer per turn
 * makes a snapshot of a million znodes take thousands of turns of a busy server, seconds during
 * which the log grows past snapCount, and a restart after a crash replays all of it.
 */
const NODES_PER_CHUNK = 2000;

/** How a snapshot is named to the consensus core (and, later, to a peer that needs it). */
export function snapshotDescriptor(zxid: bigint): Uint8Array {
  return Buffer.from(snapshotName(zxid), "utf8");
}

/**
 * The consensus core's form of a logged entry. Paddock logs every entry of the replicated log,
 * including a leader's term-start marker and membership changes, as a state entry, so the record's
 * payload is the core's data except for those two, which the core knows by their own form.
 */
export function consensusEntry(entry: StateEntry, payload: Buffer, index: number): Entry {
  const term = zxidEpoch(entry.zxid);
  if (term === 0) {
    // Terms start at 1; an epoch-0 zxid comes from a Paddock that logged without the consensus core.
    throw new StorageError(
      "PDK_LOG_CORRUPT",
      `log entry ${hex(entry.zxid)} was written by a Paddock version without the replicated log, whose ` +
        "data directories this version cannot read; the server refuses to start. Start on an empty " +
        "dataDir and dataLogDir.",
    );
  }
  const txn = entry.txn;
  if (txn.kind === "epochStart")
    return { term, index, zxid: entry.zxid, type: EntryType.Normal, data: new Uint8Array(0) };
  if (txn.kind === "membership")
    return { term, index, zxid: entry.zxid, type: EntryType.ConfChange, data: txn.change };
  return { term, index, zxid: entry.zxid, type: EntryType.Normal, data: payload };
}

function sameConf(a: ConfState, b: ConfState): boolean {
  const key = (c: ConfState) => `${[...c.voters].sort()}/${[...c.learners].sort()}`;
  return key(a) === key(b);
}

export async function openStorage(
  fs: FileSystem,
  config: StorageConfig,
  self: ReplicaIdentity,
  hooks: SnapshotHooks,
  logger: StorageLogger,
  onFatal: (error: StorageError) => void,
): Promise<OpenedStorage> {
  const recovered = await recover({
    fs,
    dataDir: config.dataDir,
    dataLogDir: config.dataLogDir,
    machineOptions: config.machineOptions,
    logger,
  });
  const hardState = await readHardState(fs, config.dataLogDir);
  const { machine, position, snapshotZxid } = recovered;
  const conf = position?.conf ?? self.initialConf;
  if (position !== undefined && !sameConf(position.conf, self.initialConf)) {
    logger.warn(
      `the membership recorded in the data (voters ${position.conf.voters}, learners ${position.conf.learners}) ` +
        "differs from the configuration's; the recorded one is used",
    );
  }
  // With this replica the only voter, every entry it made durable was committed by that alone.
  // Otherwise only the commit index it last wrote is known committed; the rest waits for a leader.
  const alone = conf.voters.length === 1 && conf.voters[0] === self.id;
  const baseIndex = position?.index ?? 0;
  let replayable = alone ? Number.POSITIVE_INFINITY : hardState.commit;
  const entries: Entry[] = [];
  let applied = baseIndex;
  let index = baseIndex;
  for (const { entry, payload } of recovered.log.records()) {
    index++;
    // Membership changes are the core's to apply: replay stops before the first one.
    if (entry.txn.kind === "membership") replayable = Math.min(replayable, index - 1);
    if (index <= replayable) {
      machine.replay(entry);
      applied = index;
    }
    // Copies: the segment images the payloads view are released once recovery is over.
    entries.push(consensusEntry(entry, Buffer.from(payload), index));
  }
  const waiting = index - applied;
  logger.info(
    `recovered to zxid ${hex(machine.lastZxid)} (log index ${applied}): snapshot ${hex(snapshotZxid)} plus ` +
      `${applied - baseIndex} log entries${waiting > 0 ? `; ${waiting} more await the leader's commit` : ""}`,
  );
  const log = new DurableEntryLog({
    fs,
    dir: config.dataLogDir,
    tail: recovered.log.tail,
    lastZxid: recovered.log.lastZxid,
    preallocBytes: Math.max(4096, config.preAllocSizeKb * 1024),
    segmentBytesMax: SEGMENT_BYTES_MAX,
    forceSync: config.forceSync,
    logger,
    onFatal,
  });
  const snapshotter = new Snapshotter({
    fs,
    dataDir: config.dataDir,
    dataLogDir: config.dataLogDir,
    machine,
    log,
    position: () => hooks.position(),
    onWritten: (zxid, at) => hooks.onWritten(zxid, at),
    snapCount: config.snapCount,
    snapSizeLimitBytes: (config.snapSizeLimitKb ?? SNAP_SIZE_LIMIT_KB_DEFAULT) * 1024,
    retainCount: config.autopurgeSnapRetainCount,
    autopurge: config.autopurgePurgeIntervalHours > 0,
    nodesPerChunk: NODES_PER_CHUNK,
    random: Math.random,
    logger,
    onFatal,
  });
  const snapshot =
    position === undefined
      ? null
      : {
          meta: {
            index: position.index,
            term: zxidEpoch(snapshotZxid),
            zxid: snapshotZxid,
            conf: position.conf,
          },
          data: snapshotDescriptor(snapshotZxid),
        };
  const raft: RaftStorage = {
    hardState: { ...hardState, commit: Math.min(Math.max(hardState.commit, applied), index) },
    snapshot,
    entries,
    applied,
  };
  return { machine, log, snapshotter, raft, conf };
}
