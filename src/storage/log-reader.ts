// Reads the log back at start-up: which segments recovery needs, their records in order, and where
// appending resumes. A torn tail of the newest segment (a crash mid-write) is cut by rewriting the
// segment's valid prefix through a temporary file and an atomic rename; every other kind of damage,
// and any gap between segments or before the snapshot, stops start-up with the file and offset. The
// reading and checking (scanLog) writes nothing, so start-up runs it while the snapshot loads and can
// drop it; the repairs follow in openScannedLog, and entries are decoded only as they are replayed.

import { join } from "node:path";
import { JuteDecodeError } from "../protocol/jute.js";
import { type Entry, EntryDecoder } from "../state/entry.js";
import { invariant, StorageError } from "./errors.js";
import type { FileSystem } from "./file-system.js";
import { LOG_EXTENT_NAME, type LogExtent, readLogExtent } from "./log-extent.js";
import type { StorageLogger } from "./logger.js";
import {
  decodeSegmentHeader,
  parseSegmentName,
  RECORD_HEADER_BYTES,
  recordPayloadEnd,
  recordZxid,
  SEGMENT_HEADER_BYTES,
  type SegmentHeader,
  scanSegment,
  segmentName,
  zeroTailStart,
} from "./segment-format.js";

/** Where appending resumes: the newest segment and the offset after its last whole record. */
export interface LogTail {
  readonly path: string;
  readonly header: SegmentHeader;
  readonly end: number;
  readonly size: number;
  /** Whether the log's extent already names this segment at this size (see log-extent.ts). */
  readonly extentRecorded: boolean;
}

export interface LogSegmentInfo {
  readonly name: string;
  readonly header: SegmentHeader;
}

export interface LoggedEntry {
  readonly entry: Entry;
  readonly payload: Buffer;
}

export interface ReadLogResult {
  /** How many entries come after `afterZxid`. */
  readonly entryCount: number;
  /**
   * The entries after `afterZxid`, in log order, decoded as the iteration reaches them so that a
   * replay never holds them all (a create's data is a view of the segment read). Throws
   * PDK_LOG_CORRUPT at a record whose checksums match but whose entry does not decode.
   */
  entries(): IterableIterator<Entry>;
  /** entries() with each entry's encoded bytes, a view of the segment read (copy what is kept). */
  records(): IterableIterator<LoggedEntry>;
  /** Highest zxid in the log, or `afterZxid` when the log holds nothing newer. */
  readonly lastZxid: bigint;
  /** undefined when there is no segment to continue, or the log ends before `afterZxid`. */
  readonly tail: LogTail | undefined;
  /** Every segment with a valid header, oldest first (retention decides on these). */
  readonly segments: LogSegmentInfo[];
}

/** A needed segment as read and checked: `records[from..]` are the records after `afterZxid`. */
interface ScannedSegment {
  readonly path: string;
  readonly bytes: Buffer;
  readonly records: readonly number[];
  readonly from: number;
}

/**
 * The log read and checked end to end for a snapshot at `afterZxid`, with nothing written to disk:
 * what start-up can do while the snapshot loads, knowing its zxid from its name. openScannedLog then
 * makes the repairs the scan found needed.
 */
export interface LogScan {
  readonly dir: string;
  readonly afterZxid: bigint;
  readonly segments: LogSegmentInfo[];
  readonly needed: readonly ScannedSegment[];
  /** Highest zxid in the log (the last before the first needed segment when it holds none). */
  readonly lastZxid: bigint;
  /** The newest segment, when the log reaches `afterZxid`: where appending resumes. */
  readonly tail: LogTail | undefined;
  /** The newest segment's torn last record, to cut. */
  readonly torn: { readonly path: string; readonly bytes: Buffer; readonly offset: number } | undefined;
  /** A newest segment left empty by a crash while creating it; removed once the log is known whole. */
  readonly unwritten: { readonly path: string; readonly firstZxid: bigint } | undefined;
}

/** Segments considered at start-up; more than this means purging has not run for a very long time. */
const SEGMENTS_MAX = 100_000;

const REMEDY =
  "the server refuses to start. Restore this data directory from a backup, or remove it to resync " +
  "this server from the ensemble; a standalone server would lose its data";

export function hex(zxid: bigint): string {
  return `0x${BigInt.asUintN(64, zxid).toString(16)}`;
}

