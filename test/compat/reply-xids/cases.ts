// The requests the reply-xid test sends, one per opcode a client can put on the wire (and a few it
// should not), each with a body the server can decode, and the xids each is sent with: ordinary
// ones and the fixed xids the Java client uses for notifications, pings, auth and setWatches.
// Paths are unique per probe (caseBase), so probes may run at once on one server without meeting.

import { CreateFlag, OpCode, WatcherType } from "../../../src/protocol/constants.js";
import { JuteWriter } from "../../../src/protocol/jute.js";
import { encodeRequestBody, type Request } from "../../../src/protocol/requests.js";

/** Ordinary xids (first, zero, the largest) and special ones: -1 notification, -2 ping, -4 auth, -8 setWatches. */
export const XIDS = [5, 0, 0x7fffffff, -1, -2, -4, -8, -1000] as const;

export interface RequestCase {
  /** Names the case in the recorded answers; stable across runs. */
  readonly name: string;
  readonly type: number;
  /** The request body for a probe whose paths start with `base`. */
  body(base: string): Buffer;
}

const OPEN = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];

function encoded(make: (base: string) => Request): (base: string) => Buffer {
  return (base) => {
    const w = new JuteWriter();
    encodeRequestBody(w, make(base));
    return w.finish();
  };
}

function known(name: string, make: (base: string) => Request): RequestCase {
  return { name, type: make("/").type, body: encoded(make) };
}

const create = (base: string, type: 1 | 15 | 19) =>
  ({ type, path: base, data: Buffer.from("x"), acl: OPEN, flags: type === 19 ? 4 : 0 }) as Request;

export const CASES: readonly RequestCase[] = [
  known("create", (base) => create(base, OpCode.create)),
  known("create2", (base) => create(base, OpCode.create2)),
  known("createContainer", (base) => create(base, OpCode.createContainer)),
  known("createTTL", (base) => ({
    type: OpCode.createTTL,
    path: base,
    data: null,
    acl: OPEN,
    flags: CreateFlag.PERSISTENT_WITH_TTL,
    ttl: 3_600_000n,
  })),
  known("delete", (base) => ({ type: OpCode.delete, path: base, version: -1 })),
  known("exists", (base) => ({ type: OpCode.exists, path: base, watch: true })),
  known("getData", () => ({ type: OpCode.getData, path: "/", watch: true })),
  known("setData", (base) => ({ type: OpCode.setData, path: base, data: null, version: -1 })),
  known("getACL", () => ({ type: OpCode.getACL, path: "/" })),
  known("setACL", (base) => ({ type: OpCode.setACL, path: base, acl: OPEN, version: -1 })),
  known("getChildren", () => ({ type: OpCode.getChildren, path: "/", watch: false })),
  known("getChildren2", () => ({ type: OpCode.getChildren2, path: "/", watch: false })),
  known("sync", () => ({ type: OpCode.sync, path: "/" })),
  known("ping", () => ({ type: OpCode.ping })),
  known("check", () => ({ type: OpCode.check, path: "/", version: -1 })),
  known("multi", (base) => ({
    type: OpCode.multi,
    ops: [
      { type: OpCode.create, path: base, data: null, acl: OPEN, flags: 0 },
      { type: OpCode.check, path: base, version: 0 },
    ],
  })),
  known("multi-failing", (base) => ({
    type: OpCode.multi,
    ops: [{ type: OpCode.delete, path: base, version: -1 }],
  })),
  known("multiRead", () => ({
    type: OpCode.multiRead,
    ops: [{ type: OpCode.getData, path: "/", watch: false }],
  })),
  known("reconfig", () => ({
    type: OpCode.reconfig,
    joiningServers: null,
    leavingServers: null,
    newMembers: null,
    curConfigId: -1n,
  })),
  known("checkWatches", () => ({ type: OpCode.checkWatches, path: "/", watcherType: WatcherType.Any })),
  known("removeWatches", () => ({ type: OpCode.removeWatches, path: "/", watcherType: WatcherType.Data })),
  known("deleteContainer", (base) => ({ type: OpCode.deleteContainer, path: base })),
  known("auth-digest", () => ({
    type: OpCode.auth,
    authType: 0,
    scheme: "digest",
    auth: Buffer.from("user:password"),
  })),
  known("auth-digest-no-colon", () => ({
    type: OpCode.auth,
    authType: 0,
    scheme: "digest",
    auth: Buffer.from("blah"),
  })),
  known("auth-ip", () => ({ type: OpCode.auth, authType: 0, scheme: "ip", auth: Buffer.alloc(0) })),
  known("auth-unknown-scheme", () => ({
    type: OpCode.auth,
    authType: 0,
    scheme: "nosuch",
    auth: Buffer.from("x"),
  })),
  known("setWatches", (base) => ({
    type: OpCode.setWatches,
    relativeZxid: 0n,
    dataWatches: [],
    existWatches: [base],
    childWatches: [],
  })),
  known("setWatches2", (base) => ({
    type: OpCode.setWatches2,
    relativeZxid: 0n,
    dataWatches: [],
    existWatches: [base],
    childWatches: [],
    persistentWatches: [`${base}-p`],
    persistentRecursiveWatches: [],
  })),
  known("sasl", () => ({ type: OpCode.sasl, token: Buffer.alloc(0) })),
  known("getEphemerals", () => ({ type: OpCode.getEphemerals, path: "/" })),
  known("getAllChildrenNumber", () => ({ type: OpCode.getAllChildrenNumber, path: "/" })),
  known("addWatch", (base) => ({ type: OpCode.addWatch, path: base, mode: 1 })),
  known("whoAmI", () => ({ type: OpCode.whoAmI })),
  known("closeSession", () => ({ type: OpCode.closeSession })),
  { name: "unknown-opcode-999", type: 999, body: () => Buffer.alloc(0) },
];

/** The path a probe's request works under, from the probe's name: unique per probe. */
export function caseBase(probeName: string): string {
  return `/reply-xids-${probeName.replaceAll("-", "m").replace(/[^a-zA-Z0-9]+/g, "-")}`;
}
