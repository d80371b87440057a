// The log's extent: which segment is the newest the log has written, and how many preallocation
// units it had been grown to and synced, kept in a small file beside the segments. A crash can only
// leave the newest segment's last record torn, or a segment being created empty; a file truncated
// after the fact looks the same from inside it (cut at a unit boundary, or emptied). The extent tells
// the two apart: the log updates it before acknowledging any record that depends on it, so a newest
// segment shorter than its extent, or emptied while the extent names it, lost acknowledged records,
// and recovery refuses to start instead of cutting them silently.

import { join } from "node:path";
import { replaceFile } from "./atomic-file.js";
import { checksum } from "./checksum.js";
import { StorageError } from "./errors.js";
import type { FileSystem } from "./file-system.js";

/** Not a segment name (those are log.<16 hex digits>), and its temporary file is cleared like theirs. */
export const LOG_EXTENT_NAME = "log.extent";

const EXTENT_MAGIC = 0x50444b45; // "PDKE"
const EXTENT_FORMAT = 1;
const EXTENT_BYTES = 24;

export interface LogExtent {
  /** The newest segment written: its name's zxid. */
  readonly firstZxid: bigint;
  /** Preallocation units it had been grown to, durably, before records in them were acknowledged. */
  readonly units: number;
}

function encode(e: LogExtent): Buffer {
  const b = Buffer.alloc(EXTENT_BYTES);
  b.writeUInt32BE(EXTENT_MAGIC, 0);
  b.writeUInt32BE(EXTENT_FORMAT, 4);
  b.writeBigInt64BE(e.firstZxid, 8);
  b.writeUInt32BE(e.units, 16);
  b.writeUInt32BE(checksum(b, 0, 20), 20);
  return b;
}

/** Replaces the extent file atomically: after a crash it holds the old extent or the new one. */
export async function writeLogExtent(fs: FileSystem, dir: string, extent: LogExtent): Promise<void> {
  await replaceFile(fs, dir, LOG_EXTENT_NAME, encode(extent));
}

/**
 * The extent in `dir`, or undefined when there is none (a log written before extents were kept, or
 * an empty one). A damaged extent stops start-up: without it, a truncated segment cannot be told from
 * a crash.
 */
export async function readLogExtent(fs: FileSystem, dir: string): Promise<LogExtent | undefined> {
  const path = join(dir, LOG_EXTENT_NAME);
  if (!(await fs.exists(path))) return undefined;
  const b = await fs.readFile(path);
  if (
    b.length !== EXTENT_BYTES ||
    b.readUInt32BE(0) !== EXTENT_MAGIC ||
    b.readUInt32BE(4) !== EXTENT_FORMAT ||
    b.readUInt32BE(20) !== checksum(b, 0, 20)
  ) {
    throw new StorageError(
      "PDK_LOG_CORRUPT",
      `${path} is damaged, so a truncated log segment could not be told from a crash; the server ` +
        "refuses to start. If the log segments are known to be intact, remove this file and start again.",
    );
  }
  return { firstZxid: b.readBigInt64BE(8), units: b.readUInt32BE(16) };
}
