// The public surface of Paddock's ZooKeeper client, exported as `paddock/client`: the client and its
// options, typed errors, watch and transaction types, and the protocol records results are made of.

export { Perms } from "../protocol/constants.js";
export type { ACL, ClientInfo, Id, Stat } from "../protocol/data.js";
export { CREATOR_ALL_ACL, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from "../protocol/data.js";
export {
  Client,
  connect,
  createClient,
  type PersistentWatch,
  type RemovableWatchKind,
  type Watched,
  type WatchOption,
} from "./client.js";
export { type ConnectString, type HostPort, parseConnectString } from "./connect-string.js";
export * from "./errors.js";
export type { ClientOptions } from "./options.js";
export { deleteQuota, formatQuota, getQuota, NO_QUOTA, type Quota, setQuota } from "./quota.js";
export type { ConnectionState } from "./session.js";
export type {
  CreateMode,
  CreateOptions,
  Data,
  OpResult,
  ReadOp,
  ReadResult,
  Transaction,
} from "./transaction.js";
export type { NodeEvent, NodeEventType, SessionEndEvent, WatchEvent, Watcher } from "./watches.js";
