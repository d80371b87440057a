// Loads the golden cases that Apache ZooKeeper's own jute classes produced (see
// test/fixtures/golden/GoldenBytes.java) and binds each one to the Paddock codec for its record, so
// tests can decode, compare and re-encode every case the same way. Fixture field names are
// ZooKeeper's; the few places where our TypeScript names differ are mapped here, in one table.

import { readFileSync } from "node:fs";
import {
  readConnectRequest,
  readConnectResponse,
  writeConnectRequest,
  writeConnectResponse,
} from "../../../src/protocol/connect.js";
import {
  type ACL,
  type ClientInfo,
  type Id,
  readACL,
  readClientInfo,
  readId,
  readStat,
  type Stat,
  writeACL,
  writeClientInfo,
  writeId,
  writeStat,
} from "../../../src/protocol/data.js";
import { readWatcherEvent, type WatcherEvent, writeWatcherEvent } from "../../../src/protocol/events.js";
import type { JuteReader, JuteWriter } from "../../../src/protocol/jute.js";
import {
  decodeRequestBody,
  encodeRequestBody,
  type MultiHeader,
  type Request,
  type RequestHeader,
  readMultiHeader,
  readRequestHeader,
  writeMultiHeader,
  writeRequestHeader,
} from "../../../src/protocol/requests.js";
import {
  decodeResponseBody,
  encodeResponseBody,
  RESPONSE_RECORD_NAMES,
  type ReplyHeader,
  type Response,
  type ResponseRecordName,
  readReplyHeader,
  writeReplyHeader,
} from "../../../src/protocol/responses.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface GoldenCase {
  readonly name: string;
  /** ZooKeeper's Java class name, e.g. "CreateRequest", "MultiOperationRecord". */
  readonly record: string;
  /** The opcode a request record (or a multi record) was written for. */
  readonly opcode?: number;
  readonly fields: { [key: string]: Json };
  readonly hex: string;
}

// Compiled to dist/test/unit/protocol/, four levels below the repository root; fixtures are not
// copied into dist, so they are read from the source tree.
const FIXTURE_URL = new URL("../../../../test/fixtures/golden/jute-golden.json", import.meta.url);

export const goldenCases: readonly GoldenCase[] = (
  JSON.parse(readFileSync(FIXTURE_URL, "utf8")) as { cases: GoldenCase[] }
).cases;

