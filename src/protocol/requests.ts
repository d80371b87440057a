// Every client request record and its codec, keyed by opcode. A request frame is a
// RequestHeader{xid, type} followed by the record for `type`; `decodeRequestBody` turns the
// record into a tagged union so the server can switch on `type` with the compiler checking fields.

import { OpCode } from "./constants.js";
import { type ACL, readACLList, writeACLList } from "./data.js";
import { JuteDecodeError, type JuteReader, type JuteWriter } from "./jute.js";

export interface RequestHeader {
  readonly xid: number;
  readonly type: number;
}

export function readRequestHeader(r: JuteReader): RequestHeader {
  return { xid: r.readInt(), type: r.readInt() };
}

export function writeRequestHeader(w: JuteWriter, v: RequestHeader): void {
  w.writeInt(v.xid).writeInt(v.type);
}

export interface CreateRequest {
  readonly path: string;
  readonly data: Buffer | null;
  readonly acl: readonly ACL[] | null;
  readonly flags: number;
}

export interface CreateTTLRequest extends CreateRequest {
  readonly ttl: bigint;
}

export interface DeleteRequest {
  readonly path: string;
  readonly version: number;
}

/** ExistsRequest, GetDataRequest, GetChildrenRequest and GetChildren2Request share this shape. */
export interface PathWatchRequest {
  readonly path: string;
  readonly watch: boolean;
}

export interface SetDataRequest {
  readonly path: string;
  readonly data: Buffer | null;
  readonly version: number;
}

/** GetACLRequest, SyncRequest, GetAllChildrenNumberRequest, GetEphemeralsRequest (prefixPath). */
export interface PathRequest {
  readonly path: string;
}

export interface SetACLRequest {
  readonly path: string;
  readonly acl: readonly ACL[] | null;
  readonly version: number;
}

export interface CheckVersionRequest {
  readonly path: string;
  readonly version: number;
}

export interface ReconfigRequest {
  readonly joiningServers: string | null;
  readonly leavingServers: string | null;
  readonly newMembers: string | null;
  readonly curConfigId: bigint;
}

/** CheckWatchesRequest and RemoveWatchesRequest: `watcherType` is a WatcherType number. */
export interface WatchesRequest {
  readonly path: string;
  readonly watcherType: number;
}

export interface AddWatchRequest {
  readonly path: string;
  readonly mode: number;
}

export interface SetWatches {
  readonly relativeZxid: bigint;
  readonly dataWatches: readonly string[];
  readonly existWatches: readonly string[];
  readonly childWatches: readonly string[];
}

export interface SetWatches2 extends SetWatches {
  readonly persistentWatches: readonly string[];
  readonly persistentRecursiveWatches: readonly string[];
}

export interface AuthPacket {
  readonly authType: number;
  readonly scheme: string;
  readonly auth: Buffer | null;
}

export interface SaslRequest {
  readonly token: Buffer | null;
}

/** One operation of a multi or multiRead, tagged with its opcode as MultiHeader.type carries it. */
export type MultiOp =
  | ({
      readonly type: typeof OpCode.create | typeof OpCode.create2 | typeof OpCode.createContainer;
    } & CreateRequest)
  | ({ readonly type: typeof OpCode.createTTL } & CreateTTLRequest)
  | ({ readonly type: typeof OpCode.delete } & DeleteRequest)
  | ({ readonly type: typeof OpCode.setData } & SetDataRequest)
  | ({ readonly type: typeof OpCode.check } & CheckVersionRequest)
  | ({ readonly type: typeof OpCode.getData | typeof OpCode.getChildren } & PathWatchRequest);

export interface MultiRequest {
  readonly ops: readonly MultiOp[];
}

export interface MultiHeader {
  readonly type: number;
  readonly done: boolean;
  readonly err: number;
}

export type Request =
  | ({
      readonly type: typeof OpCode.create | typeof OpCode.create2 | typeof OpCode.createContainer;
    } & CreateRequest)
  | ({ readonly type: typeof OpCode.createTTL } & CreateTTLRequest)
  | ({ readonly type: typeof OpCode.delete } & DeleteRequest)
  | ({
      readonly type:
        | typeof OpCode.exists
        | typeof OpCode.getData
        | typeof OpCode.getChildren
        | typeof OpCode.getChildren2;
    } & PathWatchRequest)
  | ({ readonly type: typeof OpCode.setData } & SetDataRequest)
  | ({
      readonly type:
        | typeof OpCode.getACL
        | typeof OpCode.sync
        | typeof OpCode.getAllChildrenNumber
        | typeof OpCode.getEphemerals
        | typeof OpCode.deleteContainer;
    } & PathRequest)
  | ({ readonly type: typeof OpCode.setACL } & SetACLRequest)
  | ({ readonly type: typeof OpCode.check } & CheckVersionRequest)
  | ({ readonly type: typeof OpCode.multi | typeof OpCode.multiRead } & MultiRequest)
  | ({ readonly type: typeof OpCode.reconfig } & ReconfigRequest)
  | ({ readonly type: typeof OpCode.checkWatches | typeof OpCode.removeWatches } & WatchesRequest)
  | ({ readonly type: typeof OpCode.addWatch } & AddWatchRequest)
  | ({ readonly type: typeof OpCode.setWatches } & SetWatches)
  | ({ readonly type: typeof OpCode.setWatches2 } & SetWatches2)
  | ({ readonly type: typeof OpCode.auth } & AuthPacket)
  | ({ readonly type: typeof OpCode.sasl } & SaslRequest)
  | { readonly type: typeof OpCode.ping | typeof OpCode.closeSession | typeof OpCode.whoAmI };

