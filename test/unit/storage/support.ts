// Shared pieces of the storage tests: a logger that keeps its lines, a log opened the way the server
// will open it (readLog, then DurableEntryLog on the tail), and a way to let the event loop run.

import { type Entry, encodeEntry } from "../../../src/state/entry.js";
import { DurableEntryLog } from "../../../src/storage/durable-entry-log.js";
import type { StorageError } from "../../../src/storage/errors.js";
import type { FileSystem } from "../../../src/storage/file-system.js";
import { type ReadLogResult, readLog } from "../../../src/storage/log-reader.js";
import type { StorageLogger } from "../../../src/storage/logger.js";

export const LOG_DIR = "/data/log";

export class LinesLogger implements StorageLogger {
  readonly lines: string[] = [];
  info(message: string): void {
    this.lines.push(`info ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
}

/** One event-loop turn: setImmediate callbacks queued before it (the log's flush kick) have run. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface OpenedLog {
  readonly log: DurableEntryLog;
  /** Encodes and appends an entry; it joins `committed` once a sync covers it. */
  append(entry: Entry): void;
  readonly recovered: ReadLogResult;
  readonly committed: Entry[];
  readonly fatal: StorageError[];
  readonly logger: LinesLogger;
}

export async function openLog(
  fs: FileSystem,
  options: { preallocBytes?: number; segmentBytesMax?: number; forceSync?: boolean; afterZxid?: bigint } = {},
): Promise<OpenedLog> {
  const logger = new LinesLogger();
  const recovered = await readLog(fs, LOG_DIR, options.afterZxid ?? 0n, logger);
  const fatal: StorageError[] = [];
  const log = new DurableEntryLog({
    fs,
    dir: LOG_DIR,
    tail: recovered.tail,
    lastZxid: recovered.lastZxid,
    preallocBytes: options.preallocBytes ?? 4096,
    segmentBytesMax: options.segmentBytesMax ?? 16 * 1024,
    forceSync: options.forceSync ?? true,
    logger,
    onFatal: (e) => fatal.push(e),
  });
  const committed: Entry[] = [];
  const appended: Entry[] = [];
  log.onDurable = (zxid) => {
    while (appended.length > 0 && appended[0]!.zxid <= zxid) committed.push(appended.shift()!);
  };
  const append = (entry: Entry) => {
    log.append(entry.zxid, encodeEntry(entry));
    appended.push(entry);
  };
  return { log, append, recovered, committed, fatal, logger };
}

/** Waits (bounded) until the log has committed `count` entries or failed. */
export async function untilCommitted(opened: OpenedLog, count: number): Promise<void> {
  for (let i = 0; i < 10_000 && opened.committed.length < count && opened.fatal.length === 0; i++)
    await turn();
}
