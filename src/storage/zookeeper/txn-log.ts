// One ZooKeeper transaction-log file, `log.<hex zxid of its first txn>`: a 16-byte FileHeader, then
// records `{long Adler-32 of the payload, int length, payload, byte 'B'}` until a record of length 0
// (the zeros of preallocation) or the end of the file. A record cut short, or one missing its 'B',
// is a torn write: ZooKeeper stops reading the file there (FileTxnLog.FileTxnIterator.next and
// Util.readTxnBytes) and so does this reader, saying where; a checksum that does not match is
// damage, and ZooKeeper refuses to start on it. Pure: bytes in, entries out.

import { JuteDecodeError } from "../../protocol/jute.js";
import { adler32 } from "./adler32.js";
import { ZkDecodeError } from "./errors.js";
import { decodeLogEntry, type ZkLogEntry } from "./txn-records.js";

export const ZK_LOG_MAGIC = 0x5a4b4c47; // "ZKLG"
const FILE_HEADER_BYTES = 16;
const RECORD_HEAD_BYTES = 12;
const END_OF_RECORD = 0x42; // 'B'

/** How the file's records end. */
export type ZkLogEnd =
  /** A zero length field (preallocated space) or the exact end of the file: written whole. */
  | { readonly kind: "clean"; readonly offset: number }
  /** A record cut short or missing its 'B' at `offset`: a write the crash interrupted. */
  | { readonly kind: "torn"; readonly offset: number; readonly reason: string };

/** Parses the 16-byte header; throws ZkDecodeError when it is not a ZooKeeper log of version 2. */
function checkHeader(bytes: Buffer): void {
  if (bytes.length < FILE_HEADER_BYTES) throw new ZkDecodeError(0, "the file header is cut off");
  const magic = bytes.readUInt32BE(0);
  if (magic !== ZK_LOG_MAGIC) throw new ZkDecodeError(0, `magic 0x${magic.toString(16)} is not ZKLG`);
  const version = bytes.readInt32BE(4);
  if (version !== 2) throw new ZkDecodeError(4, `log format version ${version}, only 2 is known`);
}

/**
 * Reads every whole record of a log file, handing each entry and its offset to `visit` in order, and
 * says how the records end. Throws ZkDecodeError (with the offset) for a bad header, a checksum
 * mismatch or a payload that is not a transaction.
 */
export function readZkLog(bytes: Buffer, visit: (entry: ZkLogEntry, offset: number) => void): ZkLogEnd {
  checkHeader(bytes);
  let at = FILE_HEADER_BYTES;
  for (;;) {
    if (bytes.length - at < RECORD_HEAD_BYTES) {
      if (at === bytes.length) return { kind: "clean", offset: at };
      return { kind: "torn", offset: at, reason: "the file ends inside a record header" };
    }
    const stored = bytes.readBigUInt64BE(at);
    const length = bytes.readInt32BE(at + 8);
    if (length === 0) return { kind: "clean", offset: at };
    if (length < 0) return { kind: "torn", offset: at, reason: `record length ${length}` };
    const payloadAt = at + RECORD_HEAD_BYTES;
    if (bytes.length - payloadAt < length + 1) {
      return { kind: "torn", offset: at, reason: `the file ends inside a record of ${length} bytes` };
    }
    if (bytes[payloadAt + length] !== END_OF_RECORD) {
      return { kind: "torn", offset: at, reason: "the record has no end-of-record byte" };
    }
    const payload = bytes.subarray(payloadAt, payloadAt + length);
    const actual = adler32(payload);
    if (stored !== BigInt(actual)) {
      throw new ZkDecodeError(
        at,
        `record checksum 0x${stored.toString(16)} does not match its content (0x${actual.toString(16)})`,
      );
    }
    let entry: ZkLogEntry;
    try {
      entry = decodeLogEntry(payload);
    } catch (error) {
      if (error instanceof JuteDecodeError) throw new ZkDecodeError(at, error.message);
      throw error;
    }
    visit(entry, at);
    at = payloadAt + length + 1;
  }
}
