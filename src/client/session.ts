// The session: which server we talk to, reconnecting with backoff, resuming the session on another
// host, re-sending credentials and re-arming watches, and the bounded queues of requests. A request
// is written at once when the connection has room, else it waits in a bounded queue (also while
// disconnected) and is written after the next handshake. A request lost with its connection fails
// with ConnectionLossError(mayHaveBeenApplied: true); one that never left fails only when the
// session ends. Expiry is final: a session-expired client never resumes silently.

import { EventEmitter } from "node:events";
import { SESSION_PASSWORD_BYTES } from "../protocol/connect.js";
import { OpCode, Xid } from "../protocol/constants.js";
import type { WatcherEvent } from "../protocol/events.js";
import type { JuteReader } from "../protocol/jute.js";
import type { Request } from "../protocol/requests.js";
import type { ReplyHeader } from "../protocol/responses.js";
import { type HostPort, parseConnectString, shuffled, toClientPath } from "./connect-string.js";
import { Connection, type InFlight } from "./connection.js";
import {
  AuthFailedError,
  ClientError,
  ConnectionLossError,
  RequestTimeoutError,
  SessionExpiredError,
  serverError,
} from "./errors.js";
import { EventStream } from "./event-stream.js";
import { type ClientOptions, type ResolvedOptions, resolveOptions } from "./options.js";
import { isReadWriteServer } from "./read-only-probe.js";
import { setWatchesBatches } from "./set-watches.js";
import { nodeEventType, WatchTable } from "./watches.js";

/**
 * The client's connection state. `expired`, `authFailed` and `closed` are terminal: the session is
 * over and every later request fails; the others may change again.
 */
export type ConnectionState =
  | "connecting"
  | "connected"
  | "connectedReadOnly"
  | "disconnected"
  | "expired"
  | "authFailed"
  | "closed";

type TerminalState = "expired" | "authFailed" | "closed";

interface Pending {
  readonly request: Request;
  readonly path: string | undefined;
  readonly xid: number | undefined;
  readonly onReply: (header: ReplyHeader, body: JuteReader) => void;
  readonly reject: (error: Error) => void;
  settled: boolean;
  sent: boolean;
  timer: NodeJS.Timeout | undefined;
}

interface Credential {
  readonly scheme: string;
  readonly auth: Buffer;
}

const writeOps: ReadonlySet<number> = new Set([
  OpCode.create,
  OpCode.create2,
  OpCode.createContainer,
  OpCode.createTTL,
  OpCode.delete,
  OpCode.setData,
  OpCode.setACL,
  OpCode.multi,
  OpCode.reconfig,
  OpCode.deleteContainer,
]);

function sleepCancellable(ms: number, wake: { cancel?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      wake.cancel = undefined;
      resolve();
    }
    wake.cancel = done;
  });
}

export class Session extends EventEmitter<{ state: [ConnectionState] }> {
  readonly chroot: string;
  readonly watches: WatchTable;
  private readonly hosts: HostPort[];
  private hostIndex = 0;
  private readonly options: ResolvedOptions;
  private sessionIdValue = 0n;
  private passwordValue = Buffer.alloc(SESSION_PASSWORD_BYTES);
  private negotiatedTimeoutMs = 0;
  private lastZxid = 0n;
  private stateValue: ConnectionState = "connecting";
  private terminal: { state: TerminalState; error: Error } | undefined;
  private connection: Connection | undefined;
  private readonly queue: Pending[] = [];
  private readonly credentials: Credential[] = [];
  private readonly stateStreams = new Set<EventStream<ConnectionState>>();
  private nextXid = 1;
  private readonly wake: { cancel?: () => void } = {};
  private readOnlyProbe: NodeJS.Timeout | undefined;
  /**
   * A session made by a read-only server is unknown to the quorum, so until a read-write server
   * has been seen, each connection asks for a new session (ZooKeeper's seenRwServerBefore).
   */
  private seenReadWriteServer = false;

