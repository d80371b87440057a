// Drives the server pipeline without a socket: a Connection over an in-memory transport, requests
// encoded with the protocol codec, replies decoded back. Most server behaviour is tested this way;
// the real-socket path is covered by the compatibility tests.

import {
  type ConnectResponse,
  readConnectResponse,
  writeConnectRequest,
} from "../../src/protocol/connect.js";
import { OpCode } from "../../src/protocol/constants.js";
import { readWatcherEvent, type WatcherEvent } from "../../src/protocol/events.js";
import { FrameDecoder, frame } from "../../src/protocol/framing.js";
import { JuteReader, JuteWriter } from "../../src/protocol/jute.js";
import { encodeRequestBody, type Request, writeRequestHeader } from "../../src/protocol/requests.js";
import {
  decodeResponseBody,
  type ReplyHeader,
  type ResponseOf,
  type ResponseRecordName,
  readReplyHeader,
} from "../../src/protocol/responses.js";
import { Connection, type Transport } from "../../src/server/connection.js";
import { type ServiceOptions, ZooKeeperService } from "../../src/server/service.js";
import { InMemoryEntryLog } from "./in-memory-entry-log.js";

export class FakeTransport implements Transport {
  readonly remoteAddress: string;
  readonly remotePort = 40000;
  readonly written: Buffer[] = [];
  ended = false;
  paused = false;

  constructor(remoteAddress = "127.0.0.1") {
    this.remoteAddress = remoteAddress;
  }

  write(data: Buffer): void {
    if (this.ended) throw new Error("write after end");
    this.written.push(Buffer.from(data));
  }
  end(): void {
    this.ended = true;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }

  /** Everything written so far, then forgets it. */
  take(): Buffer {
    return Buffer.concat(this.written.splice(0));
  }
}

export class ManualClock {
  constructor(public nowMs = 1_700_000_000_000) {}
  readonly now = () => this.nowMs;
}

export function testOptions(overrides: Partial<ServiceOptions> = {}): ServiceOptions {
  return {
    serverId: 1,
    tickTimeMs: 2000,
    minSessionTimeoutMs: 4000,
    maxSessionTimeoutMs: 40000,
    frameBytesMax: 0xfffff,
    outstandingPerConnectionMax: 1000,
    outstandingMax: 1000,
    sessionSecret: Buffer.alloc(32, 7),
    skipACL: false,
    superDigest: undefined,
    extendedTypesEnabled: true,
    enforceQuota: false,
    reconfigEnabled: false,
    watchesPerConnectionMax: 1000,
    containerCheckIntervalMs: 60_000,
    containerMaxPerMinute: 10_000,
    now: Date.now,
    log: { warn: () => undefined },
    ...overrides,
  };
}

export function newService(overrides: Partial<ServiceOptions> = {}): ZooKeeperService {
  const service = new ZooKeeperService(testOptions(overrides), new InMemoryEntryLog());
  // The in-memory log plays a leader that is ready at once, as a standalone replica becomes.
  service.roleChanged({ leading: true, leader: 1, ready: true });
  return service;
}

/** Waits for the entry log's commit turn (it commits on setImmediate). */
export function commitTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export type Frame =
  | { kind: "reply"; header: ReplyHeader; body: Buffer }
  | { kind: "event"; zxid: bigint; event: WatcherEvent };

/** A client speaking raw frames to one Connection. */
export class RawClient {
  readonly transport: FakeTransport;
  readonly conn: Connection;
  private readonly decoder = new FrameDecoder(1 << 24);
  private xid = 0;
  sessionId = 0n;
  passwd: Buffer<ArrayBufferLike> = Buffer.alloc(16);

  constructor(
    readonly service: ZooKeeperService,
    address = "127.0.0.1",
  ) {
    this.transport = new FakeTransport(address);
    this.conn = new Connection(this.transport, service);
    service.attach(this.conn);
  }

  send(bytes: Buffer): void {
    this.conn.receive(bytes);
  }

  /** Frames written by the server so far. */
  frames(): Buffer[] {
    const out: Buffer[] = [];
    this.decoder.push(this.transport.take(), (f) => out.push(Buffer.from(f)));
    return out;
  }

  connectFrame(
    options: {
      sessionId?: bigint;
      passwd?: Buffer;
      timeOut?: number;
      readOnly?: boolean | undefined;
      lastZxidSeen?: bigint;
    } = {},
  ): Buffer {
    const w = new JuteWriter();
    writeConnectRequest(w, {
      protocolVersion: 0,
      lastZxidSeen: options.lastZxidSeen ?? 0n,
      timeOut: options.timeOut ?? 30000,
      sessionId: options.sessionId ?? 0n,
      passwd: options.passwd ?? Buffer.alloc(16),
      readOnly: "readOnly" in options ? options.readOnly : false,
    });
    return frame(w.finish());
  }

  async connect(options: Parameters<RawClient["connectFrame"]>[0] = {}): Promise<ConnectResponse> {
    this.send(this.connectFrame(options));
    await commitTurn();
    const [first] = this.frames();
    if (first === undefined) throw new Error("no ConnectResponse");
    const response = readConnectResponse(new JuteReader(first));
    this.sessionId = response.sessionId;
    this.passwd = response.passwd;
    return response;
  }

  requestFrame(req: Request, xid?: number): Buffer {
    const w = new JuteWriter();
    const useXid = xid ?? ++this.xid;
    writeRequestHeader(w, { xid: useXid, type: req.type });
    encodeRequestBody(w, req);
    return frame(w.finish());
  }

  /** Sends requests and resolves with every frame the server wrote once their entries committed. */
  async exchange(...reqs: Request[]): Promise<Frame[]> {
    for (const req of reqs) this.send(this.requestFrame(req));
    await commitTurn();
    await commitTurn();
    return this.frames().map(parseFrame);
  }

  /** Sends one request and returns its reply (events before it are dropped). */
  async call(req: Request): Promise<ReplyHeader & { body: Buffer }> {
    const frames = await this.exchange(req);
    const reply = frames.find((f) => f.kind === "reply");
    if (reply === undefined || reply.kind !== "reply") throw new Error(`no reply to op ${req.type}`);
    return { ...reply.header, body: reply.body };
  }
}

export function parseFrame(bytes: Buffer): Frame {
  const r = new JuteReader(bytes);
  const header = readReplyHeader(r);
  if (header.xid === -1) return { kind: "event", zxid: header.zxid, event: readWatcherEvent(r) };
  return { kind: "reply", header, body: bytes.subarray(16) };
}

export function decodeBody<R extends ResponseRecordName>(record: R, body: Buffer): ResponseOf<R> {
  const r = new JuteReader(body);
  const out = decodeResponseBody(record, r);
  r.expectEnd(record);
  return out;
}

export const OPEN_ACL = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];

export function createReq(
  path: string,
  data: string | null = "",
  flags = 0,
  type: typeof OpCode.create | typeof OpCode.create2 = OpCode.create,
): Request {
  return {
    type,
    path,
    data: data === null ? null : Buffer.from(data),
    acl: OPEN_ACL,
    flags,
  };
}
