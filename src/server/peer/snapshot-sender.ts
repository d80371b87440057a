// Streams one snapshot file to one peer over its quorum connection. The file is read a chunk at a
// time straight into the frame that carries it, and the next chunk is read only once at most two
// chunks wait for the kernel, so memory stays at a few chunks whatever the file's size and appends
// queued meanwhile wait behind at most that much. Any failure ends the transfer with `false`.

import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import { crc32 } from "node:zlib";
import type { Message } from "../../consensus/types.js";
import { FrameKind } from "./frame.js";
import type { FramedConnection } from "./framed-connection.js";
import { encodeMessage } from "./message-codec.js";
import type { PeerClock, PeerLimits, PeerLogger, Timer } from "./options.js";
import { allocSnapChunk, encodeSnapEnd, encodeSnapOffer, type SnapReply } from "./snapshot-records.js";

/** Chunks allowed to wait for the kernel before the next is read from disk. */
const CHUNKS_AHEAD = 4;

interface Waiter {
  kind: FrameKind;
  resolve: (r: SnapReply) => void;
  reject: (e: Error) => void;
  timer: Timer;
}

export class SnapshotSender {
  private waiter: Waiter | null = null;
  private aborted: string | null = null;

  constructor(
    private readonly conn: FramedConnection,
    readonly transferId: number,
    private readonly message: Message,
    private readonly path: string,
    private readonly limits: PeerLimits,
    private readonly clock: PeerClock,
    private readonly logger: PeerLogger,
  ) {}

  /** Resolves true once the receiver reports the file durable; never rejects. */
  async run(): Promise<boolean> {
    const to = this.message.to;
    let file: FileHandle | null = null;
    try {
      file = await open(this.path, "r");
      const totalBytes = (await file.stat()).size;
      this.check();
      const bare: Message = {
        ...this.message,
        snapshot: { meta: this.message.snapshot!.meta, data: new Uint8Array(0) },
      };
      this.conn.writeAlways(
        encodeSnapOffer({ transferId: this.transferId, totalBytes, message: encodeMessage(bare) }),
      );
      const answer = await this.reply(FrameKind.SnapAnswer);
      if (!answer.ok) throw new Error(`server ${to} refused it: ${answer.reason}`);
      let crc = 0;
      for (let offset = 0; offset < totalBytes; ) {
        const n = Math.min(this.limits.snapshotChunkBytes, totalBytes - offset);
        await this.conn.whenBulkBelow((CHUNKS_AHEAD - 1) * this.limits.snapshotChunkBytes);
        this.check();
        const chunk = allocSnapChunk(this.transferId, offset, n);
        const { bytesRead } = await file.read(chunk.data, 0, n, offset);
        this.check();
        if (bytesRead !== n)
          throw new Error(`${this.path} shrank to ${offset + bytesRead} bytes while being sent`);
        crc = crc32(chunk.data, crc);
        this.conn.writeBulk(chunk.seal());
        offset += n;
      }
      this.conn.writeAlways(encodeSnapEnd({ transferId: this.transferId, totalBytes, crc32: crc }));
      const result = await this.reply(FrameKind.SnapResult);
      if (!result.ok) throw new Error(`server ${to} could not keep it: ${result.reason}`);
      this.logger.info(
        `sent snapshot at index ${this.message.snapshot!.meta.index} (${totalBytes} bytes) to server ${to}`,
      );
      return true;
    } catch (e) {
      this.logger.warn(
        `sending snapshot ${this.path} to server ${to} failed: ${(e as Error).message}; the leader will retry`,
      );
      return false;
    } finally {
      this.settle(new Error("transfer over"));
      await file?.close().catch(() => {});
    }
  }

  /** The receiver's answer or result for this transfer. */
  deliver(kind: FrameKind, reply: SnapReply): void {
    const w = this.waiter;
    if (kind === FrameKind.SnapResult && !reply.ok) {
      this.abort(`server ${this.message.to} gave up on it: ${reply.reason}`);
      return;
    }
    if (w === null || w.kind !== kind) {
      this.abort(`unexpected ${kind === FrameKind.SnapAnswer ? "answer" : "result"} from the receiver`);
      return;
    }
    this.waiter = null;
    this.clock.clearTimeout(w.timer);
    w.resolve(reply);
  }

  /** Stops the transfer at its next step (connection lost, transport closing, peer removed). */
  abort(reason: string): void {
    if (this.aborted !== null) return;
    this.aborted = reason;
    this.settle(new Error(reason));
  }

  private check(): void {
    if (this.aborted !== null) throw new Error(this.aborted);
  }

  private reply(kind: FrameKind): Promise<SnapReply> {
    this.check();
    return new Promise((resolve, reject) => {
      const ms = this.limits.snapshotReplyTimeoutMs;
      const timer = this.clock.setTimeout(() => this.abort(`no reply from the receiver in ${ms} ms`), ms);
      this.waiter = { kind, resolve, reject, timer };
    });
  }

  private settle(error: Error): void {
    const w = this.waiter;
    if (w === null) return;
    this.waiter = null;
    this.clock.clearTimeout(w.timer);
    w.reject(error);
  }
}
