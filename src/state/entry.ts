// A log entry: one client write (or session/clean-up event) plus everything apply needs to evaluate
// it the same way on every replica: zxid, leader time, session and the session's identities. The
// binary form reuses jute and the wire request codecs, so the log holds requests as clients sent them.

import { OpCode } from "../protocol/constants.js";
import { type ACL, type Id, readACLList, readId, writeACLList, writeId } from "../protocol/data.js";
import { JuteDecodeError, JuteReader, JuteWriter } from "../protocol/jute.js";
import {
  type CreateTTLRequest,
  type DeleteRequest,
  decodeRequestBody,
  encodeRequestBody,
  type MultiOp,
  type SetACLRequest,
  type SetDataRequest,
} from "../protocol/requests.js";

export type CreateOpcode = 1 | 15 | 19 | 21;

export type Txn =
  | { readonly kind: "createSession"; readonly timeoutMs: number }
  /** Close or expiry of entry.sessionId. */
  | { readonly kind: "closeSession" }
  /** `request.ttl` is -1n unless the opcode is createTTL. */
  | { readonly kind: "create"; readonly opcode: CreateOpcode; readonly request: CreateTTLRequest }
  | { readonly kind: "delete"; readonly request: DeleteRequest }
  | { readonly kind: "setData"; readonly request: SetDataRequest }
  | { readonly kind: "setACL"; readonly request: SetACLRequest }
  /** Write ops only: create*, delete, setData, check. */
  | { readonly kind: "multi"; readonly ops: readonly MultiOp[] }
  /** Server-issued clean-up of an empty container or an expired TTL node. */
  | { readonly kind: "deleteContainer"; readonly path: string }
  /**
   * A new leader's first entry (ZooKeeper's NEWLEADER): it changes nothing but the zxid, and once it
   * commits, everything logged before it is committed too.
   */
  | { readonly kind: "epochStart" }
  /** A membership change of the consensus core, in its own encoding; the core applies it. */
  | { readonly kind: "membership"; readonly change: Uint8Array }
  /**
   * The secret every member derives session passwords from, proposed once by the ensemble's first
   * leader; replicated so that a client can take its session to any member.
   */
  | { readonly kind: "sessionSecret"; readonly secret: Uint8Array };

/**
 * Which server's request an entry carries, so that server alone answers it when the entry applies:
 * its id, when it started (so a request from before a restart is never taken for a new one), and a
 * sequence number it gave the request. Entries the leader makes on its own (expiry, clean-up, a
 * term's first entry) carry the leader's, or none.
 */
export interface Origin {
  readonly server: number;
  readonly incarnation: number;
  readonly seq: number;
}

export interface Entry {
  /** Assigned by the leader, strictly increasing. */
  readonly zxid: bigint;
  /** Leader wall clock in ms; the only time apply may use. */
  readonly timeMs: bigint;
  /** The session the txn runs as (ephemeralOwner, closeSession target). */
  readonly sessionId: bigint;
  /** The session's identities: ip:<addr>, digest:<user:hash>, super:"" ... */
  readonly authIds: readonly Id[];
  readonly origin?: Origin;
  readonly txn: Txn;
}

/** Format version byte; bump when the layout changes so old logs are refused, not misread. */
const ENTRY_FORMAT = 2;

const TxnTag = {
  createSession: 1,
  closeSession: 2,
  create: 3,
  delete: 4,
  setData: 5,
  setACL: 6,
  multi: 7,
  deleteContainer: 8,
  epochStart: 9,
  membership: 10,
  sessionSecret: 11,
} as const satisfies Record<Txn["kind"], number>;

/**
 * The zxid an encoded entry carries, read without decoding the rest: a cheap check of a record
 * about to be written. Undefined when the bytes do not start like an entry.
 */
export function peekEntryZxid(b: Buffer): bigint | undefined {
  if (b.length < 9 || b[0] !== ENTRY_FORMAT) return undefined;
  return b.readBigInt64BE(1);
}

