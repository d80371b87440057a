// The numeric facts of ZooKeeper's client protocol in one place: opcodes, error codes, watch event
// types, keeper states, create modes, permissions and special xids. Every number here is a wire
// value that existing clients depend on; names follow ZooKeeper's Java constants.

export const OpCode = {
  notification: 0,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  reconfig: 16,
  checkWatches: 17,
  removeWatches: 18,
  createContainer: 19,
  deleteContainer: 20,
  createTTL: 21,
  multiRead: 22,
  auth: 100,
  setWatches: 101,
  sasl: 102,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  setWatches2: 105,
  addWatch: 106,
  whoAmI: 107,
  createSession: -10,
  closeSession: -11,
  error: -1,
} as const;
export type OpCodeName = keyof typeof OpCode;
export type OpCodeValue = (typeof OpCode)[OpCodeName];

const opNamesByCode = new Map<number, OpCodeName>(
  Object.entries(OpCode).map(([name, code]) => [code, name as OpCodeName]),
);
export function opName(code: number): OpCodeName | undefined {
  return opNamesByCode.get(code);
}

interface ErrorInfo {
  readonly code: number;
  readonly message: string;
}

/** ZooKeeper's KeeperException.Code table; never invent a code: Java clients reject unknown ones. */
export const ErrorCodes = {
  OK: { code: 0, message: "ok" },
  SYSTEMERROR: { code: -1, message: "system error" },
  RUNTIMEINCONSISTENCY: { code: -2, message: "runtime inconsistency" },
  DATAINCONSISTENCY: { code: -3, message: "data inconsistency" },
  CONNECTIONLOSS: { code: -4, message: "connection loss" },
  MARSHALLINGERROR: { code: -5, message: "marshalling error" },
  UNIMPLEMENTED: { code: -6, message: "unimplemented" },
  OPERATIONTIMEOUT: { code: -7, message: "operation timeout" },
  BADARGUMENTS: { code: -8, message: "bad arguments" },
  UNKNOWNSESSION: { code: -12, message: "unknown session" },
  NEWCONFIGNOQUORUM: { code: -13, message: "new config has no quorum" },
  RECONFIGINPROGRESS: { code: -14, message: "another reconfiguration is in progress" },
  APIERROR: { code: -100, message: "api error" },
  NONODE: { code: -101, message: "no node" },
  NOAUTH: { code: -102, message: "not authenticated" },
  BADVERSION: { code: -103, message: "bad version" },
  NOCHILDRENFOREPHEMERALS: { code: -108, message: "ephemeral nodes may not have children" },
  NODEEXISTS: { code: -110, message: "node exists" },
  NOTEMPTY: { code: -111, message: "directory not empty" },
  SESSIONEXPIRED: { code: -112, message: "session expired" },
  INVALIDCALLBACK: { code: -113, message: "invalid callback" },
  INVALIDACL: { code: -114, message: "invalid ACL" },
  AUTHFAILED: { code: -115, message: "authentication failed" },
  SESSIONMOVED: { code: -118, message: "session moved" },
  NOTREADONLY: { code: -119, message: "not a read-only call" },
  EPHEMERALONLOCALSESSION: { code: -120, message: "ephemeral node on local session" },
  NOWATCHER: { code: -121, message: "no watcher" },
  REQUESTTIMEOUT: { code: -122, message: "request timeout" },
  RECONFIGDISABLED: { code: -123, message: "reconfig is disabled" },
  SESSIONCLOSEDREQUIRESASLAUTH: {
    code: -124,
    message: "session closed because client failed to authenticate",
  },
  QUOTAEXCEEDED: { code: -125, message: "quota has exceeded" },
  THROTTLEDOP: { code: -127, message: "op throttled due to high load" },
} as const satisfies Record<string, ErrorInfo>;
export type ErrorName = keyof typeof ErrorCodes;

/** Error codes by name, as plain numbers: `Err.NONODE === -101`. */
export const Err = Object.fromEntries(
  Object.entries(ErrorCodes).map(([name, info]) => [name, info.code]),
) as {
  readonly [K in ErrorName]: (typeof ErrorCodes)[K]["code"];
};

