// Membership changes travel through the log as ConfChange entries and take effect on a replica when
// that entry is applied. One change at a time (one voter added, removed, or a learner promoted) keeps
// the old and new majorities overlapping, so no joint configuration is needed.

import { invariant } from "./assert.js";
import type { ConfState, NodeId } from "./types.js";

export const ConfChangeType = { AddVoter: 1, AddLearner: 2, Remove: 3 } as const;
export type ConfChangeType = (typeof ConfChangeType)[keyof typeof ConfChangeType];

export interface ConfChange {
  type: ConfChangeType;
  node: NodeId;
}

/** Five bytes: the change type, then the node id as a big-endian uint32. */
export function encodeConfChange(change: ConfChange): Uint8Array {
  const bytes = new Uint8Array(5);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, change.type);
  view.setUint32(1, change.node);
  return bytes;
}

export function decodeConfChange(bytes: Uint8Array): ConfChange {
  invariant(bytes.length === 5, "conf change encoding", () => `length ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = view.getUint8(0);
  invariant(type >= 1 && type <= 3, "conf change encoding", () => `type ${type}`);
  return { type: type as ConfChangeType, node: view.getUint32(1) };
}

/** The membership after `change`; a change that alters nothing returns an equal configuration. */
export function applyConfChange(conf: ConfState, change: ConfChange): ConfState {
  const voters = conf.voters.filter((id) => id !== change.node);
  const learners = conf.learners.filter((id) => id !== change.node);
  if (change.type === ConfChangeType.AddVoter) voters.push(change.node);
  if (change.type === ConfChangeType.AddLearner) {
    // Demoting a voter to learner is a voter removal plus a learner addition; keep it one step.
    if (conf.voters.includes(change.node)) voters.push(change.node);
    else learners.push(change.node);
  }
  voters.sort((a, b) => a - b);
  learners.sort((a, b) => a - b);
  return { voters, learners };
}

export function formatConfState(conf: ConfState): string {
  const learners = conf.learners.length > 0 ? ` learners=(${conf.learners.join(" ")})` : "";
  return `voters=(${conf.voters.join(" ")})${learners}`;
}
