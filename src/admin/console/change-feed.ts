// The console's feed of recent writes, from the commit stream: who (session, authenticated ids),
// what (operation and paths), when (the entry's leader time) and the zxid, with the outcome. A ring
// of the last FEED_MAX applied entries, kept as they are: recording one stores a reference and a
// number, and the text is made only when someone reads the feed.

import type { Entry } from "../../state/entry.js";
import type { ApplyOutcome } from "../../state/machine.js";

export const FEED_MAX = 500;

export interface Change {
  readonly zxid: string;
  readonly timeMs: number;
  readonly sessionId: string;
  readonly authIds: readonly string[];
  readonly op: string;
  readonly paths: readonly string[];
  /** ZooKeeper error code of the outcome, 0 on success. */
  readonly err: number;
}

function pathsOf(entry: Entry): string[] {
  const t = entry.txn;
  switch (t.kind) {
    case "create":
    case "delete":
    case "setData":
    case "setACL":
      return [t.request.path];
    case "multi":
      return t.ops.map((op) => ("path" in op ? String(op.path) : ""));
    case "deleteContainer":
      return [t.path];
    default:
      return [];
  }
}

export class ChangeFeed {
  private readonly entries: Array<Entry | undefined> = new Array(FEED_MAX);
  private readonly errs = new Int32Array(FEED_MAX);
  private recorded = 0;

  record(entry: Entry, outcome: ApplyOutcome): void {
    const slot = this.recorded % FEED_MAX;
    this.entries[slot] = entry;
    this.errs[slot] = outcome.result.err;
    this.recorded++;
  }

  /** Newest first. */
  recent(limit: number): Change[] {
    const out: Change[] = [];
    for (let i = this.recorded - 1; i >= Math.max(0, this.recorded - Math.min(limit, FEED_MAX)); i--) {
      const entry = this.entries[i % FEED_MAX]!;
      out.push({
        zxid: `0x${entry.zxid.toString(16)}`,
        timeMs: Number(entry.timeMs),
        sessionId: `0x${BigInt.asUintN(64, entry.sessionId).toString(16)}`,
        authIds: entry.authIds.map((id) => `${id.scheme}:${id.id}`),
        op: entry.txn.kind,
        paths: pathsOf(entry),
        err: this.errs[i % FEED_MAX]!,
      });
    }
    return out;
  }
}
