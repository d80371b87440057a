// A simulated file layer for crash and fault tests. Each file keeps the bytes a crash would leave
// (durable) apart from what reads see (current) plus the writes and truncates issued since the last
// datasync; each directory keeps its synced names apart from its current ones. crash() keeps a random
// prefix of the unsynced operations, tearing the last at a sector boundary, so exactly unsynced data
// is lost. A failed datasync drops its pending writes for good while reads still see them, as Linux
// does after an fsync EIO, so code that retries a failed sync is caught losing data.

import { basename, dirname } from "node:path/posix";
import type { FileHandle, FileSystem } from "./file-system.js";

/** Torn writes break at this granularity, the unit a disk writes atomically. */
export const SECTOR_BYTES = 512;

type PendingOp =
  | { readonly kind: "write"; readonly position: number; readonly data: Buffer }
  | { readonly kind: "truncate"; readonly length: number };

interface Inode {
  durable: Buffer;
  current: Buffer;
  pending: PendingOp[];
}

interface Directory {
  current: Map<string, Inode>;
  durable: Map<string, Inode>;
}

export type SimCall =
  | "open"
  | "write"
  | "read"
  | "datasync"
  | "truncate"
  | "rename"
  | "unlink"
  | "syncDir"
  | "list"
  | "readFile";

export interface SimFault {
  readonly call: SimCall;
  readonly errno: "ENOSPC" | "EIO";
  /** Only calls on paths containing this string fail. */
  readonly pathIncludes?: string;
  /** How many matching calls fail before the fault clears (default: every one). */
  remaining?: number;
}

/** Pending operations per file at most; a test that never syncs should fail loudly, not eat memory. */
const PENDING_OPS_MAX = 100_000;

function fsError(errno: string, call: string, path: string): Error {
  return Object.assign(new Error(`${errno}: ${call} ${path} (simulated)`), { code: errno });
}

function applyOp(content: Buffer, op: PendingOp): Buffer {
  if (op.kind === "truncate") {
    if (op.length <= content.length) return Buffer.from(content.subarray(0, op.length));
    return Buffer.concat([content, Buffer.alloc(op.length - content.length)]);
  }
  const end = op.position + op.data.length;
  const out = end > content.length ? Buffer.concat([content, Buffer.alloc(end - content.length)]) : content;
  op.data.copy(out, op.position);
  return out;
}

/** A small seeded generator (mulberry32) so every crash and fault replays from its seed. */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}

class SimFile implements FileHandle {
  private closed = false;
  constructor(
    readonly path: string,
    private readonly inode: Inode,
    private readonly fs: SimFileSystem,
    private readonly generation: number,
  ) {}

  private check(call: SimCall): void {
    if (this.closed || this.generation !== this.fs.generation) throw fsError("EBADF", call, this.path);
    this.fs.maybeFail(call, this.path);
  }

  private record(op: PendingOp): void {
    if (this.inode.pending.length >= PENDING_OPS_MAX) {
      throw new Error(`simulated file ${this.path} has ${PENDING_OPS_MAX} unsynced operations`);
    }
    this.inode.pending.push(op);
    this.inode.current = applyOp(this.inode.current, op);
  }

  async write(data: Uint8Array, position: number): Promise<void> {
    this.check("write");
    this.record({ kind: "write", position, data: Buffer.from(data) });
  }

  async read(position: number, length: number): Promise<Buffer> {
    this.check("read");
    const out = Buffer.from(this.inode.current.subarray(position, position + length));
    this.fs.maybeFlip(this.path, out);
    return out;
  }

  async readInto(target: Uint8Array, position: number): Promise<number> {
    const bytes = await this.read(position, target.length);
    target.set(bytes);
    return bytes.length;
  }

  async size(): Promise<number> {
    this.check("read");
    return this.inode.current.length;
  }

  async datasync(): Promise<void> {
    if (this.closed || this.generation !== this.fs.generation) throw fsError("EBADF", "datasync", this.path);
    try {
      this.fs.maybeFail("datasync", this.path);
    } catch (error) {
      // As on Linux after an fsync error: the dirty data is dropped and will never reach the disk.
      this.inode.pending = [];
      throw error;
    }
    for (const op of this.inode.pending) this.inode.durable = applyOp(this.inode.durable, op);
    this.inode.pending = [];
    this.fs.syncCount++;
  }

