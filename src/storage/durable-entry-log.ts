// The replicated log's entries on disk, with group commit: entries appended while one batch is being
// written and synced queue up and go out together in the next write and the next fdatasync, so a
// burst costs one sync, not one per entry. onDurable hears of an entry only after the sync that
// covers it. A failed disk call stops the log for good (no retry: after a failed fsync Linux may have
// dropped the data) and is reported once through onFatal; nothing queued behind it becomes durable.

import { join } from "node:path";
import { peekEntryZxid } from "../state/entry.js";
import { diskFailure, invariant, StorageError } from "./errors.js";
import type { FileHandle, FileSystem } from "./file-system.js";
import { LOG_EXTENT_NAME, writeLogExtent } from "./log-extent.js";
import { hex, type LogTail } from "./log-reader.js";
import type { StorageLogger } from "./logger.js";
import {
  encodeSegmentHeader,
  RECORD_PAYLOAD_MAX,
  recordBytes,
  recordZxid,
  SEGMENT_HEADER_BYTES,
  type SegmentHeader,
  scanSegment,
  segmentName,
  writeRecord,
} from "./segment-format.js";

export interface DurableEntryLogOptions {
  readonly fs: FileSystem;
  /** dataLogDir. */
  readonly dir: string;
  /** From readLog: the segment to continue, or undefined to start a new one. */
  readonly tail: LogTail | undefined;
  /** From readLog: the last durable zxid; a new segment records it as its predecessor. */
  readonly lastZxid: bigint;
  /** preAllocSize: segments grow in steps of this many bytes. */
  readonly preallocBytes: number;
  /** A segment that has reached this size is closed and the next batch starts a new one. */
  readonly segmentBytesMax: number;
  /** forceSync: false skips fdatasync, for tests only; acknowledged writes can then be lost. */
  readonly forceSync: boolean;
  readonly logger: StorageLogger;
  /** Called once when a disk call fails; the log accepts nothing more and the server should exit. */
  readonly onFatal: (error: StorageError) => void;
}

interface Queued {
  readonly zxid: bigint;
  readonly payload: Buffer;
}

interface OpenSegment {
  readonly handle: FileHandle;
  readonly header: SegmentHeader;
  end: number;
  size: number;
}

/** Bounds on one write: a larger burst is split across batches (each still one sync). */
const BATCH_ENTRIES_MAX = 10_000;
const BATCH_BYTES_MAX = 16 * 1024 * 1024;
/** Appends waiting for the disk; beyond this the server is outrunning its disk by far. */
const QUEUED_ENTRIES_MAX = 1_000_000;

function roundUp(n: number, unit: number): number {
  return Math.ceil(n / unit) * unit;
}

export class DurableEntryLog {
  /** Called after each sync with the highest zxid it made durable. */
  onDurable: (zxid: bigint) => void = () => {};
  private queued: Queued[] = [];
  private scheduled = false;
  private flushing: Promise<void> | undefined;
  private segment: OpenSegment | undefined;
  private pendingTail: LogTail | undefined;
  private failure: StorageError | undefined;
  private rollRequested = false;
  private closed = false;
  /** Highest zxid appended (queued or durable). */
  private lastAppended: bigint;
  /** Highest zxid on stable storage. */
  private lastDurable: bigint;

  constructor(private readonly options: DurableEntryLogOptions) {
    invariant(options.preallocBytes >= 4096, "the preallocation unit is at least 4096 bytes");
    this.lastAppended = options.lastZxid;
    this.lastDurable = options.lastZxid;
    this.pendingTail = options.tail;
    if (!options.forceSync) {
      options.logger.warn(
        "forceSync=no: writes are acknowledged BEFORE they reach the disk; a crash or power loss can " +
          "lose acknowledged writes. Use this only for tests.",
      );
    }
  }

  /** Highest zxid known to be on stable storage (or written, with forceSync=no). */
  get durableZxid(): bigint {
    return this.lastDurable;
  }

  /** The reason the log stopped, if a disk call failed. */
  get failed(): StorageError | undefined {
    return this.failure;
  }

