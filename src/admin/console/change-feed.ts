// The console's feed of recent writes, from the commit stream: who (session, authenticated ids),
// what (operation and paths), when (the entry's leader time) and the zxid, with the outcome. A ring
// of the last FEED_MAX entries; recording one is a small object per write, never per read.

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
  private readonly ring: Change[] = [];

  record(entry: Entry, outcome: ApplyOutcome): void {
    this.ring.push({
      zxid: `0x${entry.zxid.toString(16)}`,
      timeMs: Number(entry.timeMs),
      sessionId: `0x${BigInt.asUintN(64, entry.sessionId).toString(16)}`,
      authIds: entry.authIds.map((id) => `${id.scheme}:${id.id}`),
      op: entry.txn.kind,
      paths: pathsOf(entry),
      err: outcome.result.err,
    });
    if (this.ring.length > FEED_MAX) this.ring.shift();
  }

  /** Newest first. */
  recent(limit: number): Change[] {
    return this.ring.slice(-limit).reverse();
  }
}
