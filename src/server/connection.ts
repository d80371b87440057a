// One client connection: byte stream in, frames decoded, replies out in request order. It knows the
// protocol's connection states (a four-letter word or a ConnectRequest first, frames held while the
// session is being set up, requests after) but nothing about znodes: requests go to its handler.
// It is driven through a Transport, so tests can feed bytes and read replies without a socket.

import { type ConnectRequest, readConnectRequest } from "../protocol/connect.js";
import { OpCode } from "../protocol/constants.js";
import type { Id } from "../protocol/data.js";
import { FrameDecoder, FrameLengthError } from "../protocol/framing.js";
import { JuteDecodeError, JuteReader } from "../protocol/jute.js";
import { decodeRequestBody, type Request, UnknownOpcodeError } from "../protocol/requests.js";
import { FOUR_LETTER_WORDS } from "./config.js";
import { replyFrame } from "./replies.js";

export interface Transport {
  readonly remoteAddress: string;
  readonly remotePort: number;
  write(data: Buffer): void;
  /** Closes after what was written has been sent. */
  end(): void;
  pause(): void;
  resume(): void;
}

/** What the server provides to its connections. */
export interface ConnectionHandler {
  readonly frameBytesMax: number;
  /** Bound on requests in flight per connection before reading pauses (back-pressure). */
  readonly outstandingMax: number;
  /** True while the server as a whole has too many requests in flight: every connection pauses. */
  readonly throttled: boolean;
  /** Counts requests in flight across connections (positive: queued; negative: answered or dropped). */
  outstandingChanged(delta: number): void;
  /** Server-wide counters; the connection counts what it sends. */
  readonly stats: { packetsSent: number };
  fourLetterWord(conn: Connection, word: string, payload: Buffer): void;
  connect(conn: Connection, req: ConnectRequest): void;
  request(conn: Connection, xid: number, req: Request): void;
  /** A request that could not be decoded; `unknownOpcode` ones must be answered and the link closed. */
  malformed(conn: Connection, xid: number, unknownOpcode: boolean): void;
  closed(conn: Connection): void;
}

const FOUR_LETTER_WORD_SET: ReadonlySet<string> = new Set(FOUR_LETTER_WORDS);

/** Frames that may arrive behind a ConnectRequest before the session exists (Java pipelines them). */
const HANDSHAKE_FRAMES_MAX = 4096;

type ConnectionState = "new" | "handshaking" | "established" | "closed";

/** A place in the reply order: filled at once (ready), later by a commit, or evaluated at the head. */
interface Slot {
  bytes: Buffer | undefined;
  evaluate: (() => Buffer) | undefined;
  closeAfter: boolean;
}

export interface ConnectionStats {
  packetsReceived: number;
  packetsSent: number;
  lastOp: string;
  lastCxid: number;
  lastZxid: bigint;
  lastResponseTimeMs: number;
  lastLatencyMs: number;
  minLatencyMs: number;
  maxLatencyMs: number;
  totalLatencyMs: number;
  latencyCount: number;
  establishedAtMs: number;
}

export function freshConnectionStats(): ConnectionStats {
  return {
    packetsReceived: 0,
    packetsSent: 0,
    lastOp: "NA",
    lastCxid: -1,
    lastZxid: -1n,
    lastResponseTimeMs: 0,
    lastLatencyMs: 0,
    minLatencyMs: Number.MAX_SAFE_INTEGER,
    maxLatencyMs: 0,
    totalLatencyMs: 0,
    latencyCount: 0,
    establishedAtMs: 0,
  };
}

export class Connection {
  private state: ConnectionState = "new";
  private readonly decoder: FrameDecoder;
  /** The first bytes, held until we know whether they are a four-letter word; undefined once we do. */
  private prefix: Buffer | undefined = Buffer.alloc(0);
  private readonly held: Buffer[] = [];
  private readonly slots: Slot[] = [];
  private paused = false;

