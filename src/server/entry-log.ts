// The log every write goes through before it is applied. The server stamps an entry, appends it,
// and applies it only when the log reports it committed, in log order. This in-memory log commits
// each event-loop turn's entries together, the shape that durable group commit (one fdatasync per
// batch) and the replicated log (commit on quorum) will keep.

import type { Entry } from "../state/entry.js";

export interface EntryLog {
  /** Queues an entry; `onCommit` is later called with it, after every entry appended before it. */
  append(entry: Entry): void;
  /** Called with committed entries in log order. Set once by the server. */
  onCommit: (entries: readonly Entry[]) => void;
  /** Commits what is queued, then stops accepting entries. */
  close(): Promise<void>;
}

/** Bound on entries committed in one batch; larger bursts are split across turns. */
const BATCH_ENTRIES_MAX = 10_000;

export class InMemoryEntryLog implements EntryLog {
  onCommit: (entries: readonly Entry[]) => void = () => {
    throw new Error("InMemoryEntryLog: onCommit was not set before the first commit");
  };
  private queued: Entry[] = [];
  private scheduled = false;
  private closed = false;
  private lastZxid = -1n;

  append(entry: Entry): void {
    if (this.closed) throw new Error("PDK_LOG_CLOSED: the log is closed; the server is shutting down");
    if (entry.zxid <= this.lastZxid) {
      throw new Error(`invariant violated: zxid ${entry.zxid} appended after ${this.lastZxid}`);
    }
    this.lastZxid = entry.zxid;
    this.queued.push(entry);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.commit());
    }
  }

  private commit(): void {
    this.scheduled = false;
    const batch =
      this.queued.length > BATCH_ENTRIES_MAX ? this.queued.splice(0, BATCH_ENTRIES_MAX) : this.queued;
    if (batch === this.queued) this.queued = [];
    if (this.queued.length > 0) {
      this.scheduled = true;
      setImmediate(() => this.commit());
    }
    if (batch.length > 0) this.onCommit(batch);
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.queued.length > 0) this.commit();
  }
}