  constructor(connectString: string, options: ClientOptions = {}) {
    super();
    const parsed = parseConnectString(connectString);
    this.chroot = parsed.chroot;
    this.hosts = shuffled(parsed.hosts);
    this.options = resolveOptions(options);
    if (options.session) {
      this.sessionIdValue = options.session.id;
      this.passwordValue = Buffer.from(options.session.password);
      this.seenReadWriteServer = true;
    }
    this.watches = new WatchTable(this.options.watchesMax);
    // The loop handles every expected failure itself; anything else ends the client visibly.
    this.run().catch((error: Error) => this.finish("closed", error));
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** 0n until the first handshake. */
  get sessionId(): bigint {
    return this.sessionIdValue;
  }

  /** The highest zxid any reply carried: the server's position as this session last saw it. */
  get lastZxidSeen(): bigint {
    return this.lastZxid;
  }

  get sessionPassword(): Buffer {
    return Buffer.from(this.passwordValue);
  }

  /** The timeout the server granted; 0 before the first handshake. */
  get sessionTimeoutMs(): number {
    return this.negotiatedTimeoutMs;
  }

  /** The server of the current connection, "host:port", or undefined while disconnected. */
  get server(): string | undefined {
    return this.connection ? `${this.connection.host}:${this.connection.port}` : undefined;
  }

  /** The error every request gets once the session is over, or undefined while it lives. */
  get endError(): Error | undefined {
    return this.terminal?.error;
  }

  /** States from now on; ends after a terminal state (expired, authFailed, closed). */
  states(): EventStream<ConnectionState> {
    const stream = new EventStream<ConnectionState>(this.options.eventsMax, () =>
      this.stateStreams.delete(stream),
    );
    if (this.terminal) stream.end();
    else this.stateStreams.add(stream);
    return stream;
  }

  /** Creates an event stream bounded like every other stream of this client. */
  newWatchStream<T>(onFinish: () => void): EventStream<T> {
    return new EventStream<T>(this.options.eventsMax, onFinish);
  }

  /**
   * Sends a request and calls `onReply` with its reply (error replies included, so a caller can
   * turn NONODE into null). `path` is the client path, named in errors.
   */
  submit(
    request: Request,
    path: string | undefined,
    onReply: (header: ReplyHeader, body: JuteReader) => void,
    reject: (error: Error) => void,
    xid?: number,
  ): void {
    if (this.terminal) {
      reject(this.terminal.error);
      return;
    }
    const pending: Pending = {
      request,
      path,
      xid,
      onReply,
      reject,
      settled: false,
      sent: false,
      timer: undefined,
    };
    const timeoutMs = this.options.requestTimeoutMs;
    if (timeoutMs !== undefined) {
      pending.timer = setTimeout(() => {
        const index = this.queue.indexOf(pending);
        if (index >= 0) this.queue.splice(index, 1);
        this.settle(pending, () => reject(new RequestTimeoutError(timeoutMs, pending.sent, { path })));
      }, timeoutMs);
    }
    if (this.queue.length === 0 && this.canSend()) {
      this.write(pending);
      return;
    }
    if (this.queue.length >= this.options.queuedRequestsMax) {
      this.settle(pending, () =>
        reject(new ClientError("PDK_QUEUE_FULL", `${this.queue.length} requests already wait to be sent`)),
      );
      return;
    }
    this.queue.push(pending);
  }

  /** Remembers a credential for every future connection and sends it on the current one. */
  addAuth(scheme: string, auth: Buffer): Promise<void> {
    this.credentials.push({ scheme, auth });
    return new Promise((resolve, reject) => {
      this.submit(
        { type: OpCode.auth, authType: 0, scheme, auth },
        undefined,
        (header) => (header.err === 0 ? resolve() : reject(serverError(header.err))),
        reject,
        Xid.AUTH,
      );
    });
  }

  /**
   * Ends the session on the server (closeSession) and stops; idempotent. While disconnected it
   * waits, bounded, for a reconnect to send closeSession, as ZooKeeper's client does, so that the
   * session's ephemeral nodes go now rather than at expiry.
   */
  async close(): Promise<void> {
    if (this.terminal) return;
    const closed = new ClientError("PDK_CLIENT_CLOSED", "the client was closed");
    if (this.sessionIdValue !== 0n) {
      const deadline = Date.now() + Math.min(this.options.requestTimeoutMs ?? 5000, 5000);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        const send = (): void =>
          this.submit(
            { type: OpCode.closeSession },
            undefined,
            () => {
              // Finish inside the reply callback, before the server's close of the socket is seen.
              clearTimeout(timer);
              this.finish("closed", closed);
              resolve();
            },
            (error) => {
              if (error instanceof ConnectionLossError && Date.now() < deadline) send();
              else resolve();
            },
          );
        send();
      });
    }
    this.finish("closed", closed);
  }

  private canSend(): boolean {
    const connection = this.connection;
    return (
      connection !== undefined &&
      !connection.closed &&
      (this.stateValue === "connected" || this.stateValue === "connectedReadOnly") &&
      connection.inFlightCount < this.options.outstandingRequestsMax
    );
  }

  private takeXid(): number {
    const xid = this.nextXid;
    this.nextXid = xid >= 0x7fffffff ? 1 : xid + 1;
    return xid;
  }

  private settle(pending: Pending, action: () => void): void {
    if (pending.settled) return;
    pending.settled = true;
    clearTimeout(pending.timer);
    action();
  }

  private write(pending: Pending): void {
    const connection = this.connection!;
    pending.sent = true;
    const waiter: InFlight = {
      xid: pending.xid ?? this.takeXid(),
      reply: (header, body) => {
        if (pending.request.type === OpCode.auth && header.err !== 0) {
          this.finish("authFailed", new AuthFailedError(header.err, {}));
        }
        this.settle(pending, () => {
          try {
            pending.onReply(header, body);
          } catch (error) {
            pending.reject(error as Error);
          }
        });
        this.drain();
      },
      lost: (error) => {
        const mayHaveBeenApplied = writeOps.has(pending.request.type);
        this.settle(pending, () =>
          pending.reject(
            this.terminal?.error ??
              new ConnectionLossError(mayHaveBeenApplied, { path: pending.path }, error.message),
          ),
        );
      },
    };
    connection.send(pending.request, waiter);
  }

  private drain(): void {
    while (this.queue.length > 0 && this.canSend()) this.write(this.queue.shift()!);
  }

  private setState(state: ConnectionState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    for (const stream of this.stateStreams) stream.push(state);
    this.emit("state", state);
  }

  private finish(state: TerminalState, error: Error): void {
    if (this.terminal) return;
    this.terminal = { state, error };
    this.wake.cancel?.();
    clearInterval(this.readOnlyProbe);
    this.connection?.close();
    const queued = this.queue.splice(0);
    for (const pending of queued) this.settle(pending, () => pending.reject(error));
    this.watches.endAll(state, error);
    this.setState(state);
    for (const stream of [...this.stateStreams]) stream.end();
  }

  private onNotification(event: WatcherEvent, zxid: bigint): void {
    const type = nodeEventType(event.type);
    if (type === undefined) return;
    this.watches.dispatch({ type, path: toClientPath(this.chroot, event.path), zxid });
  }

  /** The connect loop: one iteration per connection attempt until the session ends. */
  private async run(): Promise<void> {
    let delayMs = this.options.reconnectDelayMs.initial;
    let disconnectedAt: number | undefined;
    while (!this.terminal) {
      if (disconnectedAt !== undefined && this.negotiatedTimeoutMs > 0) {
        // The server expires a session it has not heard from for its timeout; once well past that,
        // say so now rather than retrying forever against servers that are all unreachable.
        const silentMs = Date.now() - disconnectedAt;
        if (silentMs > (this.negotiatedTimeoutMs * 4) / 3) {
          this.finish("expired", new SessionExpiredError(-112, {}));
          return;
        }
      }
      const host = this.hosts[this.hostIndex]!;
      this.hostIndex = (this.hostIndex + 1) % this.hosts.length;
      const connectTimeoutMs =
        this.options.connectTimeoutMs ??
        Math.max(1000, Math.floor(this.options.sessionTimeoutMs / this.hosts.length));
      let opened: Awaited<ReturnType<typeof Connection.open>>;
      try {
        opened = await Connection.open(
          host.host,
          host.port,
          {
            protocolVersion: 0,
            lastZxidSeen: this.lastZxid,
            timeOut: this.options.sessionTimeoutMs,
            sessionId: this.seenReadWriteServer ? this.sessionIdValue : 0n,
            passwd: this.seenReadWriteServer ? this.passwordValue : Buffer.alloc(SESSION_PASSWORD_BYTES),
            readOnly: this.options.canBeReadOnly,
          },
          connectTimeoutMs,
          this.options.frameBytesMax,
        );
      } catch {
        if (this.terminal) return;
        if (this.hostIndex === 0) {
          // A whole round failed: back off with jitter so a fleet of clients does not stampede.
          await sleepCancellable(delayMs * (0.5 + Math.random() / 2), this.wake);
          delayMs = Math.min(delayMs * 2, this.options.reconnectDelayMs.max);
        }
        continue;
      }
      const { connection, response } = opened;
      if (this.terminal) {
        connection.close();
        return;
      }
      if (response.timeOut <= 0) {
        connection.close();
        this.finish("expired", new SessionExpiredError(-112, {}));
        return;
      }
      delayMs = this.options.reconnectDelayMs.initial;
      disconnectedAt = undefined;
      this.sessionIdValue = response.sessionId;
      this.passwordValue = Buffer.from(response.passwd);
      this.negotiatedTimeoutMs = response.timeOut;
      if (!response.readOnly) this.seenReadWriteServer = true;
      const closed = new Promise<void>((resolve) => {
        connection.attach(
          {
            notification: (zxid, event) => this.onNotification(event, zxid),
            zxid: (zxid) => {
              if (zxid > this.lastZxid) this.lastZxid = zxid;
            },
            closed: () => resolve(),
          },
          response.timeOut,
        );
      });
      this.connection = connection;
      this.primeConnection(connection);
      this.setState(response.readOnly ? "connectedReadOnly" : "connected");
      if (response.readOnly) this.startReadOnlyProbe(connection);
      this.drain();
      await closed;
      clearInterval(this.readOnlyProbe);
      this.connection = undefined;
      if (this.terminal) return;
      disconnectedAt = Date.now();
      this.setState("disconnected");
    }
  }

  /** Credentials, then watches, before any queued request: the order ZooKeeper's client uses. */
  private primeConnection(connection: Connection): void {
    const ignore = (): void => {};
    for (const { scheme, auth } of this.credentials) {
      connection.send(
        { type: OpCode.auth, authType: 0, scheme, auth },
        {
          xid: Xid.AUTH,
          reply: (header) => {
            if (header.err !== 0) this.finish("authFailed", new AuthFailedError(header.err, {}));
          },
          lost: ignore,
        },
      );
    }
    const armed = this.watches.armed();
    const toServer = (paths: string[]): string[] =>
      this.chroot === "" ? paths : paths.map((path) => (path === "/" ? this.chroot : this.chroot + path));
    const batches = setWatchesBatches(
      {
        data: toServer(armed.data),
        exist: toServer(armed.exist),
        child: toServer(armed.child),
        persistent: toServer(armed.persistent),
        recursive: toServer(armed.recursive),
      },
      this.lastZxid,
    );
    for (const batch of batches)
      connection.send(batch, { xid: Xid.SET_WATCHES, reply: ignore, lost: ignore });
  }

  /** While on a read-only server, look for a read-write one and move there when found. */
  private startReadOnlyProbe(connection: Connection): void {
    let probing = false;
    this.readOnlyProbe = setInterval(async () => {
      if (probing) return;
      probing = true;
      for (const host of this.hosts) {
        if (host.host === connection.host && host.port === connection.port) continue;
        if (await isReadWriteServer(host.host, host.port, 1000)) {
          this.hostIndex = this.hosts.indexOf(host);
          connection.close();
          break;
        }
      }
      probing = false;
    }, 1000);
    this.readOnlyProbe.unref();
  }
}
