// The records the consensus core exchanges with its host: log entries, the durable hard state,
// snapshots with the membership they embody, and peer messages. They are plain data so that the
// storage and transport layers can encode them however they like; payloads stay opaque bytes.

export type NodeId = number;

/** No node: used for "no vote" and "no known leader". Real node ids are positive integers. */
export const NONE: NodeId = 0;

export const EntryType = { Normal: 0, ConfChange: 1 } as const;
export type EntryType = (typeof EntryType)[keyof typeof EntryType];

/**
 * One log entry. `zxid` is assigned by the leader that created the entry and never changes.
 * A Normal entry with an empty payload is a leader's term-start marker and carries no request.
 */
export interface Entry {
  term: number;
  index: number;
  zxid: bigint;
  type: EntryType;
  data: Uint8Array;
}

/** What must survive a crash besides the log: current term, the vote cast in it, the commit index. */
export interface HardState {
  term: number;
  vote: NodeId;
  commit: number;
}

export interface ConfState {
  voters: NodeId[];
  learners: NodeId[];
}

export interface SnapshotMeta {
  index: number;
  term: number;
  zxid: bigint;
  conf: ConfState;
}

/** The application state at exactly `meta.index` (never fuzzy), plus the membership at that point. */
export interface Snapshot {
  meta: SnapshotMeta;
  data: Uint8Array;
}

export const MessageType = {
  App: 1,
  AppResp: 2,
  Vote: 3,
  VoteResp: 4,
  PreVote: 5,
  PreVoteResp: 6,
  Heartbeat: 7,
  HeartbeatResp: 8,
  Snap: 9,
  TimeoutNow: 10,
  ReadIndex: 11,
  ReadIndexResp: 12,
  TransferLeader: 13,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export const messageTypeName: Record<MessageType, string> = {
  1: "App",
  2: "AppResp",
  3: "Vote",
  4: "VoteResp",
  5: "PreVote",
  6: "PreVoteResp",
  7: "Heartbeat",
  8: "HeartbeatResp",
  9: "Snap",
  10: "TimeoutNow",
  11: "ReadIndex",
  12: "ReadIndexResp",
  13: "TransferLeader",
};

/**
 * A message between peers. Fields not used by a type are zero/empty. `index`/`logTerm` locate the
 * entry preceding `entries` (App), the candidate's last entry (Vote, PreVote), or the acknowledged
 * or rejected position (AppResp). `context` identifies a read-index request (0: none).
 */
export interface Message {
  type: MessageType;
  from: NodeId;
  to: NodeId;
  term: number;
  logTerm: number;
  index: number;
  entries: Entry[];
  commit: number;
  reject: boolean;
  rejectHint: number;
  snapshot: Snapshot | null;
  context: number;
  /** Vote/PreVote from a leadership transfer: voters skip their leader lease. */
  force: boolean;
}

/** Injected randomness: a uniform integer in [0, n). */
export interface Rng {
  int(n: number): number;
}

export function emptyMessage(type: MessageType, from: NodeId, to: NodeId, term: number): Message {
  return {
    type,
    from,
    to,
    term,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    snapshot: null,
    context: 0,
    force: false,
  };
}
