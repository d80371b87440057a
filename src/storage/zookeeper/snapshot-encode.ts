// The reverse of snapshot-format.ts: a Paddock state as a ZooKeeper 3.8 snapshot, so that leaving
// Paddock is as easy as arriving. FileHeader "ZKSN", the session table, the ACL cache (OPEN_ACL_UNSAFE
// as reference -1, which ZooKeeper never stores, the other lists numbered from 1), every node in
// pre-order with the root under "" and "/" ending the list, the Adler-32 seal, then the ZxidDigest
// ZooKeeper compares after loading and a second seal. Pure: a state in, bytes out.

import type { ZNode } from "../../data/tree.js";
import { type ACL, OPEN_ACL_UNSAFE, writeACLList } from "../../protocol/data.js";
import { JuteWriter } from "../../protocol/jute.js";
import type { StateMachine } from "../../state/machine.js";
import { Adler32 } from "./adler32.js";
import { ZK_SNAPSHOT_MAGIC } from "./snapshot-format.js";
import { ZK_DIGEST_VERSION, ZkTreeDigest } from "./zk-digest.js";

const OPEN_ACL_REF = -1n;

function isOpenAcl(acl: readonly ACL[]): boolean {
  const open = OPEN_ACL_UNSAFE[0]!;
  return (
    acl.length === 1 &&
    acl[0]!.perms === open.perms &&
    acl[0]!.id.scheme === open.id.scheme &&
    acl[0]!.id.id === open.id.id
  );
}

function aclKey(acl: readonly ACL[]): string {
  return JSON.stringify(acl.map((a) => [a.perms, a.id.scheme, a.id.id]));
}

/** Every node, parents before children, as ZooKeeper's serializeNode walks them. */
function* preOrder(machine: StateMachine): IterableIterator<[string, ZNode]> {
  const tree = machine.tree;
  const pending: [string, ZNode][] = [["/", tree.get("/")!]];
  while (pending.length > 0) {
    const [path, node] = pending.pop()!;
    yield [path, node];
    for (const name of tree.childrenOf(node)) {
      const child = path === "/" ? `/${name}` : `${path}/${name}`;
      pending.push([child, tree.get(child)!]);
    }
  }
}

export interface ZkSnapshotEncoded {
  readonly bytes: Buffer;
  readonly zxid: bigint;
  readonly nodes: number;
  readonly digest: bigint;
}

export function encodeZkSnapshot(machine: StateMachine): ZkSnapshotEncoded {
  const tree = machine.tree;
  const refs = new Map<string, bigint>();
  const lists: [bigint, readonly ACL[]][] = [];
  const refOf = (acl: readonly ACL[]): bigint => {
    if (isOpenAcl(acl)) return OPEN_ACL_REF;
    const key = aclKey(acl);
    let ref = refs.get(key);
    if (ref === undefined) {
      ref = BigInt(lists.length + 1);
      refs.set(key, ref);
      lists.push([ref, acl]);
    }
    return ref;
  };
  // The ACL cache comes before the nodes, so the nodes are encoded first into their own writer.
  const nodes = new JuteWriter(1024 * 1024);
  const digest = new ZkTreeDigest();
  let count = 0;
  for (const [path, node] of preOrder(machine)) {
    const image = tree.persisted(node);
    digest.add(path, image);
    nodes
      .writeString(path === "/" ? "" : path)
      .writeBuffer(image.data)
      .writeLong(refOf(image.acl))
      .writeLong(image.czxid)
      .writeLong(image.mzxid)
      .writeLong(image.ctime)
      .writeLong(image.mtime)
      .writeInt(image.version)
      .writeInt(image.cversion)
      .writeInt(image.aversion)
      .writeLong(image.ephemeralOwner)
      .writeLong(image.pzxid);
    count++;
  }
  nodes.writeString("/");
  const head = new JuteWriter(64 * 1024);
  head
    .writeInt(ZK_SNAPSHOT_MAGIC | 0)
    .writeInt(2)
    .writeLong(-1n);
  const sessions = machine.sessions();
  head.writeInt(sessions.size);
  for (const [id, s] of sessions) head.writeLong(id).writeInt(s.timeoutMs);
  head.writeInt(lists.length);
  for (const [ref, acl] of lists) {
    head.writeLong(ref);
    writeACLList(head, acl);
  }
  const body = Buffer.concat([head.finish(), nodes.finish()]);
  const sum = new Adler32().update(body);
  const seal = new JuteWriter(64).writeLong(BigInt(sum.value)).writeString("/").finish();
  sum.update(seal);
  const zxidDigest = new JuteWriter(64)
    .writeLong(machine.lastZxid)
    .writeInt(ZK_DIGEST_VERSION)
    .writeLong(digest.value)
    .finish();
  sum.update(zxidDigest);
  const seal2 = new JuteWriter(64).writeLong(BigInt(sum.value)).writeString("/").finish();
  return {
    bytes: Buffer.concat([body, seal, zxidDigest, seal2]),
    zxid: machine.lastZxid,
    nodes: count,
    digest: digest.value,
  };
}
