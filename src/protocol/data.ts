// The data records shared by many messages (module org.apache.zookeeper.data in zookeeper.jute):
// Id, ACL, Stat, ClientInfo. Field order is the wire order.

import type { JuteReader, JuteWriter } from "./jute.js";

export interface Id {
  readonly scheme: string;
  readonly id: string;
}

export interface ACL {
  readonly perms: number;
  readonly id: Id;
}

export interface ClientInfo {
  readonly authScheme: string;
  readonly user: string;
}

/** The 68-byte Stat a client sees; ephemeralOwner is already masked for container/TTL nodes. */
export interface Stat {
  czxid: bigint;
  mzxid: bigint;
  ctime: bigint;
  mtime: bigint;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: bigint;
}

export const STAT_BYTES = 68;

export const ANYONE_ID: Id = { scheme: "world", id: "anyone" };
export const AUTH_IDS: Id = { scheme: "auth", id: "" };
export const OPEN_ACL_UNSAFE: readonly ACL[] = [{ perms: 31, id: ANYONE_ID }];
export const CREATOR_ALL_ACL: readonly ACL[] = [{ perms: 31, id: AUTH_IDS }];
export const READ_ACL_UNSAFE: readonly ACL[] = [{ perms: 1, id: ANYONE_ID }];

export function readId(r: JuteReader): Id {
  return { scheme: r.readStringOrEmpty(), id: r.readStringOrEmpty() };
}

export function writeId(w: JuteWriter, v: Id): void {
  w.writeString(v.scheme).writeString(v.id);
}

export function readACL(r: JuteReader): ACL {
  return { perms: r.readInt(), id: readId(r) };
}

export function writeACL(w: JuteWriter, v: ACL): void {
  w.writeInt(v.perms);
  writeId(w, v.id);
}

export function readACLList(r: JuteReader): ACL[] | null {
  return r.readVector(readACL);
}

export function writeACLList(w: JuteWriter, v: readonly ACL[] | null): void {
  w.writeVector(v, writeACL);
}

export function readClientInfo(r: JuteReader): ClientInfo {
  return { authScheme: r.readStringOrEmpty(), user: r.readStringOrEmpty() };
}

export function writeClientInfo(w: JuteWriter, v: ClientInfo): void {
  w.writeString(v.authScheme).writeString(v.user);
}

export function readStat(r: JuteReader): Stat {
  return {
    czxid: r.readLong(),
    mzxid: r.readLong(),
    ctime: r.readLong(),
    mtime: r.readLong(),
    version: r.readInt(),
    cversion: r.readInt(),
    aversion: r.readInt(),
    ephemeralOwner: r.readLong(),
    dataLength: r.readInt(),
    numChildren: r.readInt(),
    pzxid: r.readLong(),
  };
}

export function writeStat(w: JuteWriter, v: Stat): void {
  w.writeLong(v.czxid)
    .writeLong(v.mzxid)
    .writeLong(v.ctime)
    .writeLong(v.mtime)
    .writeInt(v.version)
    .writeInt(v.cversion)
    .writeInt(v.aversion)
    .writeLong(v.ephemeralOwner)
    .writeInt(v.dataLength)
    .writeInt(v.numChildren)
    .writeLong(v.pzxid);
}