  sessionId = 0n;
  sessionTimeoutMs = 0;
  /**
   * Identities for ACL checks: ip first, then what auth packets added. Replaced, never changed in
   * place, so a request can keep the identities it arrived with.
   */
  authIds: readonly Id[];
  stats = freshConnectionStats();

  constructor(
    readonly transport: Transport,
    private readonly handler: ConnectionHandler,
  ) {
    this.decoder = new FrameDecoder(handler.frameBytesMax);
    this.authIds = [{ scheme: "ip", id: transport.remoteAddress }];
  }

  resetStats(): void {
    const establishedAtMs = this.stats.establishedAtMs;
    this.stats = freshConnectionStats();
    this.stats.establishedAtMs = establishedAtMs;
  }

  get isEstablished(): boolean {
    return this.state === "established";
  }

  get isClosed(): boolean {
    return this.state === "closed";
  }

  /** Replies queued or awaited. */
  get outstanding(): number {
    return this.slots.length;
  }

  /** Bytes arrived from the peer. */
  receive(chunk: Buffer): void {
    if (this.state === "closed") return;
    try {
      // Only a connection's first four bytes can be a four-letter word: later bytes of a frame
      // that arrives in small pieces are frame bytes, whatever they spell.
      if (this.prefix !== undefined) {
        const data = this.prefix.length > 0 ? Buffer.concat([this.prefix, chunk]) : chunk;
        if (data.length < 4) {
          this.prefix = Buffer.from(data);
          return;
        }
        const word = data.toString("latin1", 0, 4);
        if (FOUR_LETTER_WORD_SET.has(word)) {
          // stmk carries an 8-byte mask; wait for it.
          if (word === "stmk" && data.length < 12) {
            this.prefix = Buffer.from(data);
            return;
          }
          // The handler writes the answer and ends the transport; nothing more is read.
          this.state = "closed";
          this.handler.fourLetterWord(this, word, data.subarray(4));
          return;
        }
        this.prefix = undefined;
        this.decoder.push(data, (f) => this.onFrame(f));
        return;
      }
      this.decoder.push(chunk, (f) => this.onFrame(f));
    } catch (e) {
      if (e instanceof FrameLengthError) {
        this.close();
        return;
      }
      throw e;
    }
  }

  private onFrame(payload: Buffer): void {
    switch (this.state) {
      case "new": {
        let req: ConnectRequest;
        try {
          req = readConnectRequest(new JuteReader(payload));
        } catch (e) {
          if (e instanceof JuteDecodeError) {
            this.close();
            return;
          }
          throw e;
        }
        this.state = "handshaking";
        this.stats.packetsReceived++;
        this.handler.connect(this, req);
        return;
      }
      case "handshaking":
        if (this.held.length >= HANDSHAKE_FRAMES_MAX) {
          this.close();
          return;
        }
        this.held.push(Buffer.from(payload));
        return;
      case "established":
        this.onRequestFrame(payload);
        return;
      case "closed":
        return;
    }
  }

  private onRequestFrame(payload: Buffer): void {
    this.stats.packetsReceived++;
    if (payload.length < 8) {
      // Not even a RequestHeader: ZooKeeper fails to deserialize and drops the connection.
      this.close();
      return;
    }
    const r = new JuteReader(payload, 0, payload.length, this.handler.frameBytesMax);
    const xid = r.readInt();
    const type = r.readInt();
    let req: Request;
    try {
      req = decodeRequestBody(type, r);
    } catch (e) {
      if (e instanceof UnknownOpcodeError || e instanceof JuteDecodeError) {
        this.handler.malformed(this, xid, e instanceof UnknownOpcodeError);
        return;
      }
      throw e;
    }
    if (type === OpCode.check) {
      // Only meaningful inside multi; 3.9 answers it like an unknown opcode.
      this.handler.malformed(this, xid, true);
      return;
    }
    this.handler.request(this, xid, req);
  }

