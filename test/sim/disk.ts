// A faithful stand-in for the storage layer's simulated files: writes land in a volatile buffer and
// become durable only on sync, in the order written. A crash keeps a random prefix of the unsynced
// records (a torn tail cut at a record boundary, possibly mid-batch), exactly what fdatasync promises.

import type { Entry, HardState, Snapshot } from "../../src/consensus/index.js";
import type { Prng } from "./prng.js";

type DiskRecord =
  | { kind: "snapshot"; snapshot: Snapshot }
  | { kind: "entry"; entry: Entry }
  | { kind: "hardState"; hardState: HardState };

export interface DurableState {
  hardState: HardState;
  snapshot: Snapshot | null;
  entries: Entry[];
}

export class SimDisk {
  readonly durable: DurableState = {
    hardState: { term: 0, vote: 0, commit: 0 },
    snapshot: null,
    entries: [],
  };
  private unsynced: DiskRecord[] = [];

  /** Queue one Ready's writes: snapshot, then entries, then hard state (the Ready contract's order). */
  write(snapshot: Snapshot | null, entries: Entry[], hardState: HardState | null): void {
    if (snapshot !== null) this.unsynced.push({ kind: "snapshot", snapshot });
    for (const entry of entries) this.unsynced.push({ kind: "entry", entry });
    if (hardState !== null) this.unsynced.push({ kind: "hardState", hardState: { ...hardState } });
  }

  hasUnsynced(): boolean {
    return this.unsynced.length > 0;
  }

  sync(): void {
    for (const rec of this.unsynced) this.applyRecord(rec);
    this.unsynced = [];
  }

  /** Power loss: a random prefix of the unsynced records survives; returns how many were lost. */
  crash(rng: Prng): number {
    const kept = rng.int(this.unsynced.length + 1);
    for (const rec of this.unsynced.slice(0, kept)) this.applyRecord(rec);
    const lost = this.unsynced.length - kept;
    this.unsynced = [];
    return lost;
  }

  /** A local snapshot is written to a temporary file, synced and renamed: durable at once, atomically. */
  saveSnapshot(snapshot: Snapshot): void {
    this.applyRecord({ kind: "snapshot", snapshot });
  }

  lastIndex(): number {
    const last = this.durable.entries[this.durable.entries.length - 1];
    return last?.index ?? this.durable.snapshot?.meta.index ?? 0;
  }

  /** Term of the durable entry at `index`, if this disk holds it. */
  termAt(index: number): number | undefined {
    const snap = this.durable.snapshot;
    if (snap !== null && snap.meta.index === index) return snap.meta.term;
    const first = this.durable.entries[0];
    if (first === undefined || index < first.index) return undefined;
    return this.durable.entries[index - first.index]?.term;
  }

  private applyRecord(rec: DiskRecord): void {
    const d = this.durable;
    switch (rec.kind) {
      case "snapshot": {
        const meta = rec.snapshot.meta;
        if (d.snapshot !== null && d.snapshot.meta.index >= meta.index) return;
        const keep = this.termAt(meta.index) === meta.term;
        d.entries = keep ? d.entries.filter((e) => e.index > meta.index) : [];
        d.snapshot = rec.snapshot;
        return;
      }
      case "entry": {
        const first = d.entries[0];
        if (first !== undefined && rec.entry.index >= first.index)
          d.entries.length = rec.entry.index - first.index;
        d.entries.push(rec.entry);
        return;
      }
      case "hardState":
        d.hardState = rec.hardState;
        return;
    }
  }
}
