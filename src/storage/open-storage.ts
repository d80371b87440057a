// One call for the server's start-up: recover the state from dataDir/dataLogDir, open the durable log
// where recovery left it, and start the snapshot trigger, with ZooKeeper's configuration keys. The
// server passes the machine to its service and the log as its EntryLog.

import type { StateMachine, StateMachineOptions } from "../state/machine.js";
import { DurableEntryLog } from "./durable-entry-log.js";
import type { StorageError } from "./errors.js";
import type { FileSystem } from "./file-system.js";
import type { StorageLogger } from "./logger.js";
import { recover } from "./recovery.js";
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

export interface OpenedStorage {
  readonly machine: StateMachine;
  readonly log: DurableEntryLog;
  readonly snapshotter: Snapshotter;
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

export async function openStorage(
  fs: FileSystem,
  config: StorageConfig,
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
    machine: recovered.machine,
    log,
    snapCount: config.snapCount,
    snapSizeLimitBytes: (config.snapSizeLimitKb ?? SNAP_SIZE_LIMIT_KB_DEFAULT) * 1024,
    retainCount: config.autopurgeSnapRetainCount,
    autopurge: config.autopurgePurgeIntervalHours > 0,
    nodesPerChunk: NODES_PER_CHUNK,
    random: Math.random,
    logger,
    onFatal,
  });
  return { machine: recovered.machine, log, snapshotter };
}
