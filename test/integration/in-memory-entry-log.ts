// An EntryLog for in-process server tests: it stamps zxids as a leader does and commits each
// event-loop turn's entries together, as the replica's group commit does, without a disk or a core.

import type { Entry } from "../../src/state/entry.js";
import type { EntryDraft, EntryLog } from "../../src/storage/entry-log.js";

/** Bound on entries committed in one batch; larger bursts are split across turns. */
const BATCH_ENTRIES_MAX = 10_000;

export class InMemoryEntryLog implements EntryLog {
  onCommit: (entries: readonly Entry[]) => void = () => {
    throw new Error("InMemoryEntryLog: onCommit was not set before the first commit");
  };
  private queued: Entry[] = [];
  private scheduled = false;
  private closed = false;
  /** As a first leader would: epoch 1, its term-start entry at counter 1. */
  private lastZxid = (1n << 32n) | 1n;

  append(draft: EntryDraft): boolean {
    if (this.closed) return false;
    const zxid = ++this.lastZxid;
    this.queued.push({ ...draft, zxid });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.commit());
    }
    return true;
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
