// Decoding a snapshot's node records into what DataTree.restore takes, except the two strings per
// node: offsets of the path and data in the chunk, the ACL reference, the path and data hashes, the
// node's digest term and its stat words, all in one Int32Array. It is pure and keeps only the
// snapshot's ACL numbering between chunks, so it can run in a worker thread while the main thread
// builds the tree from the chunk before: hashing and decoding are about half of loading a snapshot.
//
// A node record: path (jute string), data (jute buffer), an ACL reference, then the stat as
// STAT_WORDS int32 words (czxid, mzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner,
// pzxid: the order of ZooKeeper's StatPersisted). ACL lists are numbered per snapshot in order of
// first use; a reference one past the last number defined introduces the next list, written in full
// right after it.

import { aclListDigest } from "../data/acl-cache.js";
import { bytesHash32, Hasher64 } from "../data/hash.js";
import { asciiPathHash, pathHash } from "../data/path-index.js";
import {
  nodeTerm,
  R_DATA_HASH,
  R_PATH_HASH,
  R_TERM_HI,
  R_WORDS,
  RESTORE_INTS,
  STAT_WORDS,
} from "../data/tree.js";
import { type ACL, readACLList } from "../protocol/data.js";
import { JuteReader } from "../protocol/jute.js";

/** Thrown when a snapshot's content is inconsistent though its checksums matched. */
export class SnapshotContentError extends Error {}

// Per node in PreparedNodes.ints: where the path and data are in the chunk (data length -1 for
// null), the ACL reference, then the RESTORE_INTS ints DataTree.restore takes.
export const P_PATH_AT = 0;
export const P_PATH_LENGTH = 1;
export const P_DATA_AT = 2;
export const P_DATA_LENGTH = 3;
export const P_ACL = 4;
export const P_RESTORE = 5;
export const PREPARED_STRIDE = P_RESTORE + RESTORE_INTS;

/** The smallest record: path, data and ACL ints, a one-byte path and the stat words. */
const RECORD_BYTES_MIN = 4 * 3 + 1 + 4 * STAT_WORDS;

/** One chunk's nodes, decoded. */
export interface PreparedNodes {
  readonly count: number;
  /** PREPARED_STRIDE ints per node. */
  readonly ints: Int32Array;
  /** ACL lists the chunk defines, numbered after those of earlier chunks. */
  readonly newAcls: ACL[][];
}

/** Decodes a snapshot's node chunks, in order; one per snapshot. */
export class NodeRecordPreparer {
  /** The digest word of each ACL list the snapshot has defined so far, by reference. */
  private readonly aclDigests: number[] = [];
  private readonly hasher = new Hasher64();

  prepare(chunk: Buffer): PreparedNodes {
    const end = chunk.length;
    let at = 0;
    const need = (n: number, what: string) => {
      if (n < 0 || end - at < n) {
        throw new SnapshotContentError(`node record cut off: ${what} needs ${n} bytes at ${at}`);
      }
    };
    const int = (what: string) => {
      need(4, what);
      const v = chunk.readInt32BE(at);
      at += 4;
      return v;
    };
    const count = int("node count");
    // A count the chunk cannot hold is damage, not a reason to allocate.
    if (count < 0 || count > end / RECORD_BYTES_MIN) {
      throw new SnapshotContentError(`node count ${count} in a chunk of ${end} bytes`);
    }
    const ints = new Int32Array(count * PREPARED_STRIDE);
    const newAcls: ACL[][] = [];
    for (let base = 0; base < ints.length; base += PREPARED_STRIDE) {
      const pathLength = int("path length");
      if (pathLength <= 0) throw new SnapshotContentError("a node record has no path");
      need(pathLength, "path");
      const pathAt = at;
      at += pathLength;
      const dataLength = int("data length");
      if (dataLength < -1) throw new SnapshotContentError(`data length ${dataLength}`);
      const dataAt = at;
      if (dataLength > 0) {
        need(dataLength, "data");
        at += dataLength;
      }
      const ref = int("ACL reference");
      if (ref === this.aclDigests.length) {
        const r = new JuteReader(chunk, at, end);
        const list = readACLList(r) ?? [];
        at = r.position;
        newAcls.push(list);
        this.aclDigests.push(aclListDigest(list));
      } else if (ref < 0 || ref > this.aclDigests.length) {
        throw new SnapshotContentError(`ACL reference ${ref} with ${this.aclDigests.length} lists defined`);
      }
      need(4 * STAT_WORDS, "stat");
      const restore = base + P_RESTORE;
      const words = restore + R_WORDS;
      for (let w = 0; w < STAT_WORDS; w++, at += 4) ints[words + w] = chunk.readInt32BE(at);
      const hashOfPath =
        asciiPathHash(chunk, pathAt, pathAt + pathLength) ??
        pathHash(chunk.toString("utf8", pathAt, pathAt + pathLength));
      const hashOfData = dataLength === -1 ? 0 : bytesHash32(chunk, dataAt, dataAt + dataLength);
      ints[base + P_PATH_AT] = pathAt;
      ints[base + P_PATH_LENGTH] = pathLength;
      ints[base + P_DATA_AT] = dataAt;
      ints[base + P_DATA_LENGTH] = dataLength;
      ints[base + P_ACL] = ref;
      ints[restore + R_PATH_HASH] = hashOfPath;
      ints[restore + R_DATA_HASH] = hashOfData;
      nodeTerm(this.hasher, hashOfPath, hashOfData, dataLength, this.aclDigests[ref]!, ints, words).finishTo(
        ints,
        restore + R_TERM_HI,
      );
    }
    if (at !== end) throw new SnapshotContentError(`${end - at} bytes after the last node record`);
    return { count, ints, newAcls };
  }
}
