// The tree's path → slot index: an open-addressing hash table (linear probing, backward-shift
// deletion) over Int32Arrays. A JS Map of a million fresh strings costs ~0.5 µs per insert (V8 hashes
// each new string and grows a table of boxed entries); this one stores two int32 per node, hashes a
// path in a short loop, and grows by rehashing stored hashes without touching the strings. That is
// most of what makes loading a million-znode snapshot fast. Keys are the tree's own paths, compared
// through PathKeys by slot and only when the hashes match, so the index holds no strings itself.

/** fmix32 of MurmurHash3 over a multiply-xor pass of the UTF-16 units: well spread for linear probing. */
export function pathHash(path: string): number {
  let h = 0x811c9dc5 ^ path.length;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  return finishPathHash(h);
}

/**
 * pathHash of a path held as UTF-8 bytes[start, end), when they are all ASCII (each byte is then
 * one UTF-16 unit); undefined otherwise, and the caller decodes the path and uses pathHash.
 */
export function asciiPathHash(b: Uint8Array, start: number, end: number): number | undefined {
  let h = 0x811c9dc5 ^ (end - start);
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c > 0x7f) return undefined;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return finishPathHash(h);
}

function finishPathHash(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** How the index compares a key with the path its owner keeps for a slot. */
export interface PathKeys {
  /** Whether the slot's path is `path`. */
  keyEquals(slot: number, path: string): boolean;
  /** Whether the slot's path is the UTF-8 bytes[start, end). */
  keyEqualsBytes(slot: number, bytes: Uint8Array, start: number, end: number): boolean;
}

const EMPTY = -1;
const INITIAL_CAPACITY = 1 << 10;

export class PathIndex {
  /**
   * Pairs of (slot, hash) per table position, slot EMPTY where free: a probe reads one cache line
   * and touches a path string only when the hashes match. Capacity is a power of two, at most half
   * full.
   */
  private table = new Int32Array(INITIAL_CAPACITY * 2).fill(EMPTY);
  private mask = INITIAL_CAPACITY - 1;
  /** Each slot's path hash (hashOf), for the tree's digest terms. */
  private hashes = new Int32Array(INITIAL_CAPACITY);
  private count = 0;

  constructor(private readonly keys: PathKeys) {}

  get size(): number {
    return this.count;
  }

  /** Makes room for `paths` entries in all, so that inserting them never grows the table. */
  reserve(paths: number): void {
    let capacity = this.mask + 1;
    while (paths * 2 > capacity) capacity *= 2;
    if (capacity > this.mask + 1) this.rehash(capacity);
    if (paths > this.hashes.length) {
      const grown = new Int32Array(paths);
      grown.set(this.hashes);
      this.hashes = grown;
    }
  }

  /** The pathHash of an indexed slot's path. */
  hashOf(slot: number): number {
    return this.hashes[slot]!;
  }

  /** The slot holding `path`, or -1. */
  get(path: string): number {
    return this.find(path, pathHash(path));
  }

  /** `get` with the path's hash already computed (pathHash). */
  find(path: string, hash: number): number {
    const table = this.table;
    const mask = this.mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const slot = table[2 * i]!;
      if (slot === EMPTY) return -1;
      if (table[2 * i + 1] === hash && this.keys.keyEquals(slot, path)) return slot;
    }
  }

  /** `find` for a path held as UTF-8 bytes[start, end) with its pathHash. */
  findBytes(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const table = this.table;
    const mask = this.mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const slot = table[2 * i]!;
      if (slot === EMPTY) return -1;
      if (table[2 * i + 1] === hash && this.keys.keyEqualsBytes(slot, bytes, start, end)) return slot;
    }
  }

  /** Adds `slot`, whose path (hashed by pathHash) is not in the index yet; the caller has checked. */
  insertHashed(slot: number, hash: number): void {
    if (slot >= this.hashes.length) {
      const grown = new Int32Array(Math.max(slot + 1, this.hashes.length * 2));
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[slot] = hash;
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    this.place(slot, hash);
    this.count++;
  }

  private place(slot: number, hash: number): void {
    const table = this.table;
    const mask = this.mask;
    let i = hash & mask;
    while (table[2 * i] !== EMPTY) i = (i + 1) & mask;
    table[2 * i] = slot;
    table[2 * i + 1] = hash;
  }

  private grow(): void {
    this.rehash((this.mask + 1) * 2);
  }

  private rehash(capacity: number): void {
    const old = this.table;
    this.table = new Int32Array(capacity * 2).fill(EMPTY);
    this.mask = capacity - 1;
    for (let i = 0; i < old.length; i += 2) {
      const slot = old[i]!;
      if (slot !== EMPTY) this.place(slot, old[i + 1]!);
    }
  }

  /** Removes `slot`. */
  delete(slot: number): void {
    const table = this.table;
    const mask = this.mask;
    let i = this.hashes[slot]! & mask;
    while (table[2 * i] !== slot) {
      if (table[2 * i] === EMPTY) throw new Error(`invariant: slot ${slot} is not in the path index`);
      i = (i + 1) & mask;
    }
    // Backward shift: pull later members of the probe run into the hole, so lookups never need
    // tombstones and the table never degrades under churn.
    let hole = i;
    for (let j = (hole + 1) & mask; table[2 * j] !== EMPTY; j = (j + 1) & mask) {
      const home = table[2 * j + 1]! & mask;
      // j's entry may move to the hole only if its home is not in (hole, j] (cyclically).
      const movable = hole <= j ? home <= hole || home > j : home <= hole && home > j;
      if (movable) {
        table[2 * hole] = table[2 * j]!;
        table[2 * hole + 1] = table[2 * j + 1]!;
        hole = j;
      }
    }
    table[2 * hole] = EMPTY;
    this.count--;
  }
}
