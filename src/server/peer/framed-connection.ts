// One TCP connection to a peer, in frames: it batches every frame written in one event-loop turn into
// a single socket write (concatenated at setImmediate), bounds what may wait for the kernel by bytes and
// count, keeps an idle connection proven alive with Ping frames and closes a silent one. The
// transport drives the handshake on top of it and then routes its frames.

import type { Socket } from "node:net";
import type { Channel } from "./channel.js";
import { encodeFrame, FrameDecoder, FrameKind } from "./frame.js";
import type { PeerClock, PeerLimits, Timer } from "./options.js";
import { PeerCodecError } from "./wire.js";

const PING_FRAME = encodeFrame(FrameKind.Ping, new Uint8Array(0));

export class ConnectionClosedError extends Error {
  constructor(reason: string) {
    super(`peer connection closed: ${reason}`);
    this.name = "ConnectionClosedError";
  }
}

export class FramedConnection {
  /** Known once the handshake names the peer (at once for a dialer). */
  peerId = 0;
  readonly decoder: FrameDecoder;
  bytesSent = 0;
  bytesReceived = 0;
  /** Frames handed to the socket whose bytes the kernel has not taken yet. */
  queuedFrames = 0;
  closed = false;
  closeReason = "";
  onFrame: (kind: FrameKind, payload: Buffer) => void = () => {};
  onClose: (reason: string) => void = () => {};

