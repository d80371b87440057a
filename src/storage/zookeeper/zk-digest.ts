// ZooKeeper's digest of its tree (DigestCalculator, digest version 2; NodeHashMapImpl, AdHash): the
// 64-bit sum of one CRC-32 per node over its path bytes, its data and 60 bytes of its stat (czxid,
// mzxid, pzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner). The root counts once
// under the path "" and nodes under /zookeeper/ not at all. ZooKeeper writes it at the end of each
// snapshot and after each logged txn; an import that sums the same way over what it rebuilt and
// gets the same value has rebuilt exactly ZooKeeper's tree.

import { crc32 } from "node:zlib";
import type { PersistedNode } from "../../data/tree.js";

export const ZK_DIGEST_VERSION = 2;
const EXCLUDED_PREFIX = "/zookeeper/";

/** The CRC-32 ZooKeeper gives one node, 0 for the nodes it leaves out. */
export function zkNodeDigest(path: string, node: PersistedNode, scratch = Buffer.alloc(60)): number {
  if (path.startsWith(EXCLUDED_PREFIX)) return 0;
  const b = scratch;
  b.writeBigInt64BE(node.czxid, 0);
  b.writeBigInt64BE(node.mzxid, 8);
  b.writeBigInt64BE(node.pzxid, 16);
  b.writeBigInt64BE(node.ctime, 24);
  b.writeBigInt64BE(node.mtime, 32);
  b.writeInt32BE(node.version, 40);
  b.writeInt32BE(node.cversion, 44);
  b.writeInt32BE(node.aversion, 48);
  b.writeBigInt64BE(node.ephemeralOwner, 52);
  let crc = path === "/" ? 0 : crc32(path);
  if (node.data !== null && node.data.length > 0) crc = crc32(node.data, crc);
  return crc32(b, crc);
}

/**
 * zkNodeDigest for a snapshot record still in its bytes: path and data where they lie, and the
 * stat's 60 bytes (in the record's StatPersisted order, from `statAt`) fed in the digest's order.
 */
export function zkRecordDigest(
  path: string,
  bytes: Buffer,
  pathAt: number,
  pathEnd: number,
  dataAt: number,
  dataEnd: number,
  statAt: number,
): number {
  if (path.startsWith(EXCLUDED_PREFIX)) return 0;
  // The root's record path is "" already, so its bytes are the empty range.
  let crc = pathEnd > pathAt ? crc32(bytes.subarray(pathAt, pathEnd)) : 0;
  if (dataEnd > dataAt) crc = crc32(bytes.subarray(dataAt, dataEnd), crc);
  // StatPersisted: czxid mzxid ctime mtime version cversion aversion ephemeralOwner pzxid;
  // the digest takes czxid mzxid, then pzxid, then ctime through ephemeralOwner.
  crc = crc32(bytes.subarray(statAt, statAt + 16), crc);
  crc = crc32(bytes.subarray(statAt + 52, statAt + 60), crc);
  return crc32(bytes.subarray(statAt + 16, statAt + 52), crc);
}

/** Past this the running sum leaves the integers a double holds exactly; it moves to the BigInt. */
const FOLD_AT = 2 ** 52;

/**
 * The running sum, as ZooKeeper's AdHash keeps it (Java long arithmetic). Terms are 32-bit, so they
 * add up in a double, folded into a BigInt now and then, not one BigInt per node.
 */
export class ZkTreeDigest {
  private folded = 0n;
  private sum = 0;
  private readonly scratch = Buffer.alloc(60);

  addTerm(term: number): void {
    this.sum += term;
    if (this.sum > FOLD_AT) this.fold();
  }

  add(path: string, node: PersistedNode): void {
    this.addTerm(zkNodeDigest(path, node, this.scratch));
  }

  remove(path: string, node: PersistedNode): void {
    this.sum -= zkNodeDigest(path, node, this.scratch);
    if (this.sum < -FOLD_AT) this.fold();
  }

  private fold(): void {
    this.folded = BigInt.asIntN(64, this.folded + BigInt(this.sum));
    this.sum = 0;
  }

  get value(): bigint {
    return BigInt.asIntN(64, this.folded + BigInt(this.sum));
  }
}
