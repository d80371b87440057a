// Receives one snapshot file from one peer: refuses an offer over the size bound, writes chunks in
// order to a partial file in the snapshot directory (pausing the socket while the disk is behind, so
// memory stays bounded), checks the whole file's CRC-32 at the end, fsyncs it, renames it into place
// and fsyncs the directory before reporting success. Any failure removes the partial file.

import { type FileHandle, open, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import type { Message } from "../../consensus/types.js";
import { FrameKind } from "./frame.js";
import type { FramedConnection } from "./framed-connection.js";
import { decodeMessage } from "./message-codec.js";
import type { PeerLimits, PeerLogger } from "./options.js";
import { decodeSnapChunk, decodeSnapEnd, decodeSnapOffer, encodeSnapReply } from "./snapshot-records.js";

/** Partial files carry this suffix; start-up removes any a crash left behind. */
export const PARTIAL_SUFFIX = ".snapshot.partial";

interface Incoming {
  transferId: number;
  message: Message;
  totalBytes: number;
  tempPath: string;
  file: FileHandle | null;
  /** Bytes handed to the disk so far (the next chunk's expected offset). */
  received: number;
  crc: number;
  pendingWriteBytes: number;
  writes: Promise<void>;
  failed: string | null;
}

export class SnapshotReceiver {
  private incoming: Incoming | null = null;
  /** Settles once any cleanup started by a failure has finished (close() waits for it). */
  idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly conn: FramedConnection,
    private readonly dir: string,
    private readonly limits: PeerLimits,
    private readonly logger: PeerLogger,
    private readonly deliver: (m: Message, path: string) => void,
  ) {}

  /** Handles a SnapOffer, SnapChunk or SnapEnd payload; throws PeerCodecError on a malformed one. */
  onFrame(kind: FrameKind, payload: Buffer): void {
    if (kind === FrameKind.SnapOffer) this.offer(payload);
    else if (kind === FrameKind.SnapChunk) this.chunk(payload);
    else this.end(payload);
  }

  private offer(payload: Buffer): void {
    const o = decodeSnapOffer(payload);
    const message = decodeMessage(o.message);
    const from = this.conn.peerId;
    const refusal =
      this.incoming !== null
        ? "another snapshot from this server is still being received"
        : message.snapshot === null || message.from !== from
          ? "the offer's message is not a Snap from the sender"
          : o.totalBytes > this.limits.snapshotBytesMax
            ? `${o.totalBytes} bytes exceed the limit of ${this.limits.snapshotBytesMax}; raise snapshotBytesMax on the receiver`
            : null;
    if (refusal !== null) {
      this.logger.warn(`refused a snapshot from server ${from}: ${refusal}`);
      const answer = { transferId: o.transferId, ok: false, reason: refusal };
      this.conn.writeAlways(encodeSnapReply(FrameKind.SnapAnswer, answer));
      return;
    }
    const tempPath = join(this.dir, `peer-${from}-transfer-${o.transferId}${PARTIAL_SUFFIX}`);
    const placeholder: Incoming = {
      transferId: o.transferId,
      message,
      totalBytes: o.totalBytes,
      tempPath,
      file: null,
      received: 0,
      crc: 0,
      pendingWriteBytes: 0,
      writes: Promise.resolve(),
      failed: null,
    };
    this.incoming = placeholder;
    const opened = open(tempPath, "w").then(
      (file) => {
        placeholder.file = file;
        if (placeholder.failed !== null) return;
        this.conn.writeAlways(
          encodeSnapReply(FrameKind.SnapAnswer, { transferId: o.transferId, ok: true, reason: "" }),
        );
      },
      (e: Error) => {
        placeholder.failed = `cannot create ${tempPath}: ${e.message}`;
      },
    );
    placeholder.writes = opened.then(() => {
      if (placeholder.failed !== null && this.incoming === placeholder)
        this.fail(placeholder, placeholder.failed, true);
    });
  }

  private chunk(payload: Buffer): void {
    const c = decodeSnapChunk(payload);
    const t = this.current(c.transferId);
    if (t === null) return;
    if (c.offset !== t.received || c.offset + c.data.length > t.totalBytes) {
      this.fail(
        t,
        `chunk at offset ${c.offset} (${c.data.length} bytes) does not follow ${t.received} of ${t.totalBytes}`,
        true,
      );
      return;
    }
    t.received += c.data.length;
    t.crc = crc32(c.data, t.crc);
    t.pendingWriteBytes += c.data.length;
    if (t.pendingWriteBytes > this.limits.snapshotPendingWriteBytesMax) this.conn.pauseReading();
    // Positional writes may run side by side in the thread pool; end() waits for all of them.
    const written =
      t.failed !== null || t.file === null
        ? Promise.resolve()
        : t.file.write(c.data, 0, c.data.length, c.offset).then(
            () => {},
            (e: Error) => this.fail(t, `writing ${t.tempPath} failed: ${e.message}`, true),
          );
    const settled = written.finally(() => {
      t.pendingWriteBytes -= c.data.length;
      if (t.pendingWriteBytes <= this.limits.snapshotPendingWriteBytesMax / 2) this.conn.resumeReading();
    });
    t.writes = Promise.all([t.writes, settled]).then(() => {});
  }

  private end(payload: Buffer): void {
    const e = decodeSnapEnd(payload);
    const t = this.current(e.transferId);
    if (t === null) return;
    if (e.totalBytes !== t.totalBytes || t.received !== t.totalBytes) {
      this.fail(t, `the stream ended after ${t.received} of ${t.totalBytes} bytes`, true);
      return;
    }
    if (e.crc32 !== t.crc) {
      this.fail(
        t,
        `file checksum mismatch (sender 0x${e.crc32.toString(16)}, received 0x${t.crc.toString(16)})`,
        true,
      );
      return;
    }
    const m = t.message;
    const finalPath = join(
      this.dir,
      `peer-${m.from}-snapshot-${m.snapshot!.meta.index}-${m.snapshot!.meta.term}.snap`,
    );
    t.writes = t.writes.then(async () => {
      if (t.failed !== null) return;
      try {
        await t.file!.sync();
        await t.file!.close();
        await rename(t.tempPath, finalPath);
        await syncDirectory(this.dir);
      } catch (err) {
        this.fail(t, `keeping ${finalPath} failed: ${(err as Error).message}`, true);
        return;
      }
      if (this.incoming === t) this.incoming = null;
      this.conn.writeAlways(
        encodeSnapReply(FrameKind.SnapResult, { transferId: t.transferId, ok: true, reason: "" }),
      );
      this.logger.info(
        `received snapshot at index ${m.snapshot!.meta.index} (${t.totalBytes} bytes) from server ${m.from}`,
      );
      this.deliver(m, finalPath);
    });
    this.idle = t.writes;
  }

  /** The transfer a chunk or end belongs to; frames of a transfer already failed are ignored. */
  private current(transferId: number): Incoming | null {
    const t = this.incoming;
    if (t !== null && t.transferId === transferId) return t;
    if (t !== null) this.fail(t, `frame for transfer ${transferId} during transfer ${t.transferId}`, true);
    return null;
  }

  /** Connection lost or transport closing: drop the partial file, no result to send. */
  abort(reason: string): void {
    if (this.incoming !== null) this.fail(this.incoming, reason, false);
  }

  private fail(t: Incoming, reason: string, reply: boolean): void {
    const first = t.failed === null || this.incoming === t;
    t.failed = reason;
    if (this.incoming === t) this.incoming = null;
    this.conn.resumeReading();
    if (reply)
      this.conn.writeAlways(
        encodeSnapReply(FrameKind.SnapResult, { transferId: t.transferId, ok: false, reason }),
      );
    this.idle = t.writes.then(async () => {
      await t.file?.close().catch(() => {});
      await unlink(t.tempPath).catch(() => {});
      if (first) {
        this.logger.warn(
          `receiving a snapshot from server ${t.message.from} failed: ${reason}; removed ${t.tempPath}`,
        );
      }
    });
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
