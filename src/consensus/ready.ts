// The consensus core's output: everything the host must do, in the order it must do it. Keeping the
// contract on this one type means a host (the server, or the simulator) cannot misread when a message
// may leave or an entry may be applied; the simulator asserts every clause against its simulated disk.

import type { Entry, HardState, Message, NodeId, Snapshot } from "./types.js";

export const Role = {
  Follower: "follower",
  PreCandidate: "pre-candidate",
  Candidate: "candidate",
  Leader: "leader",
} as const;
export type Role = (typeof Role)[keyof typeof Role];

/** Volatile state, reported when it changes; never persisted. */
export interface SoftState {
  lead: NodeId;
  role: Role;
}

/** A read-index request is safe to serve once the local state machine has applied `index`. */
export interface ReadState {
  index: number;
  context: number;
}

/**
 * One batch of work from `RawNode.ready()`. Handle it in this order, then call `advance()`:
 *
 * 1. Persist durably (written and fsynced), in this order: `snapshot` (if any, atomically: the old
 *    snapshot or the whole new one, never a mix), then `entries` (an entry at index i replaces any
 *    stored entry at i and every entry after it), then `hardState` (if any). Nothing in
 *    `messages` may leave this replica before all of step 1 is durable: an append acknowledgement or
 *    a vote is a promise about the disk, and a quorum of promises is what makes a write survive.
 * 2. Send `messages` (the network may drop, delay, duplicate or reorder them).
 * 3. Apply `snapshot` (replace the state machine with it), then `committedEntries` in order. They are
 *    committed by a quorum and already durable here (by step 1 at the latest), so they may be applied
 *    and their results acknowledged to clients. Normal entries with an empty payload are leader
 *    term-start markers; ConfChange entries are applied by the core itself in `advance()`.
 * 4. Serve each `readStates` item once the applied index reaches its `index`.
 * 5. Call `advance()`. Steps and ticks may be fed in between `ready()` and `advance()`; whatever they
 *    produce is held for the next Ready.
 */
export interface Ready {
  softState: SoftState | null;
  hardState: HardState | null;
  snapshot: Snapshot | null;
  entries: Entry[];
  messages: Message[];
  committedEntries: Entry[];
  readStates: ReadState[];
}

export function isReadyEmpty(rd: Ready): boolean {
  return (
    rd.softState === null &&
    rd.hardState === null &&
    rd.snapshot === null &&
    rd.entries.length === 0 &&
    rd.messages.length === 0 &&
    rd.committedEntries.length === 0 &&
    rd.readStates.length === 0
  );
}
