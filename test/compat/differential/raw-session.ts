// One client session spoken in raw frames through src/protocol, with no client library in between,
// so the differential test sees exactly what a server puts on the wire. Everything that arrives is
// kept in arrival order (replies and notifications alike), because the order of a session's events
// relative to its replies is part of what the test compares. A session can also be resumed on a new
// socket with its id and password, as a client does after a lost connection. Requests go out under
// whatever xid the script chose, and the xid each reply came back under is kept for comparison.

import { connect, type Socket } from "node:net";
import { readConnectResponse, writeConnectRequest } from "../../../src/protocol/connect.js";
import { JUTE_MAX_BUFFER_DEFAULT, OpCode, Xid } from "../../../src/protocol/constants.js";
import { readWatcherEvent, type WatcherEvent } from "../../../src/protocol/events.js";
import { FrameDecoder, frame } from "../../../src/protocol/framing.js";
import { JuteReader, JuteWriter } from "../../../src/protocol/jute.js";
import { encodeRequestBody, type Request, writeRequestHeader } from "../../../src/protocol/requests.js";
import { type ReplyHeader, readReplyHeader } from "../../../src/protocol/responses.js";

/** A reply as it arrived: the header and a reader positioned at the body. */
export interface RawReply {
  readonly header: ReplyHeader;
  readonly body: JuteReader;
  /** How many untaken notifications had arrived before this reply: they came first on the wire. */
  readonly eventsBefore: number;
}

/** What a pending request ends with: a reply, or the reason none came. */
export type Outcome = { readonly reply: RawReply } | { readonly lost: "closed" | "timeout" };

export interface Arrival {
  readonly kind: "event";
  readonly event: WatcherEvent;
  readonly zxid: bigint;
}

interface Pending {
  readonly xid: number;
  readonly settle: (outcome: Outcome) => void;
  readonly timer: NodeJS.Timeout;
}

/** No script keeps more than a handful of requests in flight; more means a runaway caller. */
const PENDING_MAX = 64;

export class RawSession {
  private nextXid = 1;
  private readonly pending: Pending[] = [];
  private closed = false;
  /** Notifications not yet taken by the runner, in arrival order. */
  private events: Arrival[] = [];
  /** The highest zxid in any reply, which a resumed connection reports as lastZxidSeen. */
  private lastZxid: bigint;
  private readonly closeWaiters: (() => void)[] = [];

  private constructor(
    private readonly socket: Socket,
    readonly sessionId: bigint,
    readonly timeOut: number,
    readonly passwd: Buffer,
    lastZxidSeen: bigint,
    private readonly replyTimeoutMs: number,
  ) {
    this.lastZxid = lastZxidSeen;
  }

  /** Connects, sends a new-session ConnectRequest and waits for the ConnectResponse. */
  static open(port: number, sessionTimeoutMs: number, replyTimeoutMs: number): Promise<RawSession> {
    return RawSession.connect(port, sessionTimeoutMs, replyTimeoutMs, 0n, Buffer.alloc(16), 0n);
  }

  /**
   * Resumes an existing session on a new socket. The server answers a dead session or a wrong
   * password with timeOut 0 and closes the socket; the session returned then reads as closed.
   */
  static resume(
    port: number,
    previous: { readonly sessionId: bigint; readonly passwd: Buffer; readonly lastZxidSeen: bigint },
    sessionTimeoutMs: number,
    replyTimeoutMs: number,
  ): Promise<RawSession> {
    return RawSession.connect(
      port,
      sessionTimeoutMs,
      replyTimeoutMs,
      previous.sessionId,
      previous.passwd,
      previous.lastZxidSeen,
    );
  }

