// The log every write goes through before it is applied: the server stamps an entry, appends it,
// and applies it only when the log reports it committed, in log order. DurableEntryLog implements
// it with group commit (one fdatasync per batch); the replicated log will commit on a quorum.

import type { Entry } from "../state/entry.js";

export interface EntryLog {
  /** Queues an entry; `onCommit` is later called with it, after every entry appended before it. */
  append(entry: Entry): void;
  /** Called with committed entries in log order. Set once by the server. */
  onCommit: (entries: readonly Entry[]) => void;
  /** Commits what is queued, then stops accepting entries. */
  close(): Promise<void>;
}
