// Interned ACL lists with reference counts, like ZooKeeper's ReferenceCountedACLCache: a million
// nodes that share `world:anyone` share one frozen list, and a node stores only the list's small
// integer index. Lists are equal when their entries are equal in order (as ZooKeeper's List<ACL>).

import type { ACL } from "../protocol/data.js";

/** One interned list. `refs` counts the nodes holding it; the cache forgets it at zero. */
export interface AclEntry {
  readonly index: number;
  readonly key: string;
  readonly acl: readonly ACL[];
  refs: number;
}

export function aclKey(acl: readonly ACL[]): string {
  let key = "";
  for (const a of acl) key += `${JSON.stringify([a.perms, a.id.scheme, a.id.id])};`;
  return key;
}

export class AclCache {
  private readonly byKey = new Map<string, AclEntry>();
  private readonly byIndex: (AclEntry | undefined)[] = [];
  private readonly freeIndexes: number[] = [];

  /** Returns the index of the shared list equal to `acl` and counts one more holder. */
  acquire(acl: readonly ACL[]): number {
    const key = aclKey(acl);
    let entry = this.byKey.get(key);
    if (entry === undefined) {
      const copy = Object.freeze(
        acl.map((a) =>
          Object.freeze({ perms: a.perms, id: Object.freeze({ scheme: a.id.scheme, id: a.id.id }) }),
        ),
      );
      const index = this.freeIndexes.pop() ?? this.byIndex.length;
      entry = { index, key, acl: copy, refs: 0 };
      this.byKey.set(key, entry);
      this.byIndex[index] = entry;
    }
    entry.refs++;
    return entry.index;
  }

  release(index: number): void {
    const entry = this.byIndex[index];
    if (entry === undefined || entry.refs <= 0)
      throw new Error(`invariant: releasing ACL list ${index} that is not held`);
    entry.refs--;
    if (entry.refs > 0) return;
    this.byKey.delete(entry.key);
    this.byIndex[index] = undefined;
    this.freeIndexes.push(index);
  }

  entry(index: number): AclEntry {
    const entry = this.byIndex[index];
    if (entry === undefined) throw new Error(`invariant: ACL list ${index} is not in the cache`);
    return entry;
  }

  /** Number of distinct lists in use. */
  get size(): number {
    return this.byKey.size;
  }
}
