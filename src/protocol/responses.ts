// Every response record a server sends, and its codec. A reply frame is a ReplyHeader followed, on
// success only, by one of these records; which record depends on the request (reconfig answers with a
// GetDataResponse, addWatch with an ErrorResponse), so responses are tagged by record name.

import { OpCode } from "./constants.js";
import {
  type ACL,
  type ClientInfo,
  readACLList,
  readClientInfo,
  readStat,
  type Stat,
  writeACLList,
  writeClientInfo,
  writeStat,
} from "./data.js";
import { JuteDecodeError, type JuteReader, type JuteWriter } from "./jute.js";
import { readMultiHeader, writeMultiHeader } from "./requests.js";

export interface ReplyHeader {
  readonly xid: number;
  readonly zxid: bigint;
  readonly err: number;
}

export const REPLY_HEADER_BYTES = 16;

export function readReplyHeader(r: JuteReader): ReplyHeader {
  return { xid: r.readInt(), zxid: r.readLong(), err: r.readInt() };
}

export function writeReplyHeader(w: JuteWriter, v: ReplyHeader): void {
  w.writeInt(v.xid).writeLong(v.zxid).writeInt(v.err);
}

/** One entry of a MultiResponse: tagged with the sub-result type that MultiHeader.type carries. */
export type MultiResult =
  | { readonly type: typeof OpCode.create; readonly path: string }
  | { readonly type: typeof OpCode.create2; readonly path: string; readonly stat: Stat }
  | { readonly type: typeof OpCode.delete }
  | { readonly type: typeof OpCode.setData; readonly stat: Stat }
  | { readonly type: typeof OpCode.check }
  | { readonly type: typeof OpCode.getData; readonly data: Buffer | null; readonly stat: Stat }
  | { readonly type: typeof OpCode.getChildren; readonly children: readonly string[] }
  | { readonly type: typeof OpCode.error; readonly err: number };

export type Response =
  | { readonly record: "CreateResponse"; readonly path: string }
  | { readonly record: "Create2Response"; readonly path: string; readonly stat: Stat }
  | { readonly record: "ExistsResponse"; readonly stat: Stat }
  | { readonly record: "GetDataResponse"; readonly data: Buffer | null; readonly stat: Stat }
  | { readonly record: "SetDataResponse"; readonly stat: Stat }
  | { readonly record: "GetACLResponse"; readonly acl: readonly ACL[] | null; readonly stat: Stat }
  | { readonly record: "SetACLResponse"; readonly stat: Stat }
  | { readonly record: "GetChildrenResponse"; readonly children: readonly string[] | null }
  | {
      readonly record: "GetChildren2Response";
      readonly children: readonly string[] | null;
      readonly stat: Stat;
    }
  | { readonly record: "SyncResponse"; readonly path: string }
  | { readonly record: "MultiResponse"; readonly results: readonly MultiResult[] }
  | { readonly record: "GetEphemeralsResponse"; readonly ephemerals: readonly string[] | null }
  | { readonly record: "GetAllChildrenNumberResponse"; readonly totalNumber: number }
  | { readonly record: "WhoAmIResponse"; readonly clientInfo: readonly ClientInfo[] | null }
  | { readonly record: "ErrorResponse"; readonly err: number }
  | { readonly record: "SetSASLResponse"; readonly token: Buffer | null };

export type ResponseRecordName = Response["record"];

/** Every response record name, for code that must cover them all. */
export const RESPONSE_RECORD_NAMES: readonly ResponseRecordName[] = [
  "CreateResponse",
  "Create2Response",
  "ExistsResponse",
  "GetDataResponse",
  "SetDataResponse",
  "GetACLResponse",
  "SetACLResponse",
  "GetChildrenResponse",
  "GetChildren2Response",
  "SyncResponse",
  "MultiResponse",
  "GetEphemeralsResponse",
  "GetAllChildrenNumberResponse",
  "WhoAmIResponse",
  "ErrorResponse",
  "SetSASLResponse",
];
export type ResponseOf<R extends ResponseRecordName> = Extract<Response, { record: R }>;

function writeStrings(w: JuteWriter, v: readonly string[] | null): void {
  w.writeVector(v, (e, s) => e.writeString(s));
}

function readStrings(r: JuteReader): string[] | null {
  return r.readVector((e) => e.readStringOrEmpty());
}