export type RequestOfType<T extends Request["type"]> = Extract<Request, { type: T }>;

/** Thrown for an opcode that no client may send; the server answers UNIMPLEMENTED and closes. */
export class UnknownOpcodeError extends Error {
  constructor(readonly opcode: number) {
    super(`unknown or client-invalid opcode ${opcode}`);
    this.name = "UnknownOpcodeError";
  }
}

function readCreate(r: JuteReader): CreateRequest {
  return { path: r.readStringOrEmpty(), data: r.readBuffer(), acl: readACLList(r), flags: r.readInt() };
}

function readCreateTTL(r: JuteReader): CreateTTLRequest {
  return { ...readCreate(r), ttl: r.readLong() };
}

function readPathWatch(r: JuteReader): PathWatchRequest {
  return { path: r.readStringOrEmpty(), watch: r.readBool() };
}

function readPathVersion(r: JuteReader): DeleteRequest {
  return { path: r.readStringOrEmpty(), version: r.readInt() };
}

function readSetData(r: JuteReader): SetDataRequest {
  return { path: r.readStringOrEmpty(), data: r.readBuffer(), version: r.readInt() };
}

function readStrings(r: JuteReader): string[] {
  return r.readVector((e) => e.readStringOrEmpty()) ?? [];
}

function readSetWatches(r: JuteReader): SetWatches {
  return {
    relativeZxid: r.readLong(),
    dataWatches: readStrings(r),
    existWatches: readStrings(r),
    childWatches: readStrings(r),
  };
}

export function readMultiHeader(r: JuteReader): MultiHeader {
  return { type: r.readInt(), done: r.readBool(), err: r.readInt() };
}

export function writeMultiHeader(w: JuteWriter, v: MultiHeader): void {
  w.writeInt(v.type).writeBool(v.done).writeInt(v.err);
}

/** Bounds the number of ops in one multi: each needs at least a 9-byte header, so this is generous. */
const MULTI_OPS_MAX = 1 << 20;

function readMulti(r: JuteReader, readOnly: boolean): MultiRequest {
  const ops: MultiOp[] = [];
  for (;;) {
    const h = readMultiHeader(r);
    if (h.done) break;
    if (ops.length >= MULTI_OPS_MAX) throw new JuteDecodeError("too many operations in multi");
    const op = readMultiOp(r, h.type, readOnly);
    ops.push(op);
  }
  return { ops };
}

function readMultiOp(r: JuteReader, type: number, readOnly: boolean): MultiOp {
  if (readOnly) {
    if (type === OpCode.getData || type === OpCode.getChildren) return { type, ...readPathWatch(r) };
    throw new JuteDecodeError(`op type ${type} is not allowed in multiRead`);
  }
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return { type, ...readCreate(r) };
    case OpCode.createTTL:
      return { type, ...readCreateTTL(r) };
    case OpCode.delete:
      return { type, ...readPathVersion(r) };
    case OpCode.setData:
      return { type, ...readSetData(r) };
    case OpCode.check:
      return { type, ...readPathVersion(r) };
    default:
      throw new JuteDecodeError(`op type ${type} is not allowed in multi`);
  }
}

/**
 * Decodes the record that follows a RequestHeader. Throws UnknownOpcodeError for opcodes clients
 * may not send, JuteDecodeError for a body that does not parse (answered with MARSHALLINGERROR).
 */