function corrupt(path: string, offset: number, reason: string): StorageError {
  return new StorageError(
    "PDK_LOG_CORRUPT",
    `log segment ${path} is corrupt at byte ${offset} (${reason}); ${REMEDY}.`,
  );
}

/** Log segment file names in dir, oldest first; leftover temporary files from a cut are removed. */
export async function listSegments(fs: FileSystem, dir: string): Promise<{ name: string; zxid: bigint }[]> {
  const out: { name: string; zxid: bigint }[] = [];
  for (const name of await fs.list(dir)) {
    const zxid = parseSegmentName(name);
    if (zxid !== undefined) out.push({ name, zxid });
  }
  if (out.length > SEGMENTS_MAX) {
    throw new StorageError(
      "PDK_STORAGE_GAP",
      `${dir} holds ${out.length} log segments (at most ${SEGMENTS_MAX}); run paddock purge first.`,
    );
  }
  return out.sort((a, b) => (a.zxid < b.zxid ? -1 : a.zxid > b.zxid ? 1 : 0));
}

/** Replaces a segment by its first `end` bytes, zero-filled to the same size, atomically. */
async function cutSegment(fs: FileSystem, path: string, bytes: Buffer, end: number): Promise<void> {
  const temp = `${path}.tmp`;
  if (await fs.exists(temp)) await fs.unlink(temp);
  const f = await fs.open(temp, "create");
  try {
    await f.truncate(bytes.length);
    await f.write(bytes.subarray(0, end), 0);
    await f.datasync();
  } finally {
    await f.close();
  }
  await fs.rename(temp, path);
  const slash = path.lastIndexOf("/");
  await fs.syncDir(slash <= 0 ? "/" : path.slice(0, slash));
}

/**
 * Reads the log in `dir` for recovery from a snapshot at `afterZxid` (0 for none): checks every
 * needed segment end to end, cuts a torn tail, and refuses any gap or damage.
 */
export async function readLog(
  fs: FileSystem,
  dir: string,
  afterZxid: bigint,
  logger: StorageLogger,
): Promise<ReadLogResult> {
  return openScannedLog(fs, await scanLog(fs, dir, afterZxid), logger);
}

/**
 * readLog's reads and checks, which write nothing (so a scan for a snapshot that then proves
 * unreadable is simply dropped): the segments' headers, the chain of segments from the one holding
 * `afterZxid` on, and every record's checksums and zxid order.
 */