  async truncate(length: number): Promise<void> {
    this.check("truncate");
    this.record({ kind: "truncate", length });
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export class SimFileSystem implements FileSystem {
  private readonly dirs = new Map<string, Directory>();
  private readonly faults: SimFault[] = [];
  private readonly flips: { pathIncludes: string; remaining: number }[] = [];
  private readonly random: SeededRandom;
  /** Bumped by crash(); handles opened before a crash stop working, as the process died. */
  generation = 0;
  private crashCountdown = -1;
  private powerFailed = false;
  /** Successful datasync calls, for tests that count syncs per batch. */
  syncCount = 0;

  constructor(seed = 1) {
    this.random = new SeededRandom(seed);
  }

  /** Fails matching calls with errno until `remaining` runs out. */
  inject(fault: SimFault): void {
    this.faults.push({ ...fault });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Flips one random bit in each of the next `count` non-empty reads of matching files. */
  flipBitsOnRead(pathIncludes: string, count = 1): void {
    this.flips.push({ pathIncludes, remaining: count });
  }

  /**
   * Power fails in place of the `calls`-th file call from now: the call throws EBADF and the machine
   * crashes, so a test can stop a process between any two disk operations.
   */
  crashAtCall(calls: number): void {
    this.crashCountdown = calls;
    this.powerFailed = false;
  }

  /** True once a crashAtCall countdown has fired. */
  get crashed(): boolean {
    return this.powerFailed;
  }

  maybeFail(call: SimCall, path: string): void {
    if (this.crashCountdown > 0 && --this.crashCountdown === 0) {
      this.powerFailed = true;
      this.crash();
      throw fsError("EBADF", `${call} (power failed)`, path);
    }
    const fault = this.faults.find(
      (f) => f.call === call && (f.pathIncludes === undefined || path.includes(f.pathIncludes)),
    );
    if (fault === undefined) return;
    if (fault.remaining !== undefined && --fault.remaining <= 0) {
      this.faults.splice(this.faults.indexOf(fault), 1);
    }
    throw fsError(fault.errno, call, path);
  }

  maybeFlip(path: string, out: Buffer): void {
    if (out.length === 0) return;
    const flip = this.flips.find((f) => path.includes(f.pathIncludes));
    if (flip === undefined) return;
    if (--flip.remaining <= 0) this.flips.splice(this.flips.indexOf(flip), 1);
    const bit = this.random.below(out.length * 8);
    out[bit >>> 3]! ^= 1 << (bit & 7);
  }

  /**
   * The machine loses power: every directory goes back to its synced names and every file keeps its
   * durable bytes plus a random prefix of its unsynced operations, the last possibly torn.
   */
  crash(): void {
    this.generation++;
    this.crashCountdown = -1;
    const survivors = new Set<Inode>();
    for (const dir of this.dirs.values()) {
      dir.current = new Map(dir.durable);
      for (const inode of dir.durable.values()) survivors.add(inode);
    }
    for (const inode of survivors) {
      let content = inode.durable;
      const kept = this.random.below(inode.pending.length + 1);
      for (let i = 0; i < kept; i++) content = applyOp(content, inode.pending[i]!);
      const torn = inode.pending[kept];
      if (torn !== undefined && torn.kind === "write") content = this.tear(content, torn);
      inode.durable = content;
      inode.current = Buffer.from(content);
      inode.pending = [];
    }
  }

  /** Applies the sectors of a write that reached the disk before power went: a prefix at sector granularity. */
  private tear(content: Buffer, op: PendingOp & { kind: "write" }): Buffer {
    const end = op.position + op.data.length;
    const firstBoundary = Math.ceil((op.position + 1) / SECTOR_BYTES) * SECTOR_BYTES;
    const boundaries: number[] = [];
    for (let b = firstBoundary; b < end && boundaries.length < 1024; b += SECTOR_BYTES) boundaries.push(b);
    if (boundaries.length === 0) return content;
    const cut = boundaries[this.random.below(boundaries.length)]!;
    return applyOp(content, {
      kind: "write",
      position: op.position,
      data: op.data.subarray(0, cut - op.position),
    });
  }

  /** At-rest damage, as a test does to a file between kill and restart: XORs `mask` into one byte. */
  corrupt(path: string, offset: number, mask: number): void {
    const inode = this.inodeAt(path, "corrupt");
    for (const content of [inode.durable, inode.current]) {
      if (offset < content.length) content[offset]! ^= mask;
    }
  }

  /** At-rest truncation between kill and restart. */
  truncateAtRest(path: string, length: number): void {
    const inode = this.inodeAt(path, "truncate");
    inode.durable = Buffer.from(inode.durable.subarray(0, length));
    inode.current = Buffer.from(inode.current.subarray(0, length));
  }

  /** The durable bytes of a file, for assertions. */
  durableBytes(path: string): Buffer {
    return Buffer.from(this.inodeAt(path, "read").durable);
  }

  private directory(dir: string, call: string): Directory {
    const d = this.dirs.get(dir);
    if (d === undefined) throw fsError("ENOENT", call, dir);
    return d;
  }

  private inodeAt(path: string, call: string): Inode {
    const inode = this.directory(dirname(path), call).current.get(basename(path));
    if (inode === undefined) throw fsError("ENOENT", call, path);
    return inode;
  }

  /**
   * The file system as one process sees it: every call fails once the machine has crashed, so a
   * log left running by a test cannot touch the disk of the next "boot".
   */
  process(): FileSystem {
    const generation = this.generation;
    const alive = (call: string, path: string): void => {
      if (this.generation !== generation) throw fsError("EBADF", `${call} after crash`, path);
    };
    const guard =
      <A extends unknown[], R>(call: string, run: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        alive(call, String(args[0]));
        return run(...args);
      };
    return {
      open: guard("open", (path: string, mode: "create" | "append" | "read") => this.open(path, mode)),
      readFile: guard("readFile", (path: string) => this.readFile(path)),
      list: guard("list", (dir: string) => this.list(dir)),
      exists: guard("exists", (path: string) => this.exists(path)),
      mkdirp: guard("mkdirp", (dir: string) => this.mkdirp(dir)),
      rename: guard("rename", (from: string, to: string) => this.rename(from, to)),
      unlink: guard("unlink", (path: string) => this.unlink(path)),
      syncDir: guard("syncDir", (dir: string) => this.syncDir(dir)),
    };
  }

  async open(path: string, mode: "create" | "append" | "read"): Promise<FileHandle> {
    this.maybeFail("open", path);
    const dir = this.directory(dirname(path), "open");
    const name = basename(path);
    let inode = dir.current.get(name);
    if (mode === "create") {
      if (inode !== undefined) throw fsError("EEXIST", "open", path);
      inode = { durable: Buffer.alloc(0), current: Buffer.alloc(0), pending: [] };
      dir.current.set(name, inode);
    } else if (inode === undefined) {
      throw fsError("ENOENT", "open", path);
    }
    return new SimFile(path, inode, this, this.generation);
  }

  async readFile(path: string): Promise<Buffer> {
    this.maybeFail("readFile", path);
    const out = Buffer.from(this.inodeAt(path, "readFile").current);
    this.maybeFlip(path, out);
    return out;
  }

  async list(dir: string): Promise<string[]> {
    this.maybeFail("list", dir);
    return [...this.directory(dir, "list").current.keys()];
  }

  async exists(path: string): Promise<boolean> {
    if (this.dirs.has(path)) return true;
    return this.dirs.get(dirname(path))?.current.has(basename(path)) ?? false;
  }

  /** Directories are created durably at once: the tests fault files, not directory creation. */
  async mkdirp(dir: string): Promise<void> {
    let d = dir;
    for (let depth = 0; depth < 64 && !this.dirs.has(d); depth++) {
      this.dirs.set(d, { current: new Map(), durable: new Map() });
      d = dirname(d);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    this.maybeFail("rename", from);
    const inode = this.inodeAt(from, "rename");
    const target = this.directory(dirname(to), "rename");
    this.directory(dirname(from), "rename").current.delete(basename(from));
    target.current.set(basename(to), inode);
  }

  async unlink(path: string): Promise<void> {
    this.maybeFail("unlink", path);
    this.inodeAt(path, "unlink");
    this.directory(dirname(path), "unlink").current.delete(basename(path));
  }

  async syncDir(dir: string): Promise<void> {
    this.maybeFail("syncDir", dir);
    const d = this.directory(dir, "syncDir");
    d.durable = new Map(d.current);
  }
}
