// The data records shared by many messages (module org.apache.zookeeper.data in zookeeper.jute):
// Id, ACL, Stat, ClientInfo. Field order is the wire order.

import type { JuteReader, JuteWriter } from "./jute.js";

/** An identity in an ACL or on a connection, such as `world:anyone`, `digest:alice:<hash>`, `ip:10.0.0.0/8`. */
export interface Id {
  /** The authentication scheme: world, auth, digest, ip, super, ... */
  readonly scheme: string;
  /** The identity within the scheme; its format depends on the scheme. */
  readonly id: string;
}

/** One entry of a znode's access control list: which permissions an identity has. */
export interface ACL {
  /** A bit set of Perms: READ 1, WRITE 2, CREATE 4, DELETE 8, ADMIN 16 (ALL 31). */
  readonly perms: number;
  /** Who the permissions are granted to. */
  readonly id: Id;
}

/** One identity of the calling connection, as whoAmI reports it. */
export interface ClientInfo {
  /** The scheme the identity was established with (ip, digest, super, ...). */
  readonly authScheme: string;
  /** The user name for digest, the address for ip. */
  readonly user: string;
}

/** The 68-byte Stat a client sees; ephemeralOwner is already masked for container/TTL nodes. */
export interface Stat {
  /** zxid of the transaction that created the node. */
  czxid: bigint;
  /** zxid of the last setData (equal to czxid until the first one). */
  mzxid: bigint;
  /** Creation time, milliseconds since the Unix epoch, by the leader's clock. */
  ctime: bigint;
  /** Time of the last setData, milliseconds since the Unix epoch. */
  mtime: bigint;
  /** Data version: +1 on every setData; the version that setData and delete check. */
  version: number;
  /** Child version: the number of child creations and deletions. */
  cversion: number;
  /** ACL version: +1 on every setACL; the version setACL checks. */
  aversion: number;
  /** The owning session id for an ephemeral node; 0 for every other kind. */
  ephemeralOwner: bigint;
  /** Length of the data in bytes (0 for null data). */
  dataLength: number;
  /** Number of children now. */
  numChildren: number;
  /** zxid of the last child creation or deletion. */
  pzxid: bigint;
}

export const STAT_BYTES = 68;

/** `world:anyone`: matches every connection. */
export const ANYONE_ID: Id = { scheme: "world", id: "anyone" };
/** `auth:`: in a create or setACL, stands for every identity the caller authenticated with. */
export const AUTH_IDS: Id = { scheme: "auth", id: "" };
/** Everything for everyone. */
export const OPEN_ACL_UNSAFE: readonly ACL[] = [{ perms: 31, id: ANYONE_ID }];
/** Everything for the creator's authenticated identities only (INVALIDACL if there are none). */
export const CREATOR_ALL_ACL: readonly ACL[] = [{ perms: 31, id: AUTH_IDS }];
/** Read-only for everyone. */
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
