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

/** The running sum, as ZooKeeper's AdHash keeps it: Java long arithmetic. */
export class ZkTreeDigest {
  private sum = 0n;
  private readonly scratch = Buffer.alloc(60);

  add(path: string, node: PersistedNode): void {
    this.sum = BigInt.asIntN(64, this.sum + BigInt(zkNodeDigest(path, node, this.scratch)));
  }

  remove(path: string, node: PersistedNode): void {
    this.sum = BigInt.asIntN(64, this.sum - BigInt(zkNodeDigest(path, node, this.scratch)));
  }

  get value(): bigint {
    return this.sum;
  }
}
