// An EntryLog for in-process server tests: it commits each event-loop turn's entries together, as
// the durable log's group commit does, without a disk.

import type { Entry } from "../../src/state/entry.js";
import type { EntryLog } from "../../src/storage/entry-log.js";

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