export function goldenCase(name: string): GoldenCase {
  const found = goldenCases.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no golden case named ${JSON.stringify(name)}`);
  return found;
}

export function goldenBytes(c: GoldenCase): Buffer {
  return Buffer.from(c.hex, "hex");
}

/**
 * Cases where ZooKeeper wrote null (length -1) into a field our types make non-null: we read them
 * as "" or [], which is what ZooKeeper's server does with them too (it treats a null path as a bad
 * path and a null watch list as none). Re-encoding these writes 0 instead of -1.
 */
export const NULL_READS_AS_EMPTY: ReadonlySet<string> = new Set([
  "Id with null scheme and id",
  "CreateRequest null path",
  "GetDataRequest null path",
  "SetWatches null lists",
]);

/**
 * ZooKeeper 3.8's BinaryOutputArchive encodes each UTF-16 unit separately, so a character outside
 * the BMP becomes two 3-byte surrogate encodings (CESU-8), which no UTF-8 decoder accepts.
 */
export const CESU8_CASES: ReadonlySet<string> = new Set(["Id with a non-BMP character (surrogate pair)"]);

export interface RecordCodec {
  decode(r: JuteReader): unknown;
  encode(w: JuteWriter, value: unknown): void;
}

const RESPONSE_RECORDS: ReadonlySet<string> = new Set(RESPONSE_RECORD_NAMES);

const DATA_CODECS: Readonly<Record<string, RecordCodec>> = {
  Id: { decode: readId, encode: (w, v) => writeId(w, v as Id) },
  ACL: { decode: readACL, encode: (w, v) => writeACL(w, v as ACL) },
  ClientInfo: { decode: readClientInfo, encode: (w, v) => writeClientInfo(w, v as ClientInfo) },
  Stat: { decode: readStat, encode: (w, v) => writeStat(w, v as Stat) },
  MultiHeader: { decode: readMultiHeader, encode: (w, v) => writeMultiHeader(w, v as MultiHeader) },
  RequestHeader: { decode: readRequestHeader, encode: (w, v) => writeRequestHeader(w, v as RequestHeader) },
  ReplyHeader: { decode: readReplyHeader, encode: (w, v) => writeReplyHeader(w, v as ReplyHeader) },
  ConnectRequest: {
    decode: readConnectRequest,
    encode: (w, v) => writeConnectRequest(w, v as Parameters<typeof writeConnectRequest>[1]),
  },
  ConnectResponse: {
    decode: readConnectResponse,
    encode: (w, v) => writeConnectResponse(w, v as Parameters<typeof writeConnectResponse>[1]),
  },
  WatcherEvent: { decode: readWatcherEvent, encode: (w, v) => writeWatcherEvent(w, v as WatcherEvent) },
};

function isResponse(c: GoldenCase): boolean {
  return RESPONSE_RECORDS.has(c.record);
}

export function codecFor(c: GoldenCase): RecordCodec {
  const data = DATA_CODECS[c.record];
  if (data !== undefined) return data;
  if (isResponse(c)) {
    const record = c.record as ResponseRecordName;
    return {
      decode: (r) => decodeResponseBody(record, r),
      encode: (w, v) => encodeResponseBody(w, v as Response),
    };
  }
  const opcode = c.opcode;
  if (opcode === undefined) throw new Error(`golden case ${c.name}: no codec for record ${c.record}`);
  return {
    decode: (r) => decodeRequestBody(opcode, r),
    encode: (w, v) => encodeRequestBody(w, v as Request),
  };
}

const LONG_FIELDS = new Set([
  "zxid",
  "czxid",
  "mzxid",
  "ctime",
  "mtime",
  "ephemeralOwner",
  "pzxid",
  "lastZxidSeen",
  "sessionId",
  "ttl",
  "curConfigId",
  "relativeZxid",
]);
const BUFFER_FIELDS = new Set(["data", "passwd", "auth", "token"]);
const STRING_LIST_FIELDS = new Set(["dataWatches", "existWatches", "childWatches"]);

/** ZooKeeper field name -> our field name, per record, where they differ. */
const RENAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  CheckWatchesRequest: { type: "watcherType" },
  RemoveWatchesRequest: { type: "watcherType" },
  AuthPacket: { type: "authType" },
  GetEphemeralsRequest: { prefixPath: "path" },
};

function convert(value: Json, key: string | undefined, nullAsEmpty: boolean): unknown {
  if (value === null) {
    if (!nullAsEmpty || key === undefined || BUFFER_FIELDS.has(key)) return null;
    return STRING_LIST_FIELDS.has(key) ? [] : "";
  }
  if (Array.isArray(value)) return value.map((e) => convert(e, undefined, nullAsEmpty));
  if (typeof value === "object") return convertFields(value, {}, nullAsEmpty);
  if (typeof value === "string" && key !== undefined) {
    if (LONG_FIELDS.has(key)) return BigInt(value);
    if (BUFFER_FIELDS.has(key)) return Buffer.from(value, "hex");
  }
  return value;
}

function convertFields(
  fields: { [key: string]: Json },
  renames: Readonly<Record<string, string>>,
  nullAsEmpty: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields))
    out[renames[key] ?? key] = convert(value, key, nullAsEmpty);
  return out;
}

/** The value our decoder should produce for a case, built from ZooKeeper's field values. */
export function expectedValue(c: GoldenCase): unknown {
  const fields = convertFields(c.fields, RENAMES[c.record] ?? {}, NULL_READS_AS_EMPTY.has(c.name));
  if (c.record === "ConnectRequest" || c.record === "ConnectResponse") {
    // Our decoder always has the key; undefined means the optional byte was absent.
    return { ...fields, readOnly: fields.readOnly };
  }
  if (isResponse(c)) return { record: c.record, ...fields };
  if (c.opcode !== undefined) return { type: c.opcode, ...fields };
  return fields;
}
