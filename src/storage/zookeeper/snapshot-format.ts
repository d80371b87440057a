// A ZooKeeper snapshot's content (FileSnap.serialize; the bytes after any gz/snappy decompression):
// FileHeader "ZKSN", the session table, the ACL cache, every node in pre-order with the root under
// the path "" and the path "/" ending the list, then the seal (Adler-32 of every byte before it, and
// "/"). Since 3.6 a ZxidDigest and a second seal follow, since 3.9 also the last processed zxid and
// a third. Nodes are handed out as they are read, so a million-node snapshot is never held twice.
// Pure: bytes in, records out.

import type { PersistedNode } from "../../data/tree.js";
import { type ACL, OPEN_ACL_UNSAFE, readACLList } from "../../protocol/data.js";
import { JuteDecodeError, JuteReader } from "../../protocol/jute.js";
import { Adler32 } from "./adler32.js";
import { ZkDecodeError } from "./errors.js";
import { ZK_FIELD_BYTES_MAX } from "./txn-records.js";
import { zkRecordDigest } from "./zk-digest.js";

export const ZK_SNAPSHOT_MAGIC = 0x5a4b534e; // "ZKSN"
/** The ACL cache's reference for OPEN_ACL_UNSAFE, which it never stores. */
const OPEN_ACL_REF = -1n;

/** ZooKeeper's digest of its tree at `zxid` (DataTree.ZxidDigest). */
export interface ZkZxidDigest {
  readonly zxid: bigint;
  readonly version: number;
  readonly digest: bigint;
}

export interface ZkSnapshotVisitor {
  sessions(sessions: readonly (readonly [bigint, number])[]): void;
  /**
   * A node, parents before children; the root comes as "/". `offset` is where its record starts,
   * `zkDigest` its term of ZooKeeper's digest (zk-digest.ts).
   */
  node(path: string, image: PersistedNode, offset: number, zkDigest: number): void;
}

export interface ZkSnapshotTrailer {
  readonly nodeCount: number;
  /** Absent in snapshots of servers before 3.6 or with digest.enabled=false; zxid 0 is a placeholder. */
  readonly digest: ZkZxidDigest | undefined;
  readonly lastProcessedZxid: bigint | undefined;
}

/** Reads the seal at the reader's position: the running checksum must equal the stored one. */
function checkSeal(r: JuteReader, sum: Adler32, bytes: Buffer, summedTo: number, what: string): number {
  const at = r.position;
  sum.update(bytes, summedTo, at);
  const stored = r.readLong();
  const seal = r.readString();
  if (seal !== "/") throw new ZkDecodeError(at + 8, `the ${what} seal does not end with "/"`);
  if (stored !== BigInt(sum.value)) {
    throw new ZkDecodeError(
      at,
      `checksum mismatch: the ${what} seal says 0x${stored.toString(16)}, the content sums to 0x${sum.value.toString(16)}`,
    );
  }
  return at;
}

/**
 * Reads a whole snapshot, handing sessions and nodes to `visitor`, and checks every seal. Throws
 * ZkDecodeError with the offset of the damage; the visitor may have seen nodes by then, so the caller
 * must not keep what it built from a snapshot that throws.
 */
export function readZkSnapshot(bytes: Buffer, visitor: ZkSnapshotVisitor): ZkSnapshotTrailer {
  const r = new JuteReader(bytes, 0, bytes.length, ZK_FIELD_BYTES_MAX);
  let recordAt = 0;
  try {
    const magic = r.readInt() >>> 0;
    if (magic !== ZK_SNAPSHOT_MAGIC) throw new ZkDecodeError(0, `magic 0x${magic.toString(16)} is not ZKSN`);
    const version = r.readInt();
    if (version !== 2) throw new ZkDecodeError(4, `snapshot format version ${version}, only 2 is known`);
    r.readLong(); // dbid
    recordAt = r.position;
    const sessionCount = r.readInt();
    if (sessionCount < 0 || sessionCount > r.remaining / 12) {
      throw new ZkDecodeError(recordAt, `session count ${sessionCount}`);
    }
    const sessions: [bigint, number][] = [];
    for (let i = 0; i < sessionCount; i++) sessions.push([r.readLong(), r.readInt()]);
    visitor.sessions(sessions);
    recordAt = r.position;
    const aclCount = r.readInt();
    if (aclCount < 0 || aclCount > r.remaining / 12)
      throw new ZkDecodeError(recordAt, `ACL count ${aclCount}`);
    const acls = new Map<bigint, readonly ACL[]>([[OPEN_ACL_REF, OPEN_ACL_UNSAFE]]);
    for (let i = 0; i < aclCount; i++) {
      recordAt = r.position;
      const ref = r.readLong();
      acls.set(ref, readACLList(r) ?? []);
    }
    let nodeCount = 0;
    for (;;) {
      recordAt = r.position;
      const path = r.readStringOrEmpty();
      if (path === "/") break;
      const pathEnd = r.position;
      // A view, not a copy: the tree keeps its own copy of the bytes, and the image is gone after.
      const data = r.readBufferView();
      const dataEnd = r.position;
      const ref = r.readLong();
      const acl = acls.get(ref);
      // ZooKeeper's ReferenceCountedACLCache.convertLong fails the load on an unknown reference.
      if (acl === undefined)
        throw new ZkDecodeError(recordAt, `node ${path} names ACL ${ref}, which is not defined`);
      const statAt = r.position;
      const image: PersistedNode = {
        data,
        acl,
        czxid: r.readLong(),
        mzxid: r.readLong(),
        ctime: r.readLong(),
        mtime: r.readLong(),
        version: r.readInt(),
        cversion: r.readInt(),
        aversion: r.readInt(),
        ephemeralOwner: r.readLong(),
        pzxid: r.readLong(),
      };
      if (nodeCount === 0 ? path !== "" : !path.startsWith("/")) {
        throw new ZkDecodeError(recordAt, `node path ${JSON.stringify(path)} out of place`);
      }
      const dataAt = data === null ? dataEnd : dataEnd - data.length;
      const term = zkRecordDigest(path, bytes, recordAt + 4, pathEnd, dataAt, dataEnd, statAt);
      visitor.node(path === "" ? "/" : path, image, recordAt, term);
      nodeCount++;
    }
    const sum = new Adler32();
    let summedTo = checkSeal(r, sum, bytes, 0, "snapshot");
    let digest: ZkZxidDigest | undefined;
    let lastProcessedZxid: bigint | undefined;
    if (r.remaining > 0) {
      recordAt = r.position;
      digest = { zxid: r.readLong(), version: r.readInt(), digest: r.readLong() };
      summedTo = checkSeal(r, sum, bytes, summedTo, "digest");
    }
    if (r.remaining > 0) {
      recordAt = r.position;
      lastProcessedZxid = r.readLong();
      checkSeal(r, sum, bytes, summedTo, "last processed zxid");
    }
    if (r.remaining > 0) throw new ZkDecodeError(r.position, `${r.remaining} bytes after the last seal`);
    return { nodeCount, digest: digest?.zxid === 0n ? undefined : digest, lastProcessedZxid };
  } catch (error) {
    if (error instanceof JuteDecodeError) throw new ZkDecodeError(recordAt, error.message);
    throw error;
  }
}
