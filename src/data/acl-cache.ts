// Interned ACL lists with reference counts, like ZooKeeper's ReferenceCountedACLCache: a million
// nodes that share `world:anyone` share one frozen list, and a node stores only the list's small
// integer index. Lists are equal when their entries are equal in order (as ZooKeeper's List<ACL>).

import type { ACL } from "../protocol/data.js";
import { pathHash } from "./path-index.js";

/** One interned list. `refs` counts the nodes holding it; the cache forgets it at zero. */
export interface AclEntry {
  readonly index: number;
  readonly key: string;
  /** A 32-bit hash of the key: what a node's digest term hashes for its ACL. */
  readonly digest: number;
  readonly acl: readonly ACL[];
  refs: number;
}

export function aclKey(acl: readonly ACL[]): string {
  let key = "";
  for (const a of acl) key += `${JSON.stringify([a.perms, a.id.scheme, a.id.id])};`;
  return key;
}

/** A list's digest word (AclEntry.digest), from its key. */
export function aclListDigest(acl: readonly ACL[]): number {
  return pathHash(aclKey(acl));
}

function sameList(a: readonly ACL[], b: readonly ACL[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.perms !== y.perms || x.id.scheme !== y.id.scheme || x.id.id !== y.id.id) return false;
  }
  return true;
}

export class AclCache {
  private readonly byKey = new Map<string, AclEntry>();
  private readonly byIndex: (AclEntry | undefined)[] = [];
  private readonly freeIndexes: number[] = [];
  /** Runs of nodes share a list (a million creates with one ACL): they skip building the key. */
  private last: AclEntry | undefined;

  /** Returns the index of the shared list equal to `acl` and counts one more holder. */
  acquire(acl: readonly ACL[]): number {
    const last = this.last;
    if (last !== undefined && last.refs > 0 && sameList(last.acl, acl)) {
      last.refs++;
      return last.index;
    }
    const key = aclKey(acl);
    let entry = this.byKey.get(key);
    if (entry === undefined) {
      const copy = Object.freeze(
        acl.map((a) =>
          Object.freeze({ perms: a.perms, id: Object.freeze({ scheme: a.id.scheme, id: a.id.id }) }),
        ),
      );
      const index = this.freeIndexes.pop() ?? this.byIndex.length;
      entry = { index, key, digest: pathHash(key), acl: copy, refs: 0 };
      this.byKey.set(key, entry);
      this.byIndex[index] = entry;
    }
    entry.refs++;
    this.last = entry;
    return entry.index;
  }

  /** Counts one more holder of a list already held (an index `acquire` returned). */
  retain(index: number): void {
    const entry = this.byIndex[index];
    if (entry === undefined || entry.refs <= 0)
      throw new Error(`invariant: retaining ACL list ${index} that is not held`);
    entry.refs++;
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
