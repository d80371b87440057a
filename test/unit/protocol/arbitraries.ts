// fast-check generators for every protocol record, spanning each field's whole wire range: all 32-
// and 64-bit values, null and empty buffers and lists, and strings of any Unicode code point. Kept
// apart from the tests so other suites (server, client) can generate valid protocol traffic too.

import fc from "fast-check";
import type { ConnectRequest, ConnectResponse } from "../../../src/protocol/connect.js";
import { OpCode } from "../../../src/protocol/constants.js";
import type { ACL, ClientInfo, Id, Stat } from "../../../src/protocol/data.js";
import type { WatcherEvent } from "../../../src/protocol/events.js";
import type { MultiHeader, MultiOp, Request, RequestHeader } from "../../../src/protocol/requests.js";
import type { MultiResult, ReplyHeader, Response } from "../../../src/protocol/responses.js";

/** Records with an ordinary prototype, as our decoders build them (assert's deep equality checks it). */
function record<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true });
}

export const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
export const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
/** Any code point except lone surrogates, which UTF-8 cannot carry. */
export const ustring = fc.string({ unit: "binary", maxLength: 24 });
export const buffer = fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b));
export const nullableBuffer = fc.option(buffer, { nil: null });
export const nullableString = fc.option(ustring, { nil: null });
const strings = fc.array(ustring, { maxLength: 5 });
const nullableStrings = fc.option(strings, { nil: null });

export const id: fc.Arbitrary<Id> = record({ scheme: ustring, id: ustring });
export const acl: fc.Arbitrary<ACL> = record({ perms: int32, id });
export const aclList = fc.option(fc.array(acl, { maxLength: 4 }), { nil: null });
export const clientInfo: fc.Arbitrary<ClientInfo> = record({ authScheme: ustring, user: ustring });

export const stat: fc.Arbitrary<Stat> = record({
  czxid: int64,
  mzxid: int64,
  ctime: int64,
  mtime: int64,
  version: int32,
  cversion: int32,
  aversion: int32,
  ephemeralOwner: int64,
  dataLength: int32,
  numChildren: int32,
  pzxid: int64,
});

export const requestHeader: fc.Arbitrary<RequestHeader> = record({ xid: int32, type: int32 });
export const replyHeader: fc.Arbitrary<ReplyHeader> = record({ xid: int32, zxid: int64, err: int32 });
export const multiHeader: fc.Arbitrary<MultiHeader> = record({ type: int32, done: fc.boolean(), err: int32 });
export const watcherEvent: fc.Arbitrary<WatcherEvent> = record({ type: int32, state: int32, path: ustring });

const readOnlyByte = fc.option(fc.boolean(), { nil: undefined });

export const connectRequest: fc.Arbitrary<ConnectRequest> = record({
  protocolVersion: int32,
  lastZxidSeen: int64,
  timeOut: int32,
  sessionId: int64,
  passwd: buffer,
  readOnly: readOnlyByte,
});

export const connectResponse: fc.Arbitrary<ConnectResponse> = record({
  protocolVersion: int32,
  timeOut: int32,
  sessionId: int64,
  passwd: buffer,
  readOnly: readOnlyByte,
});

const createFields = { path: ustring, data: nullableBuffer, acl: aclList, flags: int32 };
const pathVersion = { path: ustring, version: int32 };
const pathWatch = { path: ustring, watch: fc.boolean() };
const setDataFields = { path: ustring, data: nullableBuffer, version: int32 };

const writeOp: fc.Arbitrary<MultiOp> = fc.oneof(
  record({ type: fc.constantFrom(OpCode.create, OpCode.create2, OpCode.createContainer), ...createFields }),
  record({ type: fc.constant(OpCode.createTTL), ...createFields, ttl: int64 }),
  record({ type: fc.constantFrom(OpCode.delete, OpCode.check), ...pathVersion }),
  record({ type: fc.constant(OpCode.setData), ...setDataFields }),
);
const readOp: fc.Arbitrary<MultiOp> = record({
  type: fc.constantFrom(OpCode.getData, OpCode.getChildren),
  ...pathWatch,
});

const setWatchesFields = {
  relativeZxid: int64,
  dataWatches: strings,
  existWatches: strings,
  childWatches: strings,
};

