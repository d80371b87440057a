// A FileSystem that reads the real files and performs no change: every write, truncate, rename,
// unlink and directory creation is noted instead. The offline toolkit runs Paddock's own recovery
// through it, so `paddock data check` says exactly what a server start would repair, without
// touching a data directory that may belong to a stopped server.

import type { FileHandle, FileSystem } from "../../storage/file-system.js";
import { NodeFileSystem } from "../../storage/node-file-system.js";

export class DryRunFileSystem implements FileSystem {
  /** What a real start would have done to the files, in order. */
  readonly changes: string[] = [];
  private readonly real = new NodeFileSystem();

  async open(path: string, mode: "create" | "append" | "read"): Promise<FileHandle> {
    if (mode === "read") return this.real.open(path, "read");
    if (mode === "create") this.changes.push(`create ${path}`);
    const changes = this.changes;
    const existing = mode === "append" ? await this.real.open(path, "read") : undefined;
    return {
      path,
      write: async (data, position) => {
        changes.push(`write ${data.length} bytes to ${path} at byte ${position}`);
      },
      read: (position, length) => existing?.read(position, length) ?? Promise.resolve(Buffer.alloc(0)),
      readInto: (target, position) => existing?.readInto(target, position) ?? Promise.resolve(0),
      size: () => existing?.size() ?? Promise.resolve(0),
      datasync: async () => {},
      truncate: async (length) => {
        changes.push(`truncate ${path} to ${length} bytes`);
      },
      close: async () => {
        await existing?.close();
      },
    };
  }

  readFile(path: string): Promise<Buffer> {
    return this.real.readFile(path);
  }

  list(dir: string): Promise<string[]> {
    return this.real.list(dir);
  }

  exists(path: string): Promise<boolean> {
    return this.real.exists(path);
  }

  async mkdirp(dir: string): Promise<void> {
    if (!(await this.real.exists(dir))) this.changes.push(`create directory ${dir}`);
  }

  async rename(from: string, to: string): Promise<void> {
    this.changes.push(`rename ${from} to ${to}`);
  }

  async unlink(path: string): Promise<void> {
    this.changes.push(`remove ${path}`);
  }

  async syncDir(): Promise<void> {}
}
