// Public surface of the consensus core: the host drives a RawNode and reads the records it emits.
// Everything else in this folder is an implementation detail of the protocol.

export { InvariantError } from "./assert.js";
export {
  applyConfChange,
  type ConfChange,
  ConfChangeType,
  decodeConfChange,
  encodeConfChange,
  formatConfState,
} from "./confchange.js";
export {
  defaultRaftTuning,
  type Payload,
  type ProposeRejection,
  type ProposeResult,
  type RaftConfig,
  type RaftStorage,
  type RaftTuning,
} from "./raft.js";
export { RawNode, type Status } from "./rawnode.js";
export { isReadyEmpty, type ReadState, type Ready, Role, type SoftState } from "./ready.js";
export * from "./types.js";
export { EPOCH_MAX, formatZxid, makeZxid, ZXID_COUNTER_MAX, zxidCounter, zxidEpoch } from "./zxid.js";