export const request: fc.Arbitrary<Request> = fc.oneof(
  record({ type: fc.constantFrom(OpCode.create, OpCode.create2, OpCode.createContainer), ...createFields }),
  record({ type: fc.constant(OpCode.createTTL), ...createFields, ttl: int64 }),
  record({ type: fc.constantFrom(OpCode.delete, OpCode.check), ...pathVersion }),
  record({
    type: fc.constantFrom(OpCode.exists, OpCode.getData, OpCode.getChildren, OpCode.getChildren2),
    ...pathWatch,
  }),
  record({ type: fc.constant(OpCode.setData), ...setDataFields }),
  record({
    type: fc.constantFrom(
      OpCode.getACL,
      OpCode.sync,
      OpCode.getAllChildrenNumber,
      OpCode.getEphemerals,
      OpCode.deleteContainer,
    ),
    path: ustring,
  }),
  record({ type: fc.constant(OpCode.setACL), path: ustring, acl: aclList, version: int32 }),
  record({ type: fc.constant(OpCode.multi), ops: fc.array(writeOp, { maxLength: 5 }) }),
  record({ type: fc.constant(OpCode.multiRead), ops: fc.array(readOp, { maxLength: 5 }) }),
  record({
    type: fc.constant(OpCode.reconfig),
    joiningServers: nullableString,
    leavingServers: nullableString,
    newMembers: nullableString,
    curConfigId: int64,
  }),
  record({
    type: fc.constantFrom(OpCode.checkWatches, OpCode.removeWatches),
    path: ustring,
    watcherType: int32,
  }),
  record({ type: fc.constant(OpCode.addWatch), path: ustring, mode: int32 }),
  record({ type: fc.constant(OpCode.setWatches), ...setWatchesFields }),
  record({
    type: fc.constant(OpCode.setWatches2),
    ...setWatchesFields,
    persistentWatches: strings,
    persistentRecursiveWatches: strings,
  }),
  record({ type: fc.constant(OpCode.auth), authType: int32, scheme: ustring, auth: nullableBuffer }),
  record({ type: fc.constant(OpCode.sasl), token: nullableBuffer }),
  record({ type: fc.constantFrom(OpCode.ping, OpCode.closeSession, OpCode.whoAmI) }),
);

export const multiResult: fc.Arbitrary<MultiResult> = fc.oneof(
  record({ type: fc.constant(OpCode.create), path: ustring }),
  record({ type: fc.constant(OpCode.create2), path: ustring, stat }),
  record({ type: fc.constantFrom(OpCode.delete, OpCode.check) }),
  record({ type: fc.constant(OpCode.setData), stat }),
  record({ type: fc.constant(OpCode.getData), data: nullableBuffer, stat }),
  record({ type: fc.constant(OpCode.getChildren), children: strings }),
  record({ type: fc.constant(OpCode.error), err: int32 }),
);

export const response: fc.Arbitrary<Response> = fc.oneof(
  record({ record: fc.constantFrom("CreateResponse" as const, "SyncResponse" as const), path: ustring }),
  record({ record: fc.constant("Create2Response" as const), path: ustring, stat }),
  record({
    record: fc.constantFrom("ExistsResponse" as const, "SetDataResponse" as const, "SetACLResponse" as const),
    stat,
  }),
  record({ record: fc.constant("GetDataResponse" as const), data: nullableBuffer, stat }),
  record({ record: fc.constant("GetACLResponse" as const), acl: aclList, stat }),
  record({ record: fc.constant("GetChildrenResponse" as const), children: nullableStrings }),
  record({ record: fc.constant("GetChildren2Response" as const), children: nullableStrings, stat }),
  record({ record: fc.constant("MultiResponse" as const), results: fc.array(multiResult, { maxLength: 5 }) }),
  record({ record: fc.constant("GetEphemeralsResponse" as const), ephemerals: nullableStrings }),
  record({ record: fc.constant("GetAllChildrenNumberResponse" as const), totalNumber: int32 }),
  record({
    record: fc.constant("WhoAmIResponse" as const),
    clientInfo: fc.option(fc.array(clientInfo, { maxLength: 4 }), { nil: null }),
  }),
  record({ record: fc.constant("ErrorResponse" as const), err: int32 }),
  record({ record: fc.constant("SetSASLResponse" as const), token: nullableBuffer }),
);
