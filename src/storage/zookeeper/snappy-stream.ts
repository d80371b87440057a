// ZooKeeper's `.snappy` snapshots are written by snappy-java's SnappyOutputStream, whose framing is
// its own (not Snappy's framing format): an 8-byte magic "\x82SNAPPY\0", two ints (format version
// and the oldest compatible one), then blocks of `int compressed length, raw Snappy bytes`. The raw
// Snappy decoding is snappyjs's; the framing is read here.

import { uncompress } from "snappyjs";
import { ZkDecodeError } from "./errors.js";

const MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const HEADER_BYTES = 16;
/** snappy-java's default block is 32 KiB; a block of more than this is damage, not data. */
const BLOCK_BYTES_MAX = 64 * 1024 * 1024;

/** The uncompressed content of a SnappyOutputStream; offsets in errors are of the compressed file. */
export function decompressXerialSnappy(file: Buffer): Buffer {
  if (file.length < HEADER_BYTES || !file.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new ZkDecodeError(0, "not a snappy-java stream (magic missing)");
  }
  const blocks: Uint8Array[] = [];
  let at = HEADER_BYTES;
  while (at < file.length) {
    if (file.length - at < 4) throw new ZkDecodeError(at, "the file ends inside a block length");
    const length = file.readInt32BE(at);
    if (length < 0 || length > BLOCK_BYTES_MAX || file.length - at - 4 < length) {
      throw new ZkDecodeError(at, `block length ${length} does not fit the file`);
    }
    try {
      blocks.push(uncompress(file.subarray(at + 4, at + 4 + length), BLOCK_BYTES_MAX));
    } catch (error) {
      throw new ZkDecodeError(at, `snappy block: ${(error as Error).message}`);
    }
    at += 4 + length;
  }
  return Buffer.concat(blocks);
}