export async function scanLog(fs: FileSystem, dir: string, afterZxid: bigint): Promise<LogScan> {
  await fs.mkdirp(dir);
  const names = await listSegments(fs, dir);
  const segments: LogSegmentInfo[] = [];
  let unwritten: LogScan["unwritten"];
  for (let i = 0; i < names.length; i++) {
    const { name, zxid } = names[i]!;
    const path = join(dir, name);
    const f = await fs.open(path, "read");
    let head: Buffer;
    try {
      head = await f.read(0, SEGMENT_HEADER_BYTES);
    } finally {
      await f.close();
    }
    const header = decodeSegmentHeader(head);
    if (header === undefined) {
      // A crash while creating the newest segment leaves it empty or all zeros (ZOOKEEPER-2332, -1621).
      if (i === names.length - 1 && zeroTailStart(await fs.readFile(path), 0) === 0) {
        unwritten = { path, firstZxid: zxid };
        continue;
      }
      throw corrupt(path, 0, "segment header damaged");
    }
    if (header.firstZxid !== zxid) throw corrupt(path, 16, `header names ${hex(header.firstZxid)}`);
    segments.push({ name, header });
  }
  const extent = await readLogExtent(fs, dir);
  const read = new Map<string, number>();
  const sizeOf = async (name: string): Promise<number> => {
    const known = read.get(name);
    if (known !== undefined) return known;
    const f = await fs.open(join(dir, name), "read");
    try {
      return await f.size();
    } finally {
      await f.close();
    }
  };
  if (segments.length === 0) {
    await checkExtent(dir, extent, segments, unwritten, sizeOf);
    return {
      dir,
      afterZxid,
      segments,
      needed: [],
      lastZxid: afterZxid,
      tail: undefined,
      torn: undefined,
      unwritten,
    };
  }

  // The first needed segment is the newest that starts at or before the snapshot's successor.
  let first = -1;
  for (let i = 0; i < segments.length; i++) if (segments[i]!.header.prevZxid <= afterZxid) first = i;
  if (first < 0) {
    const oldest = segments[0]!;
    throw new StorageError(
      "PDK_STORAGE_GAP",
      `the oldest log segment ${join(dir, oldest.name)} starts after zxid ${hex(oldest.header.prevZxid)} but ` +
        `the newest valid snapshot is at ${hex(afterZxid)}${afterZxid === 0n ? " (there is none)" : ""}: ` +
        `the entries in between are missing, and starting would lose them. ${REMEDY}.`,
    );
  }

  const needed: ScannedSegment[] = [];
  let lastZxid = segments[first]!.header.prevZxid;
  let tail: LogTail | undefined;
  let torn: LogScan["torn"];
  for (let i = first; i < segments.length; i++) {
    const { name, header } = segments[i]!;
    const path = join(dir, name);
    const newest = i === segments.length - 1;
    if (header.prevZxid !== lastZxid) {
      throw new StorageError(
        "PDK_STORAGE_GAP",
        `log segment ${path} follows zxid ${hex(header.prevZxid)} but the log before it ends at ` +
          `${hex(lastZxid)}: a segment is missing or was cut. ${REMEDY}.`,
      );
    }
    const bytes = await fs.readFile(path);
    read.set(name, bytes.length);
    if (bytes.length % header.unitBytes !== 0) {
      throw corrupt(
        path,
        bytes.length,
        `the file is ${bytes.length} bytes, not a whole number of its ${header.unitBytes}-byte ` +
          "preallocation units, so it was truncated",
      );
    }
    const scan = scanSegment(bytes);
    if (scan.stop.kind === "corrupt") throw corrupt(path, scan.stop.offset, scan.stop.reason);
    if (scan.stop.kind === "torn") {
      if (!newest)
        throw corrupt(path, scan.stop.offset, "damaged record in a segment that is not the newest");
      torn = { path, bytes, offset: scan.stop.offset };
    }
    // The snapshot already holds the effect of the records up to afterZxid: their checksums are
    // checked, but decoding them would only be thrown away (after a clean shutdown that is the whole
    // newest segment).
    let from = 0;
    for (let r = 0; r < scan.records.length; r++) {
      const offset = scan.records[r]!;
      const zxid = recordZxid(bytes, offset);
      if (zxid <= lastZxid || zxid < header.firstZxid) {
        throw corrupt(path, offset, `zxid ${hex(zxid)} does not follow ${hex(lastZxid)}`);
      }
      lastZxid = zxid;
      if (zxid <= afterZxid) from = r + 1;
    }
    if (from < scan.records.length) needed.push({ path, bytes, records: scan.records, from });
    if (newest) {
      const extentRecorded =
        extent?.firstZxid === header.firstZxid && extent.units * header.unitBytes === bytes.length;
      tail = { path, header, end: scan.end, size: bytes.length, extentRecorded };
    }
  }
  await checkExtent(dir, extent, segments, unwritten, sizeOf);
  return { dir, afterZxid, segments, needed, lastZxid, tail, torn, unwritten };
}

/**
 * Refuses a log that lost records its extent says were synced: the segment it names emptied, missing,
 * or shorter than the units it had been grown to. A crash leaves none of these (see log-extent.ts).
 */
async function checkExtent(
  dir: string,
  extent: LogExtent | undefined,
  segments: readonly LogSegmentInfo[],
  unwritten: LogScan["unwritten"],
  sizeOf: (name: string) => Promise<number>,
): Promise<void> {
  if (extent === undefined) return;
  const path = join(dir, segmentName(extent.firstZxid));
  const named = segments.find((s) => s.header.firstZxid === extent.firstZxid);
  if (named === undefined) {
    if (unwritten?.firstZxid === extent.firstZxid) {
      throw corrupt(
        path,
        0,
        `${LOG_EXTENT_NAME} says this segment was created and synced, but it is empty or zeroed now, ` +
          "so records acknowledged in it may be lost",
      );
    }
    const newest = segments[segments.length - 1];
    if (newest === undefined || extent.firstZxid > newest.header.firstZxid) {
      throw new StorageError(
        "PDK_STORAGE_GAP",
        `${LOG_EXTENT_NAME} names ${path} as the newest log segment written, but it is missing, so ` +
          `records acknowledged in it may be lost. ${REMEDY}.`,
      );
    }
    // Older than the newest segment and gone: purged, or a hole the segment chain check reports if
    // recovery needs it. (A crash between creating the newest segment and naming it leaves the
    // extent on the one before, which is still there.)
    return;
  }
  const size = await sizeOf(named.name);
  const synced = extent.units * named.header.unitBytes;
  if (size < synced) {
    throw corrupt(
      path,
      size,
      `the file is ${size} bytes, but it had been grown to ${synced} bytes and synced before records ` +
        `in it were acknowledged (${LOG_EXTENT_NAME}), so it was truncated`,
    );
  }
}