function writeMultiResult(w: JuteWriter, v: MultiResult): void {
  writeMultiHeader(w, { type: v.type, done: false, err: v.type === OpCode.error ? v.err : 0 });
  switch (v.type) {
    case OpCode.create:
      w.writeString(v.path);
      return;
    case OpCode.create2:
      w.writeString(v.path);
      writeStat(w, v.stat);
      return;
    case OpCode.setData:
      writeStat(w, v.stat);
      return;
    case OpCode.getData:
      w.writeBuffer(v.data);
      writeStat(w, v.stat);
      return;
    case OpCode.getChildren:
      writeStrings(w, v.children);
      return;
    case OpCode.error:
      w.writeInt(v.err);
      return;
    case OpCode.delete:
    case OpCode.check:
      return;
  }
}

function readMultiResult(r: JuteReader, type: number): MultiResult {
  switch (type) {
    case OpCode.create:
      return { type, path: r.readStringOrEmpty() };
    case OpCode.create2:
      return { type, path: r.readStringOrEmpty(), stat: readStat(r) };
    case OpCode.setData:
      return { type, stat: readStat(r) };
    case OpCode.getData:
      return { type, data: r.readBuffer(), stat: readStat(r) };
    case OpCode.getChildren:
      return { type, children: readStrings(r) ?? [] };
    case OpCode.error:
      return { type, err: r.readInt() };
    case OpCode.delete:
    case OpCode.check:
      return { type };
    default:
      throw new JuteDecodeError(`unknown multi result type ${type}`);
  }
}

export function encodeResponseBody(w: JuteWriter, v: Response): void {
  switch (v.record) {
    case "CreateResponse":
    case "SyncResponse":
      w.writeString(v.path);
      return;
    case "Create2Response":
      w.writeString(v.path);
      writeStat(w, v.stat);
      return;
    case "ExistsResponse":
    case "SetDataResponse":
    case "SetACLResponse":
      writeStat(w, v.stat);
      return;
    case "GetDataResponse":
      w.writeBuffer(v.data);
      writeStat(w, v.stat);
      return;
    case "GetACLResponse":
      writeACLList(w, v.acl);
      writeStat(w, v.stat);
      return;
    case "GetChildrenResponse":
      writeStrings(w, v.children);
      return;
    case "GetChildren2Response":
      writeStrings(w, v.children);
      writeStat(w, v.stat);
      return;
    case "MultiResponse":
      for (const result of v.results) writeMultiResult(w, result);
      writeMultiHeader(w, { type: -1, done: true, err: -1 });
      return;
    case "GetEphemeralsResponse":
      writeStrings(w, v.ephemerals);
      return;
    case "GetAllChildrenNumberResponse":
      w.writeInt(v.totalNumber);
      return;
    case "WhoAmIResponse":
      w.writeVector(v.clientInfo, writeClientInfo);
      return;
    case "ErrorResponse":
      w.writeInt(v.err);
      return;
    case "SetSASLResponse":
      w.writeBuffer(v.token);
      return;
  }
}

/** Bounds a MultiResponse so a hostile peer cannot make the decoder loop without end. */
const MULTI_RESULTS_MAX = 1 << 20;

export function decodeResponseBody<R extends ResponseRecordName>(record: R, r: JuteReader): ResponseOf<R>;
export function decodeResponseBody(record: ResponseRecordName, r: JuteReader): Response {
  switch (record) {
    case "CreateResponse":
    case "SyncResponse":
      return { record, path: r.readStringOrEmpty() };
    case "Create2Response":
      return { record, path: r.readStringOrEmpty(), stat: readStat(r) };
    case "ExistsResponse":
    case "SetDataResponse":
    case "SetACLResponse":
      return { record, stat: readStat(r) };
    case "GetDataResponse":
      return { record, data: r.readBuffer(), stat: readStat(r) };
    case "GetACLResponse":
      return { record, acl: readACLList(r), stat: readStat(r) };
    case "GetChildrenResponse":
      return { record, children: readStrings(r) };
    case "GetChildren2Response":
      return { record, children: readStrings(r), stat: readStat(r) };
    case "MultiResponse": {
      const results: MultiResult[] = [];
      for (;;) {
        const h = readMultiHeader(r);
        if (h.done) break;
        if (results.length >= MULTI_RESULTS_MAX) throw new JuteDecodeError("too many results in multi");
        results.push(readMultiResult(r, h.type));
      }
      return { record, results };
    }
    case "GetEphemeralsResponse":
      return { record, ephemerals: readStrings(r) };
    case "GetAllChildrenNumberResponse":
      return { record, totalNumber: r.readInt() };
    case "WhoAmIResponse":
      return { record, clientInfo: r.readVector(readClientInfo) };
    case "ErrorResponse":
      return { record, err: r.readInt() };
    case "SetSASLResponse":
      return { record, token: r.readBuffer() };
  }
}