export function decodeRequestBody(type: number, r: JuteReader): Request {
  let req: Request;
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      req = { type, ...readCreate(r) };
      break;
    case OpCode.createTTL:
      req = { type, ...readCreateTTL(r) };
      break;
    case OpCode.delete:
      req = { type, ...readPathVersion(r) };
      break;
    case OpCode.exists:
    case OpCode.getData:
    case OpCode.getChildren:
    case OpCode.getChildren2:
      req = { type, ...readPathWatch(r) };
      break;
    case OpCode.setData:
      req = { type, ...readSetData(r) };
      break;
    case OpCode.getACL:
    case OpCode.sync:
    case OpCode.getAllChildrenNumber:
    case OpCode.getEphemerals:
      req = { type, path: r.readStringOrEmpty() };
      break;
    case OpCode.deleteContainer:
      req = { type, path: (r.readBuffer() ?? Buffer.alloc(0)).toString("utf8") };
      break;
    case OpCode.setACL:
      req = { type, path: r.readStringOrEmpty(), acl: readACLList(r), version: r.readInt() };
      break;
    case OpCode.check:
      req = { type, ...readPathVersion(r) };
      break;
    case OpCode.multi:
      req = { type, ...readMulti(r, false) };
      break;
    case OpCode.multiRead:
      req = { type, ...readMulti(r, true) };
      break;
    case OpCode.reconfig:
      req = {
        type,
        joiningServers: r.readString(),
        leavingServers: r.readString(),
        newMembers: r.readString(),
        curConfigId: r.readLong(),
      };
      break;
    case OpCode.checkWatches:
    case OpCode.removeWatches:
      req = { type, path: r.readStringOrEmpty(), watcherType: r.readInt() };
      break;
    case OpCode.addWatch:
      req = { type, path: r.readStringOrEmpty(), mode: r.readInt() };
      break;
    case OpCode.setWatches:
      req = { type, ...readSetWatches(r) };
      break;
    case OpCode.setWatches2:
      req = {
        type,
        ...readSetWatches(r),
        persistentWatches: readStrings(r),
        persistentRecursiveWatches: readStrings(r),
      };
      break;
    case OpCode.auth:
      req = { type, authType: r.readInt(), scheme: r.readStringOrEmpty(), auth: r.readBuffer() };
      break;
    case OpCode.sasl:
      req = { type, token: r.readBuffer() };
      break;
    case OpCode.ping:
    case OpCode.closeSession:
    case OpCode.whoAmI:
      // These carry no record; ZooKeeper ignores anything after the header, and so do we.
      return { type };
    default:
      throw new UnknownOpcodeError(type);
  }
  return req;
}

function writeCreate(w: JuteWriter, v: CreateRequest): void {
  w.writeString(v.path).writeBuffer(v.data);
  writeACLList(w, v.acl);
  w.writeInt(v.flags);
}

function writeMultiOp(w: JuteWriter, op: MultiOp): void {
  writeMultiHeader(w, { type: op.type, done: false, err: -1 });
  switch (op.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      writeCreate(w, op);
      break;
    case OpCode.createTTL:
      writeCreate(w, op);
      w.writeLong(op.ttl);
      break;
    case OpCode.delete:
    case OpCode.check:
      w.writeString(op.path).writeInt(op.version);
      break;
    case OpCode.setData:
      w.writeString(op.path).writeBuffer(op.data).writeInt(op.version);
      break;
    case OpCode.getData:
    case OpCode.getChildren:
      w.writeString(op.path).writeBool(op.watch);
      break;
  }
}

function writeStrings(w: JuteWriter, v: readonly string[]): void {
  w.writeVector(v, (e, s) => e.writeString(s));
}

/** Encodes a request record (without its header); the client side of `decodeRequestBody`. */
export function encodeRequestBody(w: JuteWriter, req: Request): void {
  switch (req.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      writeCreate(w, req);
      return;
    case OpCode.createTTL:
      writeCreate(w, req);
      w.writeLong(req.ttl);
      return;
    case OpCode.delete:
    case OpCode.check:
      w.writeString(req.path).writeInt(req.version);
      return;
    case OpCode.exists:
    case OpCode.getData:
    case OpCode.getChildren:
    case OpCode.getChildren2:
      w.writeString(req.path).writeBool(req.watch);
      return;
    case OpCode.setData:
      w.writeString(req.path).writeBuffer(req.data).writeInt(req.version);
      return;
    case OpCode.getACL:
    case OpCode.sync:
    case OpCode.getAllChildrenNumber:
    case OpCode.getEphemerals:
      w.writeString(req.path);
      return;
    case OpCode.deleteContainer:
      w.writeBuffer(Buffer.from(req.path, "utf8"));
      return;
    case OpCode.setACL:
      w.writeString(req.path);
      writeACLList(w, req.acl);
      w.writeInt(req.version);
      return;
    case OpCode.multi:
    case OpCode.multiRead:
      for (const op of req.ops) writeMultiOp(w, op);
      writeMultiHeader(w, { type: -1, done: true, err: -1 });
      return;
    case OpCode.reconfig:
      w.writeString(req.joiningServers)
        .writeString(req.leavingServers)
        .writeString(req.newMembers)
        .writeLong(req.curConfigId);
      return;
    case OpCode.checkWatches:
    case OpCode.removeWatches:
      w.writeString(req.path).writeInt(req.watcherType);
      return;
    case OpCode.addWatch:
      w.writeString(req.path).writeInt(req.mode);
      return;
    case OpCode.setWatches:
    case OpCode.setWatches2:
      w.writeLong(req.relativeZxid);
      writeStrings(w, req.dataWatches);
      writeStrings(w, req.existWatches);
      writeStrings(w, req.childWatches);
      if (req.type === OpCode.setWatches2) {
        writeStrings(w, req.persistentWatches);
        writeStrings(w, req.persistentRecursiveWatches);
      }
      return;
    case OpCode.auth:
      w.writeInt(req.authType).writeString(req.scheme).writeBuffer(req.auth);
      return;
    case OpCode.sasl:
      w.writeBuffer(req.token);
      return;
    case OpCode.ping:
    case OpCode.closeSession:
    case OpCode.whoAmI:
      return;
  }
}