const errorNamesByCode = new Map<number, ErrorName>(
  Object.entries(ErrorCodes).map(([name, info]) => [info.code, name as ErrorName]),
);
export function errorName(code: number): ErrorName | undefined {
  return errorNamesByCode.get(code);
}

export const EventType = {
  None: -1,
  NodeCreated: 1,
  NodeDeleted: 2,
  NodeDataChanged: 3,
  NodeChildrenChanged: 4,
  DataWatchRemoved: 5,
  ChildWatchRemoved: 6,
  PersistentWatchRemoved: 7,
} as const;
export type EventTypeValue = (typeof EventType)[keyof typeof EventType];

export const KeeperState = {
  Unknown: -1,
  Disconnected: 0,
  NoSyncConnected: 1,
  SyncConnected: 3,
  AuthFailed: 4,
  ConnectedReadOnly: 5,
  SaslAuthenticated: 6,
  Closed: 7,
  Expired: -112,
} as const;

/** CreateMode flag values; the server derives node behaviour from these, not from the opcode. */
export const CreateFlag = {
  PERSISTENT: 0,
  EPHEMERAL: 1,
  PERSISTENT_SEQUENTIAL: 2,
  EPHEMERAL_SEQUENTIAL: 3,
  CONTAINER: 4,
  PERSISTENT_WITH_TTL: 5,
  PERSISTENT_SEQUENTIAL_WITH_TTL: 6,
} as const;
export type CreateFlagValue = (typeof CreateFlag)[keyof typeof CreateFlag];

export interface CreateMode {
  readonly flag: CreateFlagValue;
  readonly ephemeral: boolean;
  readonly sequential: boolean;
  readonly container: boolean;
  readonly ttl: boolean;
}

export function createModeOf(flags: number): CreateMode | undefined {
  switch (flags) {
    case 0:
      return { flag: 0, ephemeral: false, sequential: false, container: false, ttl: false };
    case 1:
      return { flag: 1, ephemeral: true, sequential: false, container: false, ttl: false };
    case 2:
      return { flag: 2, ephemeral: false, sequential: true, container: false, ttl: false };
    case 3:
      return { flag: 3, ephemeral: true, sequential: true, container: false, ttl: false };
    case 4:
      return { flag: 4, ephemeral: false, sequential: false, container: true, ttl: false };
    case 5:
      return { flag: 5, ephemeral: false, sequential: false, container: false, ttl: true };
    case 6:
      return { flag: 6, ephemeral: false, sequential: true, container: false, ttl: true };
    default:
      return undefined;
  }
}

/** ACL permission bits; an ACL entry's `perms` is their sum (ALL = 31). */
export const Perms = {
  READ: 1,
  WRITE: 2,
  CREATE: 4,
  DELETE: 8,
  ADMIN: 16,
  ALL: 31,
} as const;

/** WatcherType numbers used by checkWatches/removeWatches. */
export const WatcherType = {
  Children: 1,
  Data: 2,
  Any: 3,
  Persistent: 4,
  PersistentRecursive: 5,
} as const;
export type WatcherTypeValue = (typeof WatcherType)[keyof typeof WatcherType];

/** addWatch modes. */
export const AddWatchMode = {
  PERSISTENT: 0,
  PERSISTENT_RECURSIVE: 1,
} as const;

/** xids with a fixed meaning. */
export const Xid = {
  NOTIFICATION: -1,
  PING: -2,
  AUTH: -4,
  SET_WATCHES: -8,
} as const;

/** Default `jute.maxbuffer`: frames longer than this close the connection. */
export const JUTE_MAX_BUFFER_DEFAULT = 0xfffff;

/**
 * ephemeralOwner markers stored for container and TTL nodes; clients always see 0 for these.
 * Signed, like every long the jute reader returns, so they compare equal to values read back.
 */
export const CONTAINER_EPHEMERAL_OWNER = BigInt.asIntN(64, 0x8000000000000000n);
export const TTL_EPHEMERAL_OWNER_PREFIX = BigInt.asIntN(64, 0xff00000000000000n);
export const TTL_MAX_MS = 0xffffffffffn;