  private static connect(
    port: number,
    sessionTimeoutMs: number,
    replyTimeoutMs: number,
    sessionId: bigint,
    passwd: Buffer,
    lastZxidSeen: bigint,
  ): Promise<RawSession> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port });
      socket.setNoDelay(true);
      const decoder = new FrameDecoder(JUTE_MAX_BUFFER_DEFAULT);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no ConnectResponse within ${replyTimeoutMs} ms on port ${port}`));
      }, replyTimeoutMs);
      let session: RawSession | undefined;
      socket.on("error", (error) => {
        if (session === undefined) {
          clearTimeout(timer);
          reject(error);
        }
      });
      socket.on("close", () => {
        if (session === undefined) {
          clearTimeout(timer);
          reject(new Error(`connection closed before the ConnectResponse on port ${port}`));
        } else session.onClose();
      });
      socket.on("data", (chunk: Buffer) => {
        decoder.push(chunk, (payload) => {
          if (session !== undefined) {
            session.onFrame(payload);
            return;
          }
          const response = readConnectResponse(new JuteReader(Buffer.from(payload)));
          clearTimeout(timer);
          session = new RawSession(
            socket,
            response.sessionId,
            response.timeOut,
            response.passwd,
            lastZxidSeen,
            replyTimeoutMs,
          );
          resolve(session);
        });
      });
      socket.on("connect", () => {
        const w = new JuteWriter();
        writeConnectRequest(w, {
          protocolVersion: 0,
          lastZxidSeen,
          timeOut: sessionTimeoutMs,
          sessionId,
          passwd,
          readOnly: false,
        });
        socket.write(frame(w.finish()));
      });
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get lastZxidSeen(): bigint {
    return this.lastZxid;
  }

  /**
   * Resolves true once the server has closed the connection, or false after `timeoutMs`. This is
   * how an expired session is noticed: the server closes its socket when it expires it.
   */
  closedWithin(timeoutMs: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Sends a request under `xid` (by default the next of this session's own) and resolves with its reply. */
  send(request: Request, xid = this.nextXid++): Promise<Outcome> {
    return this.sendWithXid(xid, request);
  }

  /** An auth packet; the Java client sends it under xid -4, other clients under an ordinary one. */
  auth(scheme: string, credential: string, xid: number): Promise<Outcome> {
    return this.sendWithXid(xid, {
      type: OpCode.auth,
      authType: 0,
      scheme,
      auth: Buffer.from(credential, "utf8"),
    });
  }

  /** A ping is a barrier: its reply comes after everything the server queued for us before it. */
  ping(): Promise<Outcome> {
    return this.sendWithXid(Xid.PING, { type: OpCode.ping });
  }

  /** Notifications that arrived since the last call, oldest first. */
  takeEvents(): Arrival[] {
    const taken = this.events;
    this.events = [];
    return taken;
  }

  /** Closes the socket without a closeSession, for tearing down at the end of a script. */
  destroy(): void {
    this.socket.destroy();
  }

  private sendWithXid(xid: number, request: Request): Promise<Outcome> {
    if (this.closed) return Promise.resolve({ lost: "closed" });
    if (this.pending.length >= PENDING_MAX) throw new Error(`more than ${PENDING_MAX} requests in flight`);
    const w = new JuteWriter();
    writeRequestHeader(w, { xid, type: request.type });
    encodeRequestBody(w, request);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const index = this.pending.findIndex((p) => p.timer === timer);
        if (index >= 0) this.pending.splice(index, 1);
        resolve({ lost: "timeout" });
      }, this.replyTimeoutMs);
      this.pending.push({ xid, settle: resolve, timer });
      this.socket.write(frame(w.finish()));
    });
  }

  private onFrame(payload: Buffer): void {
    const body = new JuteReader(Buffer.from(payload));
    const header = readReplyHeader(body);
    if (header.xid !== Xid.NOTIFICATION && header.zxid > this.lastZxid) this.lastZxid = header.zxid;
    if (header.xid === Xid.NOTIFICATION) {
      this.events.push({ kind: "event", event: readWatcherEvent(body), zxid: header.zxid });
      return;
    }
    // Replies come in request order, each under its request's xid but a ping's, which is -2
    // whatever the request said. A reply goes to the oldest pending request with its xid, or else
    // to the oldest pending one: a reply under a wrong xid is then recorded, and the comparison
    // shows it, rather than lost.
    if (this.pending.length === 0) return;
    // findIndex is -1 when no pending request has the xid: the oldest (index 0) takes the reply.
    const index = Math.max(
      0,
      this.pending.findIndex((p) => p.xid === header.xid),
    );
    const [entry] = this.pending.splice(index, 1);
    clearTimeout(entry!.timer);
    entry!.settle({ reply: { header, body, eventsBefore: this.events.length } });
  }

  private onClose(): void {
    this.closed = true;
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.settle({ lost: "closed" });
    }
    for (const wake of this.closeWaiters.splice(0)) wake();
  }
}
