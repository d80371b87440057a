// The byte layout of a log segment and the scan that reads one back. A segment is a 32-byte header
// then records; the file is always a whole number of preallocation units, zero past the last record.
// Each record is length, zxid, payload CRC and a CRC of those (so a damaged length is never trusted),
// the payload, and a non-zero trailer (so a complete record never ends in zeros). A crash can only
// leave the newest segment's last record as a prefix cut at a sector boundary followed by zeros; the
// scan accepts exactly that as a torn tail and reports anything else as corruption.

import { readInt64BE } from "../protocol/jute.js";
import { checksum } from "./checksum.js";
import { invariant } from "./errors.js";

export const SEGMENT_HEADER_BYTES = 32;
export const RECORD_HEADER_BYTES = 20;
export const RECORD_TRAILER_BYTES = 4;
export const RECORD_OVERHEAD_BYTES = RECORD_HEADER_BYTES + RECORD_TRAILER_BYTES;
/** Larger payloads are refused before writing; jute.maxbuffer keeps real entries far below. */
export const RECORD_PAYLOAD_MAX = 128 * 1024 * 1024;
/** Disks write a sector atomically; a torn write breaks only on these boundaries. */
export const TORN_WRITE_ALIGNMENT = 512;

const SEGMENT_MAGIC = 0x50444b4c; // "PDKL"
const SEGMENT_FORMAT = 1;
const RECORD_TRAILER = 0xa55aa55a;
const NAME_PATTERN = /^log\.([0-9a-f]{16})$/;

export interface SegmentHeader {
  /** zxid of the last record before this segment (0 for the first segment ever). */
  readonly prevZxid: bigint;
  /** No record in the segment is below this; it names the file. */
  readonly firstZxid: bigint;
  /** Preallocation unit: the file size is always a multiple of it. */
  readonly unitBytes: number;
}

export function segmentName(firstZxid: bigint): string {
  return `log.${BigInt.asUintN(64, firstZxid).toString(16).padStart(16, "0")}`;
}

export function parseSegmentName(name: string): bigint | undefined {
  const m = NAME_PATTERN.exec(name);
  return m === null ? undefined : BigInt.asIntN(64, BigInt(`0x${m[1]}`));
}

export function encodeSegmentHeader(h: SegmentHeader): Buffer {
  const b = Buffer.alloc(SEGMENT_HEADER_BYTES);
  b.writeUInt32BE(SEGMENT_MAGIC, 0);
  b.writeUInt32BE(SEGMENT_FORMAT, 4);
  b.writeBigInt64BE(h.prevZxid, 8);
  b.writeBigInt64BE(h.firstZxid, 16);
  b.writeUInt32BE(h.unitBytes, 24);
  b.writeUInt32BE(checksum(b, 0, 28), 28);
  return b;
}

export function decodeSegmentHeader(b: Buffer): SegmentHeader | undefined {
  if (b.length < SEGMENT_HEADER_BYTES) return undefined;
  if (b.readUInt32BE(0) !== SEGMENT_MAGIC || b.readUInt32BE(4) !== SEGMENT_FORMAT) return undefined;
  if (b.readUInt32BE(28) !== checksum(b, 0, 28)) return undefined;
  const unitBytes = b.readUInt32BE(24);
  if (unitBytes < SEGMENT_HEADER_BYTES) return undefined;
  return { prevZxid: b.readBigInt64BE(8), firstZxid: b.readBigInt64BE(16), unitBytes };
}

export function recordBytes(payloadLength: number): number {
  return RECORD_OVERHEAD_BYTES + payloadLength;
}

/** The zxid in the header of the record at `offset`. */
export function recordZxid(b: Buffer, offset: number): bigint {
  return readInt64BE(b, offset + 4);
}

/** Where the payload of the record at `offset` ends; it starts RECORD_HEADER_BYTES after `offset`. */
export function recordPayloadEnd(b: Buffer, offset: number): number {
  return offset + RECORD_HEADER_BYTES + b.readUInt32BE(offset);
}