export function encodeEntry(e: Entry): Buffer {
  const w = new JuteWriter(64);
  w.writeByte(ENTRY_FORMAT).writeLong(e.zxid).writeLong(e.timeMs).writeLong(e.sessionId);
  w.writeVector(e.authIds, writeId);
  const origin = e.origin;
  if (origin === undefined) w.writeInt(0);
  else w.writeInt(origin.server).writeLong(BigInt(origin.incarnation)).writeLong(BigInt(origin.seq));
  const txn = e.txn;
  w.writeByte(TxnTag[txn.kind]);
  switch (txn.kind) {
    case "createSession":
      w.writeInt(txn.timeoutMs);
      break;
    case "closeSession":
      break;
    case "create": {
      const r = txn.request;
      w.writeInt(txn.opcode).writeString(r.path).writeBuffer(r.data);
      writeACLList(w, r.acl);
      w.writeInt(r.flags).writeLong(r.ttl);
      break;
    }
    case "delete":
      encodeRequestBody(w, { type: OpCode.delete, ...txn.request });
      break;
    case "setData":
      encodeRequestBody(w, { type: OpCode.setData, ...txn.request });
      break;
    case "setACL":
      encodeRequestBody(w, { type: OpCode.setACL, ...txn.request });
      break;
    case "multi":
      encodeRequestBody(w, { type: OpCode.multi, ops: txn.ops });
      break;
    case "deleteContainer":
      w.writeString(txn.path);
      break;
    case "epochStart":
      break;
    case "membership":
      w.writeBuffer(txn.change);
      break;
    case "sessionSecret":
      w.writeBuffer(txn.secret);
      break;
  }
  // finish() returns a view of the writer's storage; copy so the entry owns exactly its bytes.
  return Buffer.from(w.finish());
}

function isCreateOpcode(v: number): v is CreateOpcode {
  return (
    v === OpCode.create || v === OpCode.create2 || v === OpCode.createContainer || v === OpCode.createTTL
  );
}

/** The last value decoded for one field, with the bytes it was decoded from. */
class RepeatedField<T> {
  private bytes: Buffer | undefined;
  private value: T | undefined;

  constructor(private readonly read: (r: JuteReader) => T) {}

  /**
   * Reads the field at the reader's position in `b`. Decoding depends only on the bytes read, so
   * bytes equal to the last value's decode to an equal value, and that one is returned instead.
   */
  next(r: JuteReader, b: Buffer): T {
    const at = r.position;
    const last = this.bytes;
    if (last !== undefined && last.length <= r.remaining && repeats(b, at, last)) {
      r.skip(last.length);
      return this.value as T;
    }
    const value = this.read(r);
    this.bytes = Buffer.from(b.subarray(at, r.position));
    this.value = value;
    return value;
  }
}

function repeats(b: Buffer, at: number, last: Buffer): boolean {
  // Fields that repeat are a few dozen bytes: a loop is cheaper than a native compare.
  for (let i = 0; i < last.length; i++) if (b[at + i] !== last[i]) return false;
  return true;
}

function readAuthIds(r: JuteReader): readonly Id[] {
  const ids = r.readVector(readId);
  if (ids === null) throw new JuteDecodeError("entry: null auth id list");
  for (const id of ids) Object.freeze(id);
  return Object.freeze(ids);
}

function readFrozenACLList(r: JuteReader): readonly ACL[] | null {
  const acl = readACLList(r);
  if (acl === null) return null;
  for (const a of acl) Object.freeze(Object.freeze(a).id);
  return Object.freeze(acl);
}