  /** Queues an encoded entry (see state/entry.ts) whose zxid is `zxid`, above every one before it. */
  append(zxid: bigint, payload: Buffer): void {
    if (this.failure !== undefined) {
      throw new StorageError(
        "PDK_LOG_CLOSED",
        `the log stopped after a disk failure: ${this.failure.message}`,
      );
    }
    if (this.closed)
      throw new StorageError("PDK_LOG_CLOSED", "the log is closed; the server is shutting down");
    // The checks run on every write, so their messages are only built when one fails.
    if (zxid <= this.lastAppended) {
      invariant(false, `zxid ${hex(zxid)} is appended after ${hex(this.lastAppended)}`);
    }
    invariant(
      this.queued.length < QUEUED_ENTRIES_MAX,
      "at most QUEUED_ENTRIES_MAX entries wait for the disk",
    );
    // Check the record before it is written (recovery decodes every record in full when it reads
    // them back); a full decode here would cost as much as the encode on every write.
    if (payload.length > RECORD_PAYLOAD_MAX || peekEntryZxid(payload) !== zxid) {
      invariant(false, `entry ${hex(zxid)} encodes its own zxid in at most ${RECORD_PAYLOAD_MAX} bytes`);
    }
    this.lastAppended = zxid;
    this.queued.push({ zxid, payload });
    if (!this.scheduled && this.flushing === undefined) {
      this.scheduled = true;
      // Wait for the rest of this event-loop turn's appends so they share the write and the sync.
      setImmediate(() => {
        this.scheduled = false;
        this.startFlushing();
      });
    }
  }