/** Writes one record into `out` at `offset` and returns the offset after it. */
export function writeRecord(out: Buffer, offset: number, zxid: bigint, payload: Uint8Array): number {
  invariant(
    payload.length > 0 && payload.length <= RECORD_PAYLOAD_MAX,
    `a logged entry is 1..${RECORD_PAYLOAD_MAX} bytes, not ${payload.length}`,
  );
  out.writeUInt32BE(payload.length, offset);
  out.writeBigInt64BE(zxid, offset + 4);
  out.writeUInt32BE(checksum(payload), offset + 12);
  out.writeUInt32BE(checksum(out, offset, offset + 16), offset + 16);
  out.set(payload, offset + RECORD_HEADER_BYTES);
  const end = offset + RECORD_HEADER_BYTES + payload.length;
  out.writeUInt32BE(RECORD_TRAILER, end);
  return end + RECORD_TRAILER_BYTES;
}

export type ScanEnd =
  /** Only zeros after the last record: a clean end. */
  | { readonly kind: "clean" }
  /** The last record was cut by a crash; bytes from `offset` on are to be discarded. */
  | { readonly kind: "torn"; readonly offset: number }
  /** Damage a crash cannot explain. */
  | { readonly kind: "corrupt"; readonly offset: number; readonly reason: string };

export interface SegmentScan {
  /** Offsets of the whole, checked records, in order (numbers, not objects: a segment can hold millions). */
  readonly records: number[];
  /** Offset just past the last whole record: where the next record goes. */
  readonly end: number;
  readonly stop: ScanEnd;
}

const ZERO_BLOCK = Buffer.alloc(4096);

/** Offset just past the last non-zero byte at or after `from` (`from` when there is none). */
export function zeroTailStart(b: Buffer, from: number): number {
  let i = b.length;
  // The preallocated tail is tens of MB of zeros: skip it a block at a time with a native compare.
  const block = ZERO_BLOCK.length;
  while (i - block >= from && ZERO_BLOCK.compare(b, i - block, i) === 0) i -= block;
  while (i > from && b[i - 1] === 0) i--;
  return i;
}

/**
 * Could a crash have produced damage to a record spanning [start, extentEnd) when the file's non-zero
 * bytes end at zeroFrom? Only if some sector boundary inside the record is at or after zeroFrom: the
 * record's bytes before it landed and the rest never did.
 */
function tornAt(start: number, extentEnd: number, zeroFrom: number): boolean {
  const from = Math.max(zeroFrom, start + 1);
  const boundary = Math.ceil(from / TORN_WRITE_ALIGNMENT) * TORN_WRITE_ALIGNMENT;
  return boundary < extentEnd;
}

/** Reads the records of a segment whose header has already been checked. */
export function scanSegment(b: Buffer): SegmentScan {
  const records: number[] = [];
  const zeroFrom = zeroTailStart(b, SEGMENT_HEADER_BYTES);
  let p = SEGMENT_HEADER_BYTES;
  // Each pass consumes at least one whole record, so the loop ends within the file.
  while (p < zeroFrom) {
    const damaged = (extentEnd: number, reason: string): SegmentScan => ({
      records,
      end: p,
      stop: tornAt(p, extentEnd, zeroFrom)
        ? { kind: "torn", offset: p }
        : { kind: "corrupt", offset: p, reason },
    });
    if (p + RECORD_HEADER_BYTES > b.length) return damaged(p + RECORD_HEADER_BYTES, "record header cut off");
    const length = b.readUInt32BE(p);
    if (b.readUInt32BE(p + 16) !== checksum(b, p, p + 16)) {
      return damaged(p + RECORD_HEADER_BYTES, "record header checksum mismatch");
    }
    const extentEnd = p + recordBytes(length);
    if (length === 0 || length > RECORD_PAYLOAD_MAX) return damaged(extentEnd, `record length ${length}`);
    if (extentEnd > b.length) return damaged(extentEnd, "record runs past the end of the file");
    const payloadStart = p + RECORD_HEADER_BYTES;
    const payloadEnd = payloadStart + length;
    if (b.readUInt32BE(payloadEnd) !== RECORD_TRAILER) return damaged(extentEnd, "record trailer missing");
    if (b.readUInt32BE(p + 12) !== checksum(b, payloadStart, payloadEnd)) {
      return damaged(extentEnd, "payload checksum mismatch");
    }
    records.push(p);
    p = extentEnd;
  }
  return { records, end: p, stop: { kind: "clean" } };
}
