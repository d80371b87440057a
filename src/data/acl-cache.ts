// Interned ACL lists with reference counts, like ZooKeeper's ReferenceCountedACLCache: a million
// nodes that share `world:anyone` share one frozen list, so a node pays one pointer for its ACL.
// Lists are equal when their entries are equal in order (ZooKeeper compares List<ACL> the same way).

import type { ACL } from "../protocol/data.js";

/** One interned list. `refs` counts the nodes holding it; the cache forgets it at zero. */
export interface AclEntry {
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
  private readonly entries = new Map<string, AclEntry>();

  /** Returns the shared entry for `acl` and counts one more holder. */
  acquire(acl: readonly ACL[]): AclEntry {
    const key = aclKey(acl);
    let entry = this.entries.get(key);
    if (entry === undefined) {
      const copy = Object.freeze(
        acl.map((a) =>
          Object.freeze({ perms: a.perms, id: Object.freeze({ scheme: a.id.scheme, id: a.id.id }) }),
        ),
      );
      entry = { key, acl: copy, refs: 0 };
      this.entries.set(key, entry);
    }
    entry.refs++;
    return entry;
  }

  release(entry: AclEntry): void {
    if (entry.refs <= 0 || this.entries.get(entry.key) !== entry) {
      throw new Error(`invariant: releasing an ACL list that is not held (${entry.key})`);
    }
    entry.refs--;
    if (entry.refs === 0) this.entries.delete(entry.key);
  }

  /** Number of distinct lists in use. */
  get size(): number {
    return this.entries.size;
  }
}