  private startFlushing(): void {
    if (this.flushing !== undefined || this.queued.length === 0 || this.failure !== undefined) return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined;
    });
  }

  private takeBatch(): Queued[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queued.length && n < BATCH_ENTRIES_MAX) {
      const next = recordBytes(this.queued[n]!.payload.length);
      if (n > 0 && bytes + next > BATCH_BYTES_MAX) break;
      bytes += next;
      n++;
    }
    return this.queued.splice(0, n);
  }

  private async flushLoop(): Promise<void> {
    // Each pass removes at least one entry from the queue, and appends stop once the log fails.
    while (this.queued.length > 0 && this.failure === undefined) {
      const batch = this.takeBatch();
      try {
        await this.writeBatch(batch);
      } catch (error) {
        this.fail(error);
        return;
      }
      this.lastDurable = batch[batch.length - 1]!.zxid;
      this.onDurable(this.lastDurable);
    }
  }

  private fail(error: unknown): void {
    const failure = error instanceof StorageError ? error : diskFailure("log write", this.options.dir, error);
    this.failure = failure;
    this.queued = [];
    this.options.logger.warn(failure.message);
    this.options.onFatal(failure);
  }

  /** Writes one batch at the end of the current segment and syncs it. */
  private async writeBatch(batch: readonly Queued[]): Promise<void> {
    const first = batch[0]!.zxid;
    let segment = this.segment ?? (await this.resumeTail());
    // A segment without records is never rolled: its successor would take the same name.
    const full =
      segment !== undefined &&
      segment.end > SEGMENT_HEADER_BYTES &&
      (segment.end >= this.options.segmentBytesMax || this.rollRequested);
    this.rollRequested = false;
    if (segment === undefined || full) {
      if (segment !== undefined) await this.closeSegment();
      segment = await this.createSegment(first);
    }
    let total = 0;
    for (const q of batch) total += recordBytes(q.payload.length);
    const out = Buffer.alloc(total);
    let at = 0;
    for (const q of batch) at = writeRecord(out, at, q.zxid, q.payload);
    invariant(at === total, "a batch fills exactly its buffer");
    const end = segment.end + total;
    const grown = end > segment.size;
    if (grown) {
      // Grow by whole units before writing, so the file size stays a multiple of the unit (which
      // recovery checks to tell a truncated file from a crash); the batch's sync covers the size.
      const size = roundUp(end, segment.header.unitBytes);
      await this.call("truncate", segment, () => segment.handle.truncate(size));
      segment.size = size;
    }
    await this.call("write", segment, () => segment.handle.write(out, segment.end));
    if (this.options.forceSync) await this.call("fdatasync", segment, () => segment.handle.datasync());
    segment.end = end;
    // Once the new size is durable, and before the batch is acknowledged: see log-extent.ts.
    if (grown) await this.recordExtent(segment);
  }

  /** Records the segment's synced size as the log's extent (once per unit grown, not per batch). */
  private async recordExtent(segment: OpenSegment): Promise<void> {
    const { fs, dir } = this.options;
    const extent = { firstZxid: segment.header.firstZxid, units: segment.size / segment.header.unitBytes };
    try {
      await writeLogExtent(fs, dir, extent);
    } catch (error) {
      throw diskFailure("log extent update", join(dir, LOG_EXTENT_NAME), error);
    }
  }

  private async call(what: string, segment: OpenSegment, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      throw diskFailure(what, segment.handle.path, error);
    }
  }

  private async resumeTail(): Promise<OpenSegment | undefined> {
    const tail = this.pendingTail;
    if (tail === undefined) return undefined;
    this.pendingTail = undefined;
    invariant(
      tail.header.unitBytes > 0 && tail.size % tail.header.unitBytes === 0,
      "tail size is whole units",
    );
    let handle: FileHandle;
    try {
      handle = await this.options.fs.open(tail.path, "append");
    } catch (error) {
      throw diskFailure("open", tail.path, error);
    }
    // The tail keeps the unit it was created with, so its size stays checkable.
    this.segment = { handle, header: tail.header, end: tail.end, size: tail.size };
    // A log from before extents were kept has none yet, and one may lag a crash during growth.
    if (!tail.extentRecorded) await this.recordExtent(this.segment);
    return this.segment;
  }

  private async createSegment(firstZxid: bigint): Promise<OpenSegment> {
    const { fs, dir } = this.options;
    const path = join(dir, segmentName(firstZxid));
    const unitBytes = this.options.preallocBytes;
    const header: SegmentHeader = { prevZxid: this.lastDurable, firstZxid, unitBytes };
    try {
      const handle = await fs.open(path, "create");
      // Size first, header second: a crash in between leaves an all-zero file, which recovery removes.
      await handle.truncate(unitBytes);
      await handle.write(encodeSegmentHeader(header), 0);
      await handle.datasync();
      await fs.syncDir(dir);
      this.segment = { handle, header, end: SEGMENT_HEADER_BYTES, size: unitBytes };
    } catch (error) {
      throw diskFailure("create segment", path, error);
    }
    // Named in the extent only once its header is durable: an empty segment it does not name is a
    // crash while creating it, one it names was emptied later.
    await this.recordExtent(this.segment);
    return this.segment;
  }

  private async closeSegment(): Promise<void> {
    const segment = this.segment;
    if (segment === undefined) return;
    this.segment = undefined;
    await this.call("close", segment, () => segment.handle.close());
  }

  /**
   * Removes the newest `count` records, all of them durable and none acknowledged to a client: a
   * follower's entries that a new leader's log replaces (Raft's conflicting suffix). They are cut
   * from the newest segment in place: zeros over them, synced, so that recovery sees the log end
   * before them. The file keeps its size, so the extent stays true. Records reaching back into an
   * older segment are refused (a replaced suffix is uncommitted, so it follows the last snapshot's
   * roll; a size roll inside it is the only way there, and that is not handled).
   */
  async dropLast(count: number): Promise<void> {
    invariant(
      count > 0 && this.queued.length === 0 && this.flushing === undefined,
      "drop only a settled log",
    );
    if (this.failure !== undefined) throw this.failure;
    const segment = this.segment ?? (await this.resumeTail());
    const fail = (why: string) =>
      new StorageError(
        "PDK_LOG_CORRUPT",
        `cannot remove the last ${count} entries of the log in ${this.options.dir}: ${why}; the server stops ` +
          "rather than keep entries the leader replaced. Remove this member's dataDir and dataLogDir and " +
          "restart it to resync it from the ensemble.",
      );
    if (segment === undefined) throw fail("there is no segment to cut");
    let bytes: Buffer;
    try {
      bytes = await segment.handle.read(0, segment.end);
    } catch (error) {
      throw diskFailure("read", segment.handle.path, error);
    }
    const scan = scanSegment(bytes);
    if (scan.stop.kind !== "clean" || scan.end !== segment.end)
      throw fail("the newest segment does not read back whole");
    if (scan.records.length < count) throw fail("they reach back into an older segment");
    // An emptied newest segment that the extent names reads as acknowledged records lost.
    if (scan.records.length === count) throw fail("they are the whole newest segment");
    const cut = scan.records[scan.records.length - count]!;
    const last =
      scan.records.length > count
        ? recordZxid(bytes, scan.records[scan.records.length - count - 1]!)
        : segment.header.prevZxid;
    await this.call("write", segment, () => segment.handle.write(Buffer.alloc(segment.end - cut), cut));
    await this.call("fdatasync", segment, () => segment.handle.datasync());
    segment.end = cut;
    this.lastAppended = last;
    this.lastDurable = last;
  }

  /** The next batch starts a new segment (at a snapshot, so purging can drop whole old segments). */
  rollBeforeNextBatch(): void {
    this.rollRequested = true;
  }

  private async drain(): Promise<void> {
    // Each pass waits for one flush loop, which empties the queue or fails; appends made meanwhile
    // start another loop, so bound the passes rather than trust the caller to stop appending.
    for (let pass = 0; pass < 1_000 && (this.queued.length > 0 || this.flushing !== undefined); pass++) {
      this.startFlushing();
      if (this.flushing === undefined) break;
      await this.flushing;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
    if (this.failure !== undefined) return;
    try {
      await this.closeSegment();
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * After close() and a snapshot at the last zxid: leaves an empty segment for the zxid after it, so
   * that the next start, recovering from that snapshot, reads this one segment and none before it
   * (otherwise it would checksum up to snapCount entries the snapshot already holds).
   */
  async startEmptySegment(): Promise<void> {
    invariant(this.closed && this.queued.length === 0, "an empty segment is left only by a closed log");
    if (this.failure !== undefined) return;
    await this.createSegment(this.lastDurable + 1n);
    await this.closeSegment();
  }
}
