// A storage stack wired as the server will wire it, on any file layer: recover(), a DurableEntryLog
// on the recovered tail applying committed batches to the recovered machine, and a Snapshotter.

import { type Entry, encodeEntry } from "../../../src/state/entry.js";
import { StateMachine } from "../../../src/state/machine.js";
import { DurableEntryLog } from "../../../src/storage/durable-entry-log.js";
import type { StorageError } from "../../../src/storage/errors.js";
import type { FileSystem } from "../../../src/storage/file-system.js";
import { recover, replayAll } from "../../../src/storage/recovery.js";
import { SeededRandom } from "../../../src/storage/sim-file-system.js";
import { Snapshotter } from "../../../src/storage/snapshotter.js";
import { LinesLogger } from "./support.js";

export const DATA_DIR = "/data/snap";
export const DATA_LOG_DIR = "/data/log";

export interface StorageNode {
  readonly machine: StateMachine;
  readonly log: DurableEntryLog;
  /** Encodes and appends an entry; once a sync covers it, it is applied and joins `committed`. */
  append(entry: Entry): void;
  readonly snapshotter: Snapshotter;
  readonly committed: Entry[];
  readonly fatal: StorageError[];
  readonly logger: LinesLogger;
}

export async function bootNode(
  fs: FileSystem,
  options: { snapCount?: number; retainCount?: number; nodesPerChunk?: number; seed?: number } = {},
): Promise<StorageNode> {
  const logger = new LinesLogger();
  const recovered = await recover({
    fs,
    dataDir: DATA_DIR,
    dataLogDir: DATA_LOG_DIR,
    machineOptions: {},
    logger,
  });
  const fatal: StorageError[] = [];
  const log = new DurableEntryLog({
    fs,
    dir: DATA_LOG_DIR,
    tail: recovered.log.tail,
    lastZxid: recovered.log.lastZxid,
    preallocBytes: 4096,
    segmentBytesMax: 4096,
    forceSync: true,
    logger,
    onFatal: (e) => fatal.push(e),
  });
  const committed: Entry[] = [];
  const machine = replayAll(recovered, logger);
  const appended: Entry[] = [];
  let applied = recovered.log.entryCount + (recovered.position?.index ?? 0);
  log.onDurable = (zxid) => {
    let n = 0;
    while (appended.length > 0 && appended[0]!.zxid <= zxid) {
      const e = appended.shift()!;
      machine.apply(e);
      committed.push(e);
      applied++;
      n++;
    }
    snapshotter.afterApply(n, 0);
  };
  const append = (entry: Entry) => {
    log.append(entry.zxid, encodeEntry(entry));
    appended.push(entry);
  };
  const random = new SeededRandom(options.seed ?? 7);
  const snapshotter = new Snapshotter({
    fs,
    dataDir: DATA_DIR,
    dataLogDir: DATA_LOG_DIR,
    machine,
    log,
    position: () => ({ index: applied, conf: { voters: [1], learners: [] } }),
    onWritten: () => {},
    snapCount: options.snapCount ?? 6,
    snapSizeLimitBytes: 0,
    retainCount: options.retainCount ?? 3,
    autopurge: true,
    nodesPerChunk: options.nodesPerChunk ?? 1,
    random: () => random.next(),
    logger,
    onFatal: (e) => fatal.push(e),
  });
  return { machine, log, append, snapshotter, committed, fatal, logger };
}

/** Digest after each prefix of `entries`: index k holds the digest after the first k entries. */
export function prefixDigests(entries: readonly Entry[]): bigint[] {
  const m = new StateMachine();
  const out = [m.digest()];
  for (const e of entries) {
    m.apply(e);
    out.push(m.digest());
  }
  return out;
}
