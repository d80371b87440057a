// Decoding a snapshot's node records into what DataTree.restore takes: offsets of the path and data
// in the chunk, the ACL reference, the path and data hashes, the node's digest term, its stat words
// and how to find its parent, all in one Int32Array, with no string made. It is pure and keeps only
// the snapshot's ACL numbering and the previous record between chunks, so it can run in a worker
// thread while the main thread builds the tree from the chunk before: hashing and decoding are about
// half of loading a snapshot.
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
  R_DATA_AT,
  R_DATA_HASH,
  R_DATA_LENGTH,
  R_PATH_AT,
  R_PATH_HASH,
  R_PATH_LENGTH,
  R_TERM_HI,
  R_WORDS,
  RESTORE_INTS,
  STAT_WORDS,
} from "../data/tree.js";
import { type ACL, readACLList } from "../protocol/data.js";
import { JuteReader } from "../protocol/jute.js";

/** Thrown when a snapshot's content is inconsistent though its checksums matched. */
export class SnapshotContentError extends Error {}

// Per node in PreparedNodes.ints: the ACL reference, flags, the length and pathHash of the parent's
// path (a prefix of the node's), then the RESTORE_INTS ints DataTree.restore takes.
export const P_ACL = 0;
export const P_FLAGS = 1;
export const P_PARENT_LENGTH = 2;
export const P_PARENT_HASH = 3;
export const P_RESTORE = 4;
export const PREPARED_STRIDE = P_RESTORE + RESTORE_INTS;

/** The node's parent path is the previous record's (siblings come together): no lookup needed. */
export const F_SAME_PARENT = 1;
/** The path is not all ASCII: the loader decodes it (the tree keeps only ASCII paths as bytes). */
export const F_NOT_ASCII = 2;

const SLASH = 0x2f;

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
  /** The previous record's bytes and where its parent path is in them, for F_SAME_PARENT. */
  private previous: Buffer | undefined;
  private previousAt = 0;
  private previousParentLength = 0;

  /** Whether chunk[at, at + length) is the previous record's parent path. */
  private sameAsPreviousParent(chunk: Buffer, at: number, length: number): boolean {
    const previous = this.previous;
    if (previous === undefined || this.previousParentLength !== length) return false;
    const from = this.previousAt;
    for (let i = 0; i < length; i++) if (chunk[at + i] !== previous[from + i]) return false;
    return true;
  }

  prepare(chunk: Buffer): PreparedNodes {
    const end = chunk.length;
    // Big-endian int32 reads through a DataView compile to single loads; `at` stays a local.
    const view = new DataView(chunk.buffer, chunk.byteOffset, end);
    const cutOff = (at: number, n: number, what: string) =>
      new SnapshotContentError(`node record cut off: ${what} needs ${n} bytes at ${at}`);
    if (end < 4) throw cutOff(0, 4, "node count");
    const count = view.getInt32(0);
    let at = 4;
    // A count the chunk cannot hold is damage, not a reason to allocate.
    if (count < 0 || count > end / RECORD_BYTES_MIN) {
      throw new SnapshotContentError(`node count ${count} in a chunk of ${end} bytes`);
    }
    const ints = new Int32Array(count * PREPARED_STRIDE);
    const newAcls: ACL[][] = [];
    for (let base = 0; base < ints.length; base += PREPARED_STRIDE) {
      if (end - at < 4) throw cutOff(at, 4, "path length");
      const pathLength = view.getInt32(at);
      at += 4;
      if (pathLength <= 0) throw new SnapshotContentError("a node record has no path");
      if (end - at < pathLength + 4) throw cutOff(at, pathLength + 4, "path and data length");
      const pathAt = at;
      at += pathLength;
      const dataLength = view.getInt32(at);
      at += 4;
      if (dataLength < -1) throw new SnapshotContentError(`data length ${dataLength}`);
      const dataAt = at;
      if (dataLength > 0) {
        if (end - at < dataLength) throw cutOff(at, dataLength, "data");
        at += dataLength;
      }
      if (end - at < 4) throw cutOff(at, 4, "ACL reference");
      const ref = view.getInt32(at);
      at += 4;
      if (ref === this.aclDigests.length) {
        const r = new JuteReader(chunk, at, end);
        const list = readACLList(r) ?? [];
        at = r.position;
        newAcls.push(list);
        this.aclDigests.push(aclListDigest(list));
      } else if (ref < 0 || ref > this.aclDigests.length) {
        throw new SnapshotContentError(`ACL reference ${ref} with ${this.aclDigests.length} lists defined`);
      }
      if (end - at < 4 * STAT_WORDS) throw cutOff(at, 4 * STAT_WORDS, "stat");
      const restore = base + P_RESTORE;
      const words = restore + R_WORDS;
      for (let w = 0; w < STAT_WORDS; w++, at += 4) ints[words + w] = view.getInt32(at);
      const asciiHash = asciiPathHash(chunk, pathAt, pathAt + pathLength);
      const hashOfPath = asciiHash ?? pathHash(chunk.toString("utf8", pathAt, pathAt + pathLength));
      const hashOfData = dataLength === -1 ? 0 : bytesHash32(chunk, dataAt, dataAt + dataLength);
      // The parent path is the bytes before the last slash ("/" itself for a top-level node and the root).
      let slash = pathAt + pathLength - 1;
      while (slash >= pathAt && chunk[slash] !== SLASH) slash--;
      if (slash < pathAt)
        throw new SnapshotContentError(
          `node path ${chunk.toString("utf8", pathAt, pathAt + pathLength)} has no parent`,
        );
      const parentLength = Math.max(1, slash - pathAt);
      let flags = asciiHash === undefined ? F_NOT_ASCII : 0;
      if (this.sameAsPreviousParent(chunk, pathAt, parentLength)) {
        flags |= F_SAME_PARENT;
      } else {
        ints[base + P_PARENT_HASH] =
          asciiPathHash(chunk, pathAt, pathAt + parentLength) ??
          pathHash(chunk.toString("utf8", pathAt, pathAt + parentLength));
      }
      this.previous = chunk;
      this.previousAt = pathAt;
      this.previousParentLength = parentLength;
      ints[base + P_ACL] = ref;
      ints[base + P_FLAGS] = flags;
      ints[base + P_PARENT_LENGTH] = parentLength;
      ints[restore + R_PATH_AT] = pathAt;
      ints[restore + R_PATH_LENGTH] = pathLength;
      ints[restore + R_DATA_AT] = dataAt;
      ints[restore + R_DATA_LENGTH] = dataLength;
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
