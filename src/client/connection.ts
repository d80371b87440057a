// One TCP connection to one server: the handshake, framing, the FIFO of requests awaiting replies,
// and the heartbeat. Replies come back in request order (wire-protocol §11), so each reply is
// matched to the head of the FIFO and a mismatch is a broken stream. Auth replies are answered out
// of band by the server, so they have a FIFO of their own. When the socket ends, every request
// still in flight is told, and the session layer decides what happens next.

import { createConnection, type Socket } from "node:net";
import {
  type ConnectRequest,
  type ConnectResponse,
  readConnectResponse,
  writeConnectRequest,
} from "../protocol/connect.js";
import { OpCode, Xid } from "../protocol/constants.js";
import { readWatcherEvent, type WatcherEvent } from "../protocol/events.js";
import { FrameDecoder, frame } from "../protocol/framing.js";
import { JuteReader, JuteWriter } from "../protocol/jute.js";
import { encodeRequestBody, type Request, writeRequestHeader } from "../protocol/requests.js";
import { type ReplyHeader, readReplyHeader } from "../protocol/responses.js";

/** A request written to this connection, waiting for its reply. */
export interface InFlight {
  readonly xid: number;
  /** Called with the reply header and a reader positioned at the body. */
  reply(header: ReplyHeader, body: JuteReader): void;
  /** Called when the connection ends first; the request may or may not have been applied. */
  lost(error: Error): void;
}

export interface ConnectionEvents {
  notification(zxid: bigint, event: WatcherEvent): void;
  /** Every reply's zxid, so the session can track lastZxidSeen. */
  zxid(zxid: bigint): void;
  closed(error: Error): void;
}

export class ConnectionClosedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConnectionClosedError";
  }
}

const noReply = (): void => {};

export class Connection {
  private readonly inFlight: InFlight[] = [];
  private readonly authInFlight: InFlight[] = [];
  private heartbeat: NodeJS.Timeout | undefined;
  private lastSentAt = Date.now();
  private lastReceivedAt = Date.now();
  private ended = false;
  private corked = false;
  private events: ConnectionEvents | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly decoder: FrameDecoder,
    readonly host: string,
    readonly port: number,
  ) {}

  /**
   * Connects, sends the ConnectRequest and waits for the ConnectResponse, all within `timeoutMs`.
   * Rejects when the server closes without answering (it does so for a client ahead of it, or a
   * read-write client of a read-only server) so the caller moves on to the next host.
   */
  static open(
    host: string,
    port: number,
    request: ConnectRequest,
    timeoutMs: number,
    frameBytesMax: number,
  ): Promise<{ connection: Connection; response: ConnectResponse }> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host, port });
      socket.setNoDelay(true);
      const decoder = new FrameDecoder(frameBytesMax);
      let settled = false;
      const fail = (why: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(new ConnectionClosedError(`${host}:${port}: ${why}`));
      };
      const timer = setTimeout(() => fail(`no session within ${timeoutMs} ms`), timeoutMs);
      socket.once("error", (error) => fail(error.message));
      socket.once("close", () => fail("closed by the server during the handshake"));
      socket.once("connect", () => {
        const w = new JuteWriter(64);
        writeConnectRequest(w, request);
        socket.write(frame(w.finish()));
      });
      const onData = (chunk: Buffer): void => {
        try {
          decoder.push(chunk, (payload) => {
            if (settled) throw new ConnectionClosedError("frames after the handshake arrived with it");
            const response = readConnectResponse(new JuteReader(payload));
            settled = true;
            clearTimeout(timer);
            // Hold further bytes until attach(): a flowing socket without a data listener drops them.
            socket.pause();
            socket.off("data", onData);
            socket.removeAllListeners("error");
            socket.removeAllListeners("close");
            socket.on("error", noReply);
            resolve({ connection: new Connection(socket, decoder, host, port), response });
          });
        } catch (error) {
          fail((error as Error).message);
        }
      };
      socket.on("data", onData);
    });
  }

  /** Starts delivering frames; called once the session layer is ready to receive them. */
  attach(events: ConnectionEvents, negotiatedTimeoutMs: number): void {
    this.events = events;
    this.socket.on("data", (chunk: Buffer) => this.onData(chunk));
    this.socket.on("error", (error) => this.end(new ConnectionClosedError(error.message)));
    this.socket.on("close", () => this.end(new ConnectionClosedError("the server closed the connection")));
    this.socket.off("error", noReply);
    this.socket.resume();
    if (this.socket.destroyed) this.end(new ConnectionClosedError("the server closed the connection"));
    // ZooKeeper's client: silence for 2/3 of the session timeout means the server is gone; ping
    // when nothing was sent for half of that, so a healthy idle connection never looks silent.
    const readTimeoutMs = Math.max(1, Math.floor((negotiatedTimeoutMs * 2) / 3));
    const checkMs = Math.max(10, Math.floor(readTimeoutMs / 4));
    this.heartbeat = setInterval(() => {
      const now = Date.now();
      if (now - this.lastReceivedAt > readTimeoutMs) {
        this.end(new ConnectionClosedError(`nothing received for ${now - this.lastReceivedAt} ms`));
      } else if (now - this.lastSentAt >= readTimeoutMs / 2) {
        this.send({ type: OpCode.ping }, { xid: Xid.PING, reply: noReply, lost: noReply });
      }
    }, checkMs);
    this.heartbeat.unref();
  }

  get inFlightCount(): number {
    return this.inFlight.length;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Writes one request; its reply or loss is reported to `waiter`. */
  send(request: Request, waiter: InFlight): void {
    if (this.ended) {
      waiter.lost(new ConnectionClosedError("connection already closed"));
      return;
    }
    const w = new JuteWriter(64);
    w.writeInt(0);
    writeRequestHeader(w, { xid: waiter.xid, type: request.type });
    encodeRequestBody(w, request);
    w.patchInt(0, w.length - 4);
    (waiter.xid === Xid.AUTH ? this.authInFlight : this.inFlight).push(waiter);
    this.lastSentAt = Date.now();
    // Requests issued in one tick (a pipelined burst) leave in one write rather than one syscall each.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(w.finish());
  }

  close(): void {
    this.end(new ConnectionClosedError("closed by the client"));
  }

  private onData(chunk: Buffer): void {
    this.lastReceivedAt = Date.now();
    try {
      this.decoder.push(chunk, (payload) => this.onFrame(payload));
    } catch (error) {
      this.end(new ConnectionClosedError(`broken reply stream: ${(error as Error).message}`));
    }
  }

  private onFrame(payload: Buffer): void {
    if (this.ended) return;
    const r = new JuteReader(payload);
    const header = readReplyHeader(r);
    if (header.xid === Xid.NOTIFICATION) {
      this.events?.notification(header.zxid, readWatcherEvent(r));
      return;
    }
    if (header.zxid > 0n) this.events?.zxid(header.zxid);
    const queue = header.xid === Xid.AUTH ? this.authInFlight : this.inFlight;
    const waiter = queue.shift();
    if (!waiter || waiter.xid !== header.xid) {
      throw new Error(`reply xid ${header.xid} out of order (expected ${waiter?.xid ?? "none"})`);
    }
    waiter.reply(header, r);
  }

  private end(error: Error): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    this.socket.destroy();
    const lost = [...this.authInFlight, ...this.inFlight];
    this.authInFlight.length = 0;
    this.inFlight.length = 0;
    for (const waiter of lost) waiter.lost(error);
    this.events?.closed(error);
  }
}
