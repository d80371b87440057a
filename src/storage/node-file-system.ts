// The real file layer over node:fs/promises. Every call is asynchronous so that an fdatasync of one
// batch runs while the event loop keeps serving and queueing the next batch (group commit).

import { constants } from "node:fs";
import {
  mkdir,
  type FileHandle as NodeFileHandle,
  open,
  readdir,
  readFile,
  rename,
  stat,
  unlink,
} from "node:fs/promises";
import type { FileHandle, FileSystem } from "./file-system.js";

class NodeFile implements FileHandle {
  constructor(
    readonly path: string,
    private readonly fh: NodeFileHandle,
  ) {}

  async write(data: Uint8Array, position: number): Promise<void> {
    let done = 0;
    // pwrite may write less than asked (signals, quotas); loop until all is written or it errors.
    while (done < data.length) {
      const { bytesWritten } = await this.fh.write(data, done, data.length - done, position + done);
      if (bytesWritten === 0) throw Object.assign(new Error(`short write to ${this.path}`), { code: "EIO" });
      done += bytesWritten;
    }
  }

  async read(position: number, length: number): Promise<Buffer> {
    // Only the bytes read are handed out, so the buffer need not be zeroed first.
    const out = Buffer.allocUnsafe(length);
    const done = await this.readInto(out, position);
    return done === length ? out : out.subarray(0, done);
  }

  async readInto(target: Uint8Array, position: number): Promise<number> {
    let done = 0;
    while (done < target.length) {
      const { bytesRead } = await this.fh.read(target, done, target.length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done;
  }

  async size(): Promise<number> {
    return (await this.fh.stat()).size;
  }

  datasync(): Promise<void> {
    return this.fh.datasync();
  }

  truncate(length: number): Promise<void> {
    return this.fh.truncate(length);
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

export class NodeFileSystem implements FileSystem {
  async open(path: string, mode: "create" | "append" | "read"): Promise<FileHandle> {
    const flags =
      mode === "create"
        ? constants.O_RDWR | constants.O_CREAT | constants.O_EXCL
        : mode === "append"
          ? constants.O_RDWR
          : constants.O_RDONLY;
    return new NodeFile(path, await open(path, flags, 0o644));
  }

  readFile(path: string): Promise<Buffer> {
    return readFile(path);
  }

  list(dir: string): Promise<string[]> {
    return readdir(dir);
  }

  async exists(path: string): Promise<boolean> {
    try {
      await stat(path);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return false;
      throw error;
    }
  }

  async mkdirp(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
  }

  rename(from: string, to: string): Promise<void> {
    return rename(from, to);
  }

  unlink(path: string): Promise<void> {
    return unlink(path);
  }

  async syncDir(dir: string): Promise<void> {
    const fh = await open(dir, constants.O_RDONLY);
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}