function readOrigin(r: JuteReader): Origin | undefined {
  const server = r.readInt();
  if (server === 0) return undefined;
  const incarnation = r.readLong();
  const seq = r.readLong();
  if (server < 0 || incarnation < 0n || seq < 0n || incarnation > MAX_SAFE || seq > MAX_SAFE) {
    throw new JuteDecodeError(`entry: origin ${server}/${incarnation}/${seq} out of range`);
  }
  return { server, incarnation: Number(incarnation), seq: Number(seq) };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function readLong(r: JuteReader): bigint {
  return r.readLong();
}

/**
 * Decodes a run of entries, such as a log read at start-up. Consecutive entries mostly repeat the
 * leader time, session, identities and ACL list; each repeat gets the previous entry's value (ids and
 * ACLs frozen, as they are shared), so a million recovered entries do not hold a million copies. A
 * create's data is a view of the decoded bytes, not a copy: the caller must not change those bytes
 * while the entry is in use (a log reader's segment images are never written).
 */
export class EntryDecoder {
  private readonly timeMs = new RepeatedField(readLong);
  private readonly sessionId = new RepeatedField(readLong);
  private readonly authIds = new RepeatedField(readAuthIds);
  private readonly acl = new RepeatedField(readFrozenACLList);
  private readonly ttl = new RepeatedField(readLong);

  /** Decodes `b[start, end)`; throws JuteDecodeError on any malformed, truncated or over-long input. */
  decode(b: Buffer, start = 0, end = b.length): Entry {
    const r = new JuteReader(b, start, end);
    const format = r.readByte();
    if (format !== ENTRY_FORMAT) throw new JuteDecodeError(`entry: unknown format ${format}`);
    const zxid = r.readLong();
    const timeMs = this.timeMs.next(r, b);
    const sessionId = this.sessionId.next(r, b);
    const authIds = this.authIds.next(r, b);
    const origin = readOrigin(r);
    const txn = this.decodeTxn(r, b, r.readByte());
    r.expectEnd("entry");
    // Without an origin the key is left out, as the server's own entries without one leave it out.
    return origin === undefined
      ? { zxid, timeMs, sessionId, authIds, txn }
      : { zxid, timeMs, sessionId, authIds, origin, txn };
  }

  private decodeTxn(r: JuteReader, b: Buffer, tag: number): Txn {
    switch (tag) {
      case TxnTag.createSession:
        return { kind: "createSession", timeoutMs: r.readInt() };
      case TxnTag.closeSession:
        return { kind: "closeSession" };
      case TxnTag.create: {
        const opcode = r.readInt();
        if (!isCreateOpcode(opcode)) throw new JuteDecodeError(`entry: ${opcode} is not a create opcode`);
        const path = r.readStringOrEmpty();
        const data = r.readBufferView();
        const acl = this.acl.next(r, b);
        const flags = r.readInt();
        const ttl = this.ttl.next(r, b);
        return { kind: "create", opcode, request: { path, data, acl, flags, ttl } };
      }
      case TxnTag.delete: {
        const req = decodeRequestBody(OpCode.delete, r);
        if (req.type !== OpCode.delete) throw new JuteDecodeError("entry: bad delete");
        return { kind: "delete", request: { path: req.path, version: req.version } };
      }
      case TxnTag.setData: {
        const req = decodeRequestBody(OpCode.setData, r);
        if (req.type !== OpCode.setData) throw new JuteDecodeError("entry: bad setData");
        return { kind: "setData", request: { path: req.path, data: req.data, version: req.version } };
      }
      case TxnTag.setACL: {
        const req = decodeRequestBody(OpCode.setACL, r);
        if (req.type !== OpCode.setACL) throw new JuteDecodeError("entry: bad setACL");
        return { kind: "setACL", request: { path: req.path, acl: req.acl, version: req.version } };
      }
      case TxnTag.multi: {
        const req = decodeRequestBody(OpCode.multi, r);
        if (req.type !== OpCode.multi) throw new JuteDecodeError("entry: bad multi");
        return { kind: "multi", ops: req.ops };
      }
      case TxnTag.deleteContainer:
        return { kind: "deleteContainer", path: r.readStringOrEmpty() };
      case TxnTag.epochStart:
        return { kind: "epochStart" };
      case TxnTag.membership: {
        const change = r.readBuffer();
        if (change === null) throw new JuteDecodeError("entry: null membership change");
        return { kind: "membership", change };
      }
      case TxnTag.sessionSecret: {
        const secret = r.readBuffer();
        if (secret === null || secret.length < 16)
          throw new JuteDecodeError("entry: session secret under 16 bytes");
        return { kind: "sessionSecret", secret };
      }
      default:
        throw new JuteDecodeError(`entry: unknown txn tag ${tag}`);
    }
  }
}

/** Decodes one entry; throws JuteDecodeError on any malformed, truncated or over-long input. */
export function decodeEntry(b: Buffer): Entry {
  return new EntryDecoder().decode(b);
}