  /** The session exists: send the handshake answer and process what arrived behind the request. */
  establish(sessionId: bigint, timeoutMs: number, response: Buffer, nowMs: number): void {
    if (this.state !== "handshaking") return;
    this.sessionId = sessionId;
    this.sessionTimeoutMs = timeoutMs;
    this.state = "established";
    this.stats.establishedAtMs = nowMs;
    this.transport.write(response);
    this.stats.packetsSent++;
    this.handler.stats.packetsSent++;
    const held = this.held.splice(0);
    for (const frame of held) {
      if (this.state !== "established") break;
      this.onRequestFrame(frame);
    }
  }

  /** Refuses the handshake with `response` (or silently when undefined) and closes. */
  reject(response: Buffer | undefined): void {
    if (response !== undefined) this.transport.write(response);
    this.close();
  }

  /** A reply that is known now; sent once everything before it has been sent. */
  replyNow(bytes: Buffer, closeAfter = false): void {
    this.enqueue({ bytes, evaluate: undefined, closeAfter });
  }

  /** A read: evaluated when it reaches the head, after the session's earlier writes were applied. */
  replyInOrder(evaluate: () => Buffer): void {
    this.enqueue({ bytes: undefined, evaluate, closeAfter: false });
  }

  /** A write's place in the order; the returned function fills it once the entry is applied. */
  replyLater(): (bytes: Buffer, closeAfter?: boolean) => void {
    const slot: Slot = { bytes: undefined, evaluate: undefined, closeAfter: false };
    this.enqueue(slot);
    return (bytes, closeAfter = false) => {
      slot.bytes = bytes;
      slot.closeAfter = closeAfter;
      this.flush();
    };
  }

  /** A watch notification: not part of the reply order, sent at once. */
  notify(bytes: Buffer): void {
    if (this.state !== "established") return;
    this.transport.write(bytes);
    this.stats.packetsSent++;
    this.handler.stats.packetsSent++;
  }

  private enqueue(slot: Slot): void {
    if (this.state === "closed") return;
    this.slots.push(slot);
    this.handler.outstandingChanged(1);
    this.updateFlow();
    if (this.slots.length === 1) this.flush();
  }

  private flush(): void {
    let sent = 0;
    while (this.slots.length > 0 && this.state !== "closed") {
      const head = this.slots[0]!;
      if (head.bytes === undefined && head.evaluate !== undefined) head.bytes = head.evaluate();
      if (head.bytes === undefined) break;
      this.slots.shift();
      sent++;
      this.transport.write(head.bytes);
      this.stats.packetsSent++;
      this.handler.stats.packetsSent++;
      if (head.closeAfter) {
        this.handler.outstandingChanged(-sent);
        this.close();
        return;
      }
    }
    if (sent > 0) this.handler.outstandingChanged(-sent);
    this.updateFlow();
  }

  /**
   * Stops reading while this connection or the server has too much in flight (TCP back-pressure,
   * as ZooKeeper does), and starts again once this connection is at half its bound.
   */
  updateFlow(): void {
    if (this.state === "closed") return;
    const pending = this.slots.length;
    if (!this.paused && (pending > this.handler.outstandingMax || this.handler.throttled)) {
      this.paused = true;
      this.transport.pause();
    } else if (this.paused && pending <= this.handler.outstandingMax / 2 && !this.handler.throttled) {
      this.paused = false;
      this.transport.resume();
    }
  }

  /** Answers with a header-only error in order, optionally closing after it. */
  replyError(xid: number, zxid: bigint, err: number, closeAfter = false): void {
    this.replyNow(replyFrame(xid, zxid, err), closeAfter);
  }

  close(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.dropSlots();
    this.held.length = 0;
    this.transport.end();
    this.handler.closed(this);
  }

  private dropSlots(): void {
    if (this.slots.length > 0) this.handler.outstandingChanged(-this.slots.length);
    this.slots.length = 0;
  }

  /** The peer went away. */
  peerClosed(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.dropSlots();
    this.held.length = 0;
    this.handler.closed(this);
  }
}
