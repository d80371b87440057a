// One raw, pipelined ZooKeeper session for the load generator, speaking the wire protocol through
// Paddock's own codec. Requests are pre-encoded templates copied into a per-turn outbox with the
// xid patched in, and replies are matched by reading only the 16-byte header, so the generator
// spends its CPU on the sockets rather than on building and decoding records.

import { connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { readConnectResponse, SESSION_PASSWORD_BYTES, writeConnectRequest } from "../src/protocol/connect.js";
import { OpCode, Xid } from "../src/protocol/constants.js";
import { FrameDecoder, frame } from "../src/protocol/framing.js";
import { JuteReader, JuteWriter } from "../src/protocol/jute.js";
import { encodeRequestBody, type Request, writeRequestHeader } from "../src/protocol/requests.js";

/** Frames a reply may reach; getChildren of a very wide node is the largest the benchmarks ask. */
const FRAME_BYTES_MAX = 64 * 1024 * 1024;
const OUTBOX_BYTES = 16 * 1024;
const CLOSE_WAIT_MS = 10_000;

/** A request frame (length prefix included) with xid 0; `send` copies it and patches the xid. */
export function requestTemplate(req: Request): Buffer {
  const w = new JuteWriter(128);
  writeRequestHeader(w, { xid: 0, type: req.type });
  encodeRequestBody(w, req);
  return frame(w.finish());
}

const CLOSE_SESSION = requestTemplate({ type: OpCode.closeSession });

/** Called for each reply with the tag given at send, the error code, the payload and the send time. */
export type ReplyHandler = (tag: number, err: number, payload: Buffer, sentAtMs: number) => void;

/** FIFO of requests in flight: ZooKeeper answers a session's requests in the order sent. */
class InFlight {
  private xids = new Int32Array(64);
  private tags = new Int32Array(64);
  private sentAt = new Float64Array(64);
  private head = 0;
  length = 0;

  push(xid: number, tag: number, sentAtMs: number): void {
    if (this.length === this.xids.length) this.grow();
    const at = (this.head + this.length) & (this.xids.length - 1);
    this.xids[at] = xid;
    this.tags[at] = tag;
    this.sentAt[at] = sentAtMs;
    this.length++;
  }

  /** Removes the oldest entry; its fields stay readable through the returned index until the next push. */
  shift(): number {
    const at = this.head;
    this.head = (this.head + 1) & (this.xids.length - 1);
    this.length--;
    return at;
  }

  xidAt(at: number): number {
    return this.xids[at]!;
  }
  tagAt(at: number): number {
    return this.tags[at]!;
  }
  sentAtOf(at: number): number {
    return this.sentAt[at]!;
  }

  private grow(): void {
    const size = this.xids.length * 2;
    const xids = new Int32Array(size);
    const tags = new Int32Array(size);
    const sentAt = new Float64Array(size);
    for (let i = 0; i < this.length; i++) {
      const from = (this.head + i) & (this.xids.length - 1);
      xids[i] = this.xids[from]!;
      tags[i] = this.tags[from]!;
      sentAt[i] = this.sentAt[from]!;
    }
    this.xids = xids;
    this.tags = tags;
    this.sentAt = sentAt;
    this.head = 0;
  }
}

export class BenchSession {
  onReply: ReplyHandler = () => {};
  /** A watch event: its type (EventType) and the raw notification payload. */
  onNotification: (eventType: number, payload: Buffer) => void = () => {};
  /** The connection ended while the session was open; requests in flight are lost. */
  onLost: (error: Error) => void = () => {};
  sessionId = 0n;
  private readonly inFlight = new InFlight();
  private readonly decoder = new FrameDecoder(FRAME_BYTES_MAX);
  private outbox = Buffer.allocUnsafe(OUTBOX_BYTES);
  private outboxBytes = 0;
  private flushScheduled = false;
  private nextXid = 1;
  private closing = false;
  private closed = false;

  private constructor(private readonly socket: Socket) {}

  /** Connects and completes the handshake; rejects when the server refuses or does not answer. */
  static open(
    host: string,
    port: number,
    timeoutMs = 10_000,
    sessionTimeoutMs = 30_000,
  ): Promise<BenchSession> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true });
      const session = new BenchSession(socket);
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new Error(`no handshake from ${host}:${port} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      socket.on("error", (error) => (settled ? session.lost(error) : fail(error)));
      socket.on("close", () =>
        settled
          ? session.lost(new Error("server closed the connection"))
          : fail(new Error("closed during handshake")),
      );
      socket.on("connect", () => {
        const w = new JuteWriter(64);
        writeConnectRequest(w, {
          protocolVersion: 0,
          lastZxidSeen: 0n,
          timeOut: sessionTimeoutMs,
          sessionId: 0n,
          passwd: Buffer.alloc(SESSION_PASSWORD_BYTES),
          readOnly: false,
        });
        socket.write(frame(w.finish()));
      });
      let handshaken = false;
      socket.on("data", (chunk: Buffer) => {
        try {
          session.decoder.push(chunk, (payload) => {
            if (handshaken) {
              session.receive(payload);
              return;
            }
            handshaken = true;
            const response = readConnectResponse(new JuteReader(payload));
            if (response.sessionId === 0n) throw new Error("server refused the session");
            session.sessionId = response.sessionId;
            settled = true;
            clearTimeout(timer);
            resolve(session);
          });
        } catch (error) {
          if (settled) session.lost(error as Error);
          else fail(error as Error);
        }
      });
    });
  }

  get requestsInFlight(): number {
    return this.inFlight.length;
  }

  get isOpen(): boolean {
    return !this.closed && !this.closing;
  }

  /** Queues a request built by `requestTemplate`; it leaves with the others sent in this turn. */
  send(template: Buffer, tag: number): void {
    if (this.closed) return;
    const xid = this.nextXid;
    this.nextXid = xid === 0x7fffffff ? 1 : xid + 1;
    if (this.outboxBytes + template.length > this.outbox.length) {
      this.flush();
      if (template.length > this.outbox.length) this.outbox = Buffer.allocUnsafe(template.length);
    }
    template.copy(this.outbox, this.outboxBytes);
    this.outbox.writeInt32BE(xid, this.outboxBytes + 4);
    this.outboxBytes += template.length;
    this.inFlight.push(xid, tag, performance.now());
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.outboxBytes === 0 || this.closed) return;
    // The socket keeps the buffer until it is sent, so the next turn writes into a fresh one.
    this.socket.write(this.outbox.subarray(0, this.outboxBytes));
    this.outbox = Buffer.allocUnsafe(OUTBOX_BYTES);
    this.outboxBytes = 0;
  }

  private receive(payload: Buffer): void {
    const xid = payload.readInt32BE(0);
    if (xid === Xid.NOTIFICATION) {
      this.onNotification(payload.readInt32BE(16), payload);
      return;
    }
    if (xid === Xid.PING) return;
    if (this.inFlight.length === 0) throw new Error(`reply with xid ${xid} but no request in flight`);
    const at = this.inFlight.shift();
    const expected = this.inFlight.xidAt(at);
    if (xid !== expected) throw new Error(`reply out of order: xid ${xid}, expected ${expected}`);
    this.onReply(this.inFlight.tagAt(at), payload.readInt32BE(12), payload, this.inFlight.sentAtOf(at));
  }

  private lost(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    if (!this.closing) this.onLost(error);
  }

  /** Sends closeSession and waits for the server to close; bounded, so a stuck server cannot hang a run. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closing = true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, CLOSE_WAIT_MS);
      this.socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      this.onReply = () => {};
      this.send(CLOSE_SESSION, -1);
    });
  }
}
