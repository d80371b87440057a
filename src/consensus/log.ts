// The replicated log as one replica sees it: a snapshot boundary, the entries after it, and the three
// positions that move along it (stable: durable; committed: agreed by a quorum; applied: handed to the
// state machine). Every mutation checks the log-matching invariants so a bug stops here, not on disk.

import { invariant } from "./assert.js";
import type { Entry, Snapshot, SnapshotMeta } from "./types.js";

export interface LogPosition {
  index: number;
  term: number;
  zxid: bigint;
}

export class RaftLog {
  /** The last entry folded into a snapshot; entries[0] is at base.index + 1. */
  private base: LogPosition;
  private entries: Entry[];
  committed: number;
  applied: number;
  /** Highest index known to be durable on this replica's disk. */
  stable: number;
  /** A snapshot received from the leader that the host has not yet persisted and applied. */
  unstableSnapshot: Snapshot | null = null;

  constructor(base: SnapshotMeta, entries: Entry[], committed: number) {
    this.base = { index: base.index, term: base.term, zxid: base.zxid };
    this.entries = [];
    this.committed = base.index;
    this.applied = base.index;
    this.stable = base.index;
    if (entries.length > 0) {
      invariant(
        entries[0]!.index <= base.index + 1,
        "contiguous log",
        () => "restored log starts past snapshot",
      );
      this.append(entries.filter((e) => e.index > base.index));
    }
    this.stable = this.lastIndex();
    this.commitTo(Math.max(committed, base.index));
  }

  firstIndex(): number {
    return this.base.index + 1;
  }

  lastIndex(): number {
    return this.base.index + this.entries.length;
  }

  snapshotIndex(): number {
    return this.base.index;
  }

  /** Term of the entry at `index`, or undefined when it is compacted away or not (yet) present. */
  term(index: number): number | undefined {
    if (index === this.base.index) return this.base.term;
    if (index < this.base.index || index > this.lastIndex()) return undefined;
    return this.entries[index - this.base.index - 1]!.term;
  }

  zxid(index: number): bigint | undefined {
    if (index === this.base.index) return this.base.zxid;
    return this.entry(index)?.zxid;
  }

  entry(index: number): Entry | undefined {
    if (index <= this.base.index || index > this.lastIndex()) return undefined;
    return this.entries[index - this.base.index - 1];
  }

  lastTerm(): number {
    return this.term(this.lastIndex())!;
  }

  lastZxid(): bigint {
    return this.zxid(this.lastIndex())!;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Raft's election restriction: a candidate's log must be at least as up to date as ours. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourTerm = this.lastTerm();
    return lastTerm > ourTerm || (lastTerm === ourTerm && lastIndex >= this.lastIndex());
  }

  /** Entries [lo, hi] capped at `maxCount`, or undefined when `lo` was compacted away. */
  slice(lo: number, hi: number, maxCount: number): Entry[] | undefined {
    if (lo <= this.base.index) return undefined;
    const end = Math.min(hi, this.lastIndex(), lo + maxCount - 1);
    if (end < lo) return [];
    return this.entries.slice(lo - this.base.index - 1, end - this.base.index);
  }

  /**
   * The largest index <= `index` whose term is <= `term`: where a leader probing at (index, term)
   * can resume, skipping a whole divergent term at a time rather than one entry per round trip.
   */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.lastIndex());
    while (i > this.base.index) {
      const t = this.term(i)!;
      if (t <= term) break;
      i--;
    }
    return i;
  }

  /**
   * A follower's append: if our log matches at (prevIndex, prevTerm), keep the matching prefix of
   * `ents`, cut any conflicting suffix, append the rest, and return the index of the last new entry.
   */
  maybeAppend(prevIndex: number, prevTerm: number, commit: number, ents: Entry[]): number | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNew = prevIndex + ents.length;
    let firstConflict = -1;
    for (let k = 0; k < ents.length; k++) {
      const e = ents[k]!;
      invariant(e.index === prevIndex + 1 + k, "contiguous append", () => `entry ${e.index} at offset ${k}`);
      if (!this.matchTerm(e.index, e.term)) {
        firstConflict = k;
        break;
      }
    }
    if (firstConflict >= 0) this.append(ents.slice(firstConflict));
    this.commitTo(Math.min(commit, lastNew));
    return lastNew;
  }

  /** Append entries starting at `ents[0].index`, cutting any suffix from there on. */
  append(ents: Entry[]): void {
    if (ents.length === 0) return;
    const first = ents[0]!.index;
    invariant(first > this.committed, "committed entries are never overwritten", () => {
      return `append at ${first} with commit ${this.committed}`;
    });
    invariant(
      first <= this.lastIndex() + 1,
      "contiguous append",
      () => `append at ${first}, last ${this.lastIndex()}`,
    );
    invariant(first > this.base.index, "contiguous append", () => `append at ${first} below snapshot`);
    let prev: LogPosition = { index: first - 1, term: this.term(first - 1)!, zxid: this.zxid(first - 1)! };
    for (const e of ents) {
      invariant(
        e.index === prev.index + 1,
        "contiguous append",
        () => `entry ${e.index} after ${prev.index}`,
      );
      invariant(
        e.term >= prev.term,
        "terms never decrease along the log",
        () => `${e.term} after ${prev.term}`,
      );
      invariant(
        e.zxid > prev.zxid,
        "zxids strictly increase along the log",
        () => `${e.zxid} after ${prev.zxid}`,
      );
      prev = e;
    }
    this.entries.length = first - this.base.index - 1;
    for (const e of ents) this.entries.push(e);
    this.stable = Math.min(this.stable, first - 1);
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    invariant(index <= this.lastIndex(), "commit index within the log", () => {
      return `commit ${index} beyond last ${this.lastIndex()}`;
    });
    this.committed = index;
  }

  /** Entries the host has not yet been told to persist. */
  unstableEntries(): Entry[] {
    return this.entries.slice(this.stable - this.base.index);
  }

  /** The host made entries up to (index, term) durable; ignore if the log moved on meanwhile. */
  stableTo(index: number, term: number): void {
    if (index > this.stable && this.matchTerm(index, term)) this.stable = index;
  }

  /** Committed entries not yet applied, at most `maxCount`, starting after `from`. */
  committedAfter(from: number, maxCount: number): Entry[] {
    if (this.committed <= from) return [];
    return this.slice(from + 1, this.committed, maxCount) ?? [];
  }

  appliedTo(index: number): void {
    invariant(
      index >= this.applied && index <= this.committed,
      "applied index moves forward within commit",
      () => {
        return `applied ${this.applied} -> ${index}, commit ${this.committed}`;
      },
    );
    this.applied = index;
  }

  /** Replace the whole log with a snapshot from the leader. */
  restore(snapshot: Snapshot): void {
    const meta = snapshot.meta;
    invariant(meta.index > this.committed, "snapshot restore moves commit forward", () => {
      return `snapshot ${meta.index}, commit ${this.committed}`;
    });
    this.base = { index: meta.index, term: meta.term, zxid: meta.zxid };
    this.entries = [];
    this.committed = meta.index;
    this.stable = meta.index;
    this.unstableSnapshot = snapshot;
  }

  /** Drop entries up to `index` (already in a durable local snapshot). */
  compact(index: number): void {
    if (index <= this.base.index) return;
    invariant(index <= this.applied && index <= this.stable, "compact only applied, durable entries", () => {
      return `compact ${index}, applied ${this.applied}, stable ${this.stable}`;
    });
    const e = this.entry(index)!;
    this.entries = this.entries.slice(index - this.base.index);
    this.base = { index: e.index, term: e.term, zxid: e.zxid };
  }
}