  /** Frames written in this event-loop turn, handed to the socket as one buffer at its end. */
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private flushImmediate: NodeJS.Immediate | null = null;
  private bulkBytes = 0;
  private bulkWaiters: { below: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  private lastSentAt: number;
  private lastReceivedAt: number;
  private timer: Timer | null = null;
  private pausedByReceiver = false;

  constructor(
    readonly socket: Socket,
    readonly channel: Channel,
    /** "dialed 127.0.0.1:2888" or "from 127.0.0.1:51234", for log lines. */
    readonly description: string,
    private readonly limits: PeerLimits,
    private readonly clock: PeerClock,
    handshakeFrameBytesMax: number,
  ) {
    this.decoder = new FrameDecoder(handshakeFrameBytesMax);
    this.lastSentAt = this.lastReceivedAt = clock.now();
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("error", (e) => this.close(e.message));
    socket.on("close", () => this.close("closed by the other side"));
    socket.on("end", () => this.close("closed by the other side"));
    this.arm(limits.handshakeTimeoutMs, () => this.close(`no handshake in ${limits.handshakeTimeoutMs} ms`));
  }

  /** After the handshake: full-size frames, pings and the idle check. */
  established(peerId: number): void {
    this.peerId = peerId;
    this.decoder.frameBytesMax = this.limits.frameBytesMax;
    this.lastReceivedAt = this.clock.now();
    this.keepAlive();
  }

  /** Bytes waiting for the kernel, snapshot chunks aside. */
  get queuedBytes(): number {
    return Math.max(0, this.socket.writableLength - this.bulkBytes) + this.batchBytes;
  }

  /**
   * Queues a frame unless the bounds are reached (an empty queue takes any frame, so one frame larger
   * than the byte bound still goes). Returns false when the frame was not queued.
   */
  tryWrite(frame: Buffer): boolean {
    if (this.closed) return false;
    if (this.queuedFrames > 0) {
      if (this.queuedFrames >= this.limits.queueFramesMax) return false;
      if (this.queuedBytes + frame.length > this.limits.queueBytesMax) return false;
    }
    this.write(frame, false);
    return true;
  }

  /** Queues a frame outside the bounds: handshake replies, snapshot records. */
  writeAlways(frame: Buffer): void {
    if (!this.closed) this.write(frame, false);
  }

  /** Queues a snapshot chunk; the sender paces itself with whenBulkBelow. */
  writeBulk(frame: Buffer): void {
    if (this.closed) throw new ConnectionClosedError(this.closeReason);
    this.write(frame, true);
  }

  /** Resolves once at most `bytes` of snapshot chunks wait for the kernel; rejects on close. */
  whenBulkBelow(bytes: number): Promise<void> {
    if (this.closed) return Promise.reject(new ConnectionClosedError(this.closeReason));
    if (this.bulkBytes <= bytes) return Promise.resolve();
    return new Promise((resolve, reject) => this.bulkWaiters.push({ below: bytes, resolve, reject }));
  }

  /** Flow control for a snapshot receiver whose disk is behind. */
  pauseReading(): void {
    this.pausedByReceiver = true;
    this.socket.pause();
  }

  resumeReading(): void {
    if (!this.pausedByReceiver) return;
    this.pausedByReceiver = false;
    this.lastReceivedAt = this.clock.now();
    if (!this.closed) this.socket.resume();
  }

  private write(frame: Buffer, bulk: boolean): void {
    this.queuedFrames++;
    this.bytesSent += frame.length;
    this.lastSentAt = this.clock.now();
    if (bulk) {
      // A chunk is large enough to be its own write; what was queued before it goes first.
      this.flush();
      this.bulkBytes += frame.length;
      this.socket.write(frame, () => {
        this.queuedFrames--;
        this.bulkBytes -= frame.length;
        this.releaseBulkWaiters();
      });
      return;
    }
    this.batch.push(frame);
    this.batchBytes += frame.length;
    if (this.flushImmediate === null) this.flushImmediate = setImmediate(() => this.flush());
  }

  /** One socket write for the whole batch: one syscall and one callback instead of one per frame. */
  private flush(): void {
    if (this.flushImmediate !== null) clearImmediate(this.flushImmediate);
    this.flushImmediate = null;
    const frames = this.batch.length;
    if (frames === 0 || this.socket.destroyed) return;
    const bytes = frames === 1 ? this.batch[0]! : Buffer.concat(this.batch, this.batchBytes);
    this.batch = [];
    this.batchBytes = 0;
    this.socket.write(bytes, () => {
      this.queuedFrames -= frames;
    });
  }

  private releaseBulkWaiters(): void {
    const ready = this.bulkWaiters.filter((w) => this.bulkBytes <= w.below);
    if (ready.length === 0) return;
    this.bulkWaiters = this.bulkWaiters.filter((w) => this.bulkBytes > w.below);
    for (const w of ready) w.resolve();
  }

  private receive(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    this.lastReceivedAt = this.clock.now();
    try {
      this.decoder.push(chunk, (kind, payload) => {
        if (kind !== FrameKind.Ping) this.onFrame(kind, payload);
      });
    } catch (e) {
      if (!(e instanceof PeerCodecError)) throw e;
      this.close(`protocol error: ${e.message}`);
    }
  }

  private keepAlive(): void {
    const every = Math.max(1, Math.min(this.limits.pingIntervalMs, this.limits.idleTimeoutMs / 2));
    this.arm(every, () => {
      const now = this.clock.now();
      if (!this.pausedByReceiver && now - this.lastReceivedAt > this.limits.idleTimeoutMs) {
        this.close(`nothing received for ${Math.round(now - this.lastReceivedAt)} ms`);
        return;
      }
      if (now - this.lastSentAt >= this.limits.pingIntervalMs) this.write(PING_FRAME, false);
      this.keepAlive();
    });
  }

  private arm(ms: number, fn: () => void): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(fn, ms);
  }

  /** Idempotent; the first reason is the one reported. Frames already queued are flushed, not lost. */
  close(reason: string, graceful = false): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    this.decoder.halt();
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.flush();
    if (graceful) {
      this.socket.end();
      this.socket.setTimeout(this.limits.handshakeTimeoutMs, () => this.socket.destroy());
    } else this.socket.destroy();
    const error = new ConnectionClosedError(reason);
    for (const w of this.bulkWaiters.splice(0)) w.reject(error);
    this.onClose(reason);
  }
}
