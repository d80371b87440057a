// The small file interface all storage code goes through. It names exactly the calls durability
// depends on (positional write, fdatasync, truncate, rename, directory fsync), so the simulated
// implementation can model which bytes survive a crash and inject a fault into any one call.

export interface FileHandle {
  readonly path: string;
  /** Writes all of `data` at `position` (pwrite); the bytes are durable only after datasync. */
  write(data: Uint8Array, position: number): Promise<void>;
  /** Reads up to `length` bytes at `position`; shorter only at end of file. */
  read(position: number, length: number): Promise<Buffer>;
  /** Reads up to `target.length` bytes at `position` into `target`; returns how many (fewer only at end of file). */
  readInto(target: Uint8Array, position: number): Promise<number>;
  size(): Promise<number>;
  /** fdatasync: the file's data and size are durable once this resolves. */
  datasync(): Promise<void>;
  /** Sets the size; growing fills with zeros. Durable after datasync. */
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface FileSystem {
  /** "create" makes a new empty file and fails if it exists; "append" and "read" open an existing one. */
  open(path: string, mode: "create" | "append" | "read"): Promise<FileHandle>;
  /** Whole file contents. */
  readFile(path: string): Promise<Buffer>;
  /** File names (not paths) in a directory, in no defined order; missing directory -> ENOENT. */
  list(dir: string): Promise<string[]>;
  exists(path: string): Promise<boolean>;
  mkdirp(dir: string): Promise<void>;
  /** Atomic replace; durable once the directory is synced. */
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** fsync of a directory: creations, renames and unlinks in it become durable. */
  syncDir(dir: string): Promise<void>;
}
