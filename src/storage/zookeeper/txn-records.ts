// ZooKeeper's transaction records as its transaction log holds them (SerializeUtils.deserializeTxn):
// a TxnHeader, the txn body its type names, and since 3.6 a TxnDigest of the tree after the txn.
// These are results, not requests: a create carries the final path (sequence suffix included) and
// the parent's new cversion, so replaying them needs no validation. Pure: bytes in, records out.

import { OpCode } from "../../protocol/constants.js";
import { type ACL, readACLList } from "../../protocol/data.js";
import { JuteDecodeError, JuteReader } from "../../protocol/jute.js";

/** Node data and ACL lists in ZooKeeper files may be as large as its jute.maxbuffer allows. */
export const ZK_FIELD_BYTES_MAX = 256 * 1024 * 1024;

export interface ZkTxnHeader {
  readonly sessionId: bigint;
  readonly cxid: number;
  readonly zxid: bigint;
  readonly timeMs: bigint;
  readonly type: number;
}

export type ZkTxn =
  | { readonly kind: "createSession"; readonly timeoutMs: number }
  /** paths is null in logs written before CloseSessionTxn existed. */
  | { readonly kind: "closeSession"; readonly paths: readonly string[] | null }
  | {
      readonly kind: "create";
      readonly path: string;
      readonly data: Buffer | null;
      readonly acl: readonly ACL[];
      /** The ephemeralOwner ZooKeeper gives the node: a session, the container or TTL marker, or 0. */
      readonly owner: "session" | "container" | { ttlMs: bigint } | "none";
      /** -1 in CreateTxnV0 (logs before 3.3): the parent's cversion plus one. */
      readonly parentCversion: number;
    }
  | { readonly kind: "delete"; readonly path: string }
  | {
      readonly kind: "setData";
      readonly path: string;
      readonly data: Buffer | null;
      readonly version: number;
    }
  | { readonly kind: "setACL"; readonly path: string; readonly acl: readonly ACL[]; readonly version: number }
  | { readonly kind: "check"; readonly path: string }
  | { readonly kind: "error"; readonly err: number }
  | { readonly kind: "multi"; readonly txns: readonly ZkTxn[] };

export interface ZkTxnDigest {
  readonly version: number;
  readonly digest: bigint;
}

export interface ZkLogEntry {
  readonly header: ZkTxnHeader;
  readonly txn: ZkTxn;
  readonly digest: ZkTxnDigest | undefined;
}

const TXN_HEADER_BYTES = 32;
const TXN_DIGEST_BYTES = 12;

function acl(r: JuteReader): ACL[] {
  return readACLList(r) ?? [];
}

function path(r: JuteReader): string {
  return r.readStringOrEmpty();
}

/** A txn body of `type`; `top` says whether it stands alone (create2 and createSession only do). */
function readBody(r: JuteReader, type: number, top: boolean): ZkTxn {
  switch (type) {
    case OpCode.createSession:
      if (top) return { kind: "createSession", timeoutMs: r.readInt() };
      break;
    case OpCode.create:
    case OpCode.create2: {
      if (!top && type === OpCode.create2) break;
      const p = path(r);
      const data = r.readBuffer();
      const list = acl(r);
      const ephemeral = r.readBool();
      // CreateTxnV0 ends here; ZooKeeper then treats the parent's cversion as "one more".
      const parentCversion = r.remaining === 0 ? -1 : r.readInt();
      return {
        kind: "create",
        path: p,
        data,
        acl: list,
        owner: ephemeral ? "session" : "none",
        parentCversion,
      };
    }
    case OpCode.createTTL: {
      const p = path(r);
      const data = r.readBuffer();
      const list = acl(r);
      const parentCversion = r.readInt();
      return { kind: "create", path: p, data, acl: list, owner: { ttlMs: r.readLong() }, parentCversion };
    }
    case OpCode.createContainer: {
      const p = path(r);
      const data = r.readBuffer();
      const list = acl(r);
      return { kind: "create", path: p, data, acl: list, owner: "container", parentCversion: r.readInt() };
    }
    case OpCode.delete:
    case OpCode.deleteContainer:
      return { kind: "delete", path: path(r) };
    case OpCode.setData:
    case OpCode.reconfig:
      return { kind: "setData", path: path(r), data: r.readBuffer(), version: r.readInt() };
    case OpCode.setACL:
      return { kind: "setACL", path: path(r), acl: acl(r), version: r.readInt() };
    case OpCode.check: {
      const p = path(r);
      r.readInt();
      return { kind: "check", path: p };
    }
    case OpCode.error:
      return { kind: "error", err: r.readInt() };
    case OpCode.multi:
      if (!top) break;
      return { kind: "multi", txns: readMulti(r) };
  }
  throw new JuteDecodeError(`unknown transaction type ${type}${top ? "" : " inside a multi"}`);
}

function readMulti(r: JuteReader): ZkTxn[] {
  const count = r.readInt();
  if (count < 0 || count > r.remaining / 8) throw new JuteDecodeError(`multi of ${count} transactions`);
  const txns: ZkTxn[] = [];
  for (let i = 0; i < count; i++) {
    const type = r.readInt();
    const bytes = r.readBufferView() ?? Buffer.alloc(0);
    const sub = new JuteReader(bytes, 0, bytes.length, ZK_FIELD_BYTES_MAX);
    txns.push(readBody(sub, type, false));
    sub.expectEnd(`sub-transaction ${i} of a multi`);
  }
  return txns;
}

/**
 * One log record's payload: header, body, optional digest. A closeSession without a body (logs from
 * before 3.6) reads as paths null, as ZooKeeper reads it.
 */
export function decodeLogEntry(payload: Buffer): ZkLogEntry {
  if (payload.length < TXN_HEADER_BYTES) {
    throw new JuteDecodeError(`a transaction of ${payload.length} bytes has no room for its header`);
  }
  const r = new JuteReader(payload, 0, payload.length, ZK_FIELD_BYTES_MAX);
  const header: ZkTxnHeader = {
    sessionId: r.readLong(),
    cxid: r.readInt(),
    zxid: r.readLong(),
    timeMs: r.readLong(),
    type: r.readInt(),
  };
  let body = r;
  let txn: ZkTxn;
  if (header.type === OpCode.closeSession) {
    // CloseSessionTxn{vector<ustring>} since 3.6; older logs have no body, maybe only a digest.
    body = new JuteReader(payload, r.position, payload.length, ZK_FIELD_BYTES_MAX);
    try {
      const paths = body.readVector(path) ?? [];
      if (body.remaining !== 0 && body.remaining !== TXN_DIGEST_BYTES)
        throw new JuteDecodeError("not a list");
      txn = { kind: "closeSession", paths };
    } catch {
      body = r;
      txn = { kind: "closeSession", paths: null };
    }
  } else {
    txn = readBody(r, header.type, true);
  }
  let digest: ZkTxnDigest | undefined;
  if (body.remaining === TXN_DIGEST_BYTES) digest = { version: body.readInt(), digest: body.readLong() };
  body.expectEnd(`transaction 0x${BigInt.asUintN(64, header.zxid).toString(16)}`);
  return { header, txn, digest };
}
