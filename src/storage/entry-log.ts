// The log every write goes through before it is applied: the server hands it an entry without a
// zxid, the log stamps the zxid the replicated log assigns and reports the entry committed, in log
// order, once a quorum holds it durably; only then is it applied. The replica (server/replica.ts)
// implements it over the consensus core; in-process tests use a simpler one.

import type { Entry } from "../state/entry.js";

/** An entry as the server builds it: everything but the zxid, which the log's leader assigns. */
export type EntryDraft = Omit<Entry, "zxid">;

export interface EntryLog {
  /**
   * Queues an entry (proposes it, or forwards it to the leader); `onCommit` is later called with it,
   * after every entry appended before it, unless leadership changes first. False when this server
   * cannot take writes now (no leader known).
   */
  append(draft: EntryDraft): boolean;
  /** Called with committed entries in log order, each exactly once. Set once by the server. */
  onCommit: (entries: readonly Entry[]) => void;
  /** Commits what is queued, then stops accepting entries. */
  close(): Promise<void>;
}