/**
 * The writes a scan calls for, then the log ready to replay: leftover temporary files of an
 * interrupted cut removed, a torn tail cut, and an unwritten newest segment removed once the log
 * before it is known whole.
 */
export async function openScannedLog(
  fs: FileSystem,
  scan: LogScan,
  logger: StorageLogger,
): Promise<ReadLogResult> {
  const { dir, afterZxid, segments } = scan;
  for (const name of await fs.list(dir)) {
    if (name.startsWith("log.") && name.endsWith(".tmp")) await fs.unlink(join(dir, name));
  }
  if (scan.torn !== undefined) {
    const { path, bytes, offset } = scan.torn;
    logger.warn(
      `cutting the torn tail of ${path} at byte ${offset}: a crash interrupted that write ` +
        "before it was synced, so nothing there was acknowledged",
    );
    await cutSegment(fs, path, bytes, offset);
  }
  // A log that ends before the snapshot has nothing to replay, and new entries start a new segment.
  const behind = scan.lastZxid < afterZxid;
  const reached = behind ? afterZxid : scan.lastZxid;
  const unwritten = scan.unwritten;
  // Its name still proves the log had reached the zxid before it: a log (or snapshot) that ends
  // earlier lost entries, for instance to a deleted segment, and must not start.
  if (unwritten !== undefined) {
    if (!isSuccessor(reached, unwritten.firstZxid)) {
      throw new StorageError(
        "PDK_STORAGE_GAP",
        `the newest log segment ${unwritten.path} was created for zxid ${hex(unwritten.firstZxid)}, but the ` +
          `snapshot and log before it end at ${hex(reached)}: the entries in between are missing, and ` +
          `starting would lose them. ${REMEDY}.`,
      );
    }
    logger.warn(
      `removing ${unwritten.path}: the newest log segment was never written (crash while creating it)`,
    );
    await fs.unlink(unwritten.path);
    await fs.syncDir(dir);
  }
  if (behind) {
    logger.warn(
      `the log ends at ${hex(scan.lastZxid)}, before the snapshot at ${hex(afterZxid)}; new entries start a new segment`,
    );
  }
  let entryCount = 0;
  for (const s of scan.needed) entryCount += s.records.length - s.from;
  return {
    entryCount,
    entries: () => entriesOf(decodeEntries(scan.needed)),
    records: () => decodeEntries(scan.needed),
    lastZxid: reached,
    tail: behind ? undefined : scan.tail,
    segments,
  };
}

function* entriesOf(records: IterableIterator<LoggedEntry>): IterableIterator<Entry> {
  for (const r of records) yield r.entry;
}

function* decodeEntries(needed: readonly ScannedSegment[]): IterableIterator<LoggedEntry> {
  const decoder = new EntryDecoder();
  for (const { path, bytes, records, from } of needed) {
    for (let r = from; r < records.length; r++) {
      const offset = records[r]!;
      const start = offset + RECORD_HEADER_BYTES;
      const end = recordPayloadEnd(bytes, offset);
      let entry: Entry;
      try {
        entry = decoder.decode(bytes, start, end);
      } catch (error) {
        if (!(error instanceof JuteDecodeError)) throw error;
        throw corrupt(path, offset, `checksum matches but the entry does not decode: ${error.message}`);
      }
      const zxid = recordZxid(bytes, offset);
      // Formatted only on failure: a message per record is measurable over millions of records.
      if (entry.zxid !== zxid)
        invariant(false, `record zxid ${hex(zxid)} matches its entry's ${hex(entry.zxid)}`);
      yield { entry, payload: bytes.subarray(start, end) };
    }
  }
}

/**
 * Whether `next` can be the zxid right after `last`: the next counter in the same epoch, or the
 * start of a later epoch (a counter about to overflow, or a new leader, moves to a new epoch).
 */
function isSuccessor(last: bigint, next: bigint): boolean {
  if (next === last + 1n) return true;
  return next >> 32n > last >> 32n && (next & 0xffffffffn) <= 1n;
}
