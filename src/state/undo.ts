// The undo log of a multi: each write op records how to put the tree back, and a multi that fails
// part-way replays the records newest first. Records name paths, not node handles, because a multi may
// delete and re-create a node, and a detached handle's slot may be reused.

import type { DataTree, PersistedNode } from "../data/tree.js";

export type Undo =
  | {
      readonly kind: "create";
      readonly path: string;
      readonly parentPath: string;
      readonly cversion: number;
      readonly pzxid: bigint;
    }
  | {
      readonly kind: "delete";
      readonly path: string;
      readonly parentPath: string;
      readonly image: PersistedNode;
      readonly pzxid: bigint;
    }
  /** A data change: a client's setData, or a quota stats update (which keeps version, mzxid, mtime). */
  | {
      readonly kind: "setData";
      readonly path: string;
      readonly data: Buffer | null;
      readonly version: number;
      readonly mzxid: bigint;
      readonly mtime: bigint;
    };

/** Undoes `undo` newest first, leaving the tree as it was before the first record. */
export function rollback(tree: DataTree, undo: readonly Undo[]): void {
  for (let i = undo.length - 1; i >= 0; i--) {
    const u = undo[i]!;
    switch (u.kind) {
      case "create": {
        tree.detach(u.path);
        tree.setChildCounters(tree.get(u.parentPath)!, u.cversion, u.pzxid);
        break;
      }
      case "delete": {
        tree.attach(u.path, u.image);
        const parent = tree.get(u.parentPath)!;
        tree.setChildCounters(parent, tree.storedCversion(parent), u.pzxid);
        break;
      }
      case "setData":
        tree.setData(tree.get(u.path)!, u.data, u.version, u.mzxid, u.mtime);
        break;
    }
  }
}
