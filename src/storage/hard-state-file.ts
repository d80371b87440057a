// The consensus core's hard state on disk: the current term and the vote cast in it, which a replica
// must never forget once a message depending on them has left (a forgotten vote lets one replica vote
// twice in a term), and a commit index that may lag. It lives beside the log in dataLogDir and is
// replaced atomically. It changes only at elections, so its syncs cost nothing in steady state; the
// commit index is written with them and at clean shutdown, and recovery uses it only as a lower bound
// of what it may replay before the leader says more.

import { join } from "node:path";
import type { HardState } from "../consensus/types.js";
import { replaceFile } from "./atomic-file.js";
import { checksum } from "./checksum.js";
import { StorageError } from "./errors.js";
import type { FileSystem } from "./file-system.js";

/** Not a segment name, so purge and log recovery leave it alone. */
export const HARD_STATE_NAME = "consensus.state";

const MAGIC = 0x50444b48; // "PDKH"
const FORMAT = 1;
const BYTES = 28;

function encode(hs: HardState): Buffer {
  const b = Buffer.alloc(BYTES);
  b.writeUInt32BE(MAGIC, 0);
  b.writeUInt32BE(FORMAT, 4);
  b.writeUInt32BE(hs.term, 8);
  b.writeUInt32BE(hs.vote, 12);
  b.writeBigUInt64BE(BigInt(hs.commit), 16);
  b.writeUInt32BE(checksum(b, 0, 24), 24);
  return b;
}

export async function writeHardState(fs: FileSystem, dir: string, hs: HardState): Promise<void> {
  await replaceFile(fs, dir, HARD_STATE_NAME, encode(hs));
}

/**
 * The hard state in `dir`; a replica that never voted has none, which reads as term 0. A damaged
 * file stops start-up: guessing a term or a vote could make this replica vote twice.
 */
export async function readHardState(fs: FileSystem, dir: string): Promise<HardState> {
  const path = join(dir, HARD_STATE_NAME);
  if (!(await fs.exists(path))) return { term: 0, vote: 0, commit: 0 };
  const b = await fs.readFile(path);
  if (
    b.length !== BYTES ||
    b.readUInt32BE(0) !== MAGIC ||
    b.readUInt32BE(4) !== FORMAT ||
    b.readUInt32BE(24) !== checksum(b, 0, 24) ||
    b.readBigUInt64BE(16) > BigInt(Number.MAX_SAFE_INTEGER)
  ) {
    throw new StorageError(
      "PDK_STATE_CORRUPT",
      `${path} is damaged, so this server cannot know the last term it voted in; it refuses to start, ` +
        "since a second vote in one term could elect two leaders. Remove this server's dataDir and " +
        "dataLogDir to resync it from the ensemble (a standalone server would lose its data).",
    );
  }
  return { term: b.readUInt32BE(8), vote: b.readUInt32BE(12), commit: Number(b.readBigUInt64BE(16)) };
}
