// The request pipeline of one server: sessions, reads, writes and watches for its connections.
// Writes become entries stamped with zxid, time and the session's identities, go through the entry
// log, and are applied in log order by the state machine; the reply and the watch events come from
// that apply. Reads are answered from the local tree in the session's order.

import { checkPerm, generateDigest } from "../data/acl.js";
import { WatchRegistry } from "../data/watches.js";
import type { ConnectRequest } from "../protocol/connect.js";
import { Err, OpCode, Perms, WatcherType, Xid } from "../protocol/constants.js";
import type { Id } from "../protocol/data.js";
import type { Request } from "../protocol/requests.js";
import type { MultiResult, Response } from "../protocol/responses.js";
import type { Entry, Txn } from "../state/entry.js";
import { type ApplyOutcome, StateMachine, type TxnResult } from "../state/machine.js";
import type { EntryLog } from "../storage/entry-log.js";
import type { Connection, ConnectionHandler } from "./connection.js";
import { DigestLog } from "./digest-log.js";
import { connectResponseFrame, invalidSessionFrame, notificationFrame, replyFrame } from "./replies.js";
import { SASL_NOT_CONFIGURED, type SaslAuthenticator } from "./sasl/sasl-authenticator.js";
import { SessionIdGenerator, SessionPasswords } from "./session-credentials.js";
import { SessionLiveness } from "./session-liveness.js";
import type { SessionTracker } from "./session-tracker.js";
import { ServerStats } from "./stats.js";

export interface ServiceOptions {
  readonly serverId: number;
  readonly tickTimeMs: number;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  /** jute.maxbuffer: the largest frame accepted. */
  readonly frameBytesMax: number;
  /** Requests in flight on one connection before the server stops reading from it. */
  readonly outstandingPerConnectionMax: number;
  /** globalOutstandingLimit: requests in flight server-wide before it stops reading from every connection. */
  readonly outstandingMax: number;
  /**
   * The secret this server proposes as the ensemble's, should it be the ensemble's first leader;
   * passwords derive from the replicated one (the state machine's), whoever proposed it.
   */
  readonly sessionSecret: Buffer;
  readonly skipACL: boolean;
  /** `user:base64(sha1)` whose holder is super; undefined when no super digest is configured. */
  readonly superDigest: string | undefined;
  readonly extendedTypesEnabled: boolean;
  /** enforceQuota: hard quota limits fail writes with QUOTAEXCEEDED. */
  readonly enforceQuota: boolean;
  readonly reconfigEnabled: boolean;
  /** Watches one connection may hold; past it, further watch registrations are dropped. */
  readonly watchesPerConnectionMax: number;
  /** znode.container.checkIntervalMs: how often empty containers and expired TTL nodes are sought. */
  readonly containerCheckIntervalMs: number;
  /** znode.container.maxPerMinute: bound on clean-up deletions proposed per minute. */
  readonly containerMaxPerMinute: number;
  readonly now: () => number;
  readonly log: { warn(message: string): void };
  /** Runs SASL exchanges (op 102); undefined when no JAAS Server section is configured. */
  readonly sasl?: SaslAuthenticator;
  /** enforce.auth.schemes when enforce.auth.enabled: a request needs an identity of one of them. */
  readonly enforcedAuthSchemes?: readonly string[];
}

/** Answers four-letter words; lives in admin/, which sees the service through `ServiceView`. */
export type FourLetterWordHandler = (word: string, payload: Buffer, conn: Connection) => string;

const WRITE_OP_NAMES: Partial<Record<number, string>> = {
  [OpCode.create]: "CREA",
  [OpCode.create2]: "CREA",
  [OpCode.createContainer]: "CREA",
  [OpCode.createTTL]: "CREA",
  [OpCode.delete]: "DELE",
  [OpCode.setData]: "SETD",
  [OpCode.setACL]: "SETA",
  [OpCode.multi]: "MULT",
  [OpCode.closeSession]: "CLOS",
};

export class ZooKeeperService implements ConnectionHandler {
  readonly state: StateMachine;
  readonly watches = new WatchRegistry<Connection>();
  readonly liveness: SessionLiveness;
  readonly stats = new ServerStats();
  readonly digestLog = new DigestLog();
  readonly connections = new Set<Connection>();
  readonly startedAtMs: number;
  private readonly owners = new Map<bigint, Connection>();
  private readonly closing = new Set<bigint>();
  /** Requests this server proposed, by their origin's sequence number, until they apply. */
  private readonly pending = new Map<number, (outcome: ApplyOutcome) => void>();
  /** This process's start, told apart from any earlier run of the same server in entries' origins. */
  private readonly incarnation: number;
  private lastSeq = 0;
  private readonly ids: SessionIdGenerator;
  /** Derived from the ensemble's replicated secret, once there is one. */
  private passwordsCache: { secret: Buffer; passwords: SessionPasswords } | undefined;
  /** False while this server cannot take part (no leader, or not caught up): clients are turned away. */
  serving = true;
  /** What this server is in its ensemble's configuration; a standalone server is one alone. */
  memberKind: "standalone" | "participant" | "observer" = "standalone";
  private leading = true;
  private touchTimer: NodeJS.Timeout | undefined;
  /** Hands this server's touch table to the leader; set by the replica when there are peers. */
  reportTouches: ((sessions: Array<readonly [bigint, number]>) => void) | undefined;
  authFailedCount = 0;
  throttled = false;
  private outstandingTotal = 0;
  private expiryTimer: NodeJS.Timeout | undefined;
  private cleanupTimer: NodeJS.Timeout | undefined;
  /** Paths with a clean-up deletion in the log, so one scan does not propose them twice. */
  private readonly cleaningUp = new Set<string>();
  fourLetterWordHandler: FourLetterWordHandler = () => "";
  /** Told each applied entry and its outcome (the console's change feed); one call per entry. */
  onApplied: ((entry: Entry, outcome: ApplyOutcome) => void) | undefined;

  constructor(
    readonly options: ServiceOptions,
    private readonly log: EntryLog,
    state?: StateMachine,
  ) {
    this.state =
      state ??
      new StateMachine({ skipACL: options.skipACL, extendedTypesEnabled: options.extendedTypesEnabled });
    this.startedAtMs = options.now();
    this.liveness = new SessionLiveness(options.tickTimeMs);
    this.incarnation = this.startedAtMs;
    this.ids = new SessionIdGenerator(options.serverId, this.startedAtMs);

    log.onCommit = (entries) => this.applyCommitted(entries);
  }

  private passwords(): SessionPasswords | undefined {
    const secret = this.state.sessionSecret;
    if (secret === undefined) return undefined;
    if (this.passwordsCache?.secret !== secret) {
      this.passwordsCache = { secret, passwords: new SessionPasswords(secret) };
    }
    return this.passwordsCache.passwords;
  }

  /** ZooKeeper's Mode in srvr and zk_server_state in mntr. */
  get mode(): "standalone" | "leader" | "follower" | "observer" {
    if (this.memberKind === "standalone") return "standalone";
    if (this.memberKind === "observer") return "observer";
    return this.leading ? "leader" : "follower";
  }

  /** The leader's expiry queue (for the dump command). */
  get tracker(): SessionTracker {
    return this.liveness.tracker;
  }

  /**
   * The replica's place changed. Leading with every committed entry applied: serve, and give every
   * session a full timeout from now (ZooKeeper's new leader does; so does a restarted standalone
   * server). Following a known leader: serve, and report touches to it. No leader: as ZooKeeper,
   * drop every client at once and turn new ones away until there is one again.
   */
  roleChanged(role: { leading: boolean; leader: number; ready: boolean }): void {
    const wasServing = this.serving;
    this.serving = role.ready;
    this.leading = role.leading;
    if (role.leading && role.ready) {
      // The ensemble's first leader gives it the secret session passwords derive from; proposed
      // before this server takes any client, so every session is created under it.
      if (this.state.sessionSecret === undefined) {
        this.propose(0n, [], { kind: "sessionSecret", secret: this.options.sessionSecret }, () => {});
      }
      const sessions = [...this.state.sessions()].map(([id, s]) => [id, s.timeoutMs] as const);
      this.liveness.lead(sessions, this.options.now());
    } else if (!role.leading) {
      this.liveness.follow();
    }
    if (wasServing && !this.serving) this.dropClients();
  }

  /**
   * Writes this server forwarded may be lost (its link to the leader broke): as a ZooKeeper
   * follower that loses its leader, drop every client; they reconnect and retry.
   */
  leaderLinkLost(): void {
    this.options.log.warn("the link to the leader broke; dropping every client, whose writes may be lost");
    this.dropClients();
  }

  /**
   * The state was replaced by a snapshot from the leader: this server's clients saw a history it no
   * longer holds step by step, so they go, and reconnect with setWatches (which reports what changed
   * since their last zxid), as after a ZooKeeper follower's SNAP sync.
   */
  stateReplaced(): void {
    this.options.log.warn(
      `the state was replaced by the leader's snapshot at zxid 0x${this.state.lastZxid.toString(16)}`,
    );
    this.dropClients();
  }

  private dropClients(): void {
    for (const conn of [...this.connections]) conn.close();
    // What was proposed may still commit under a new leader; nobody here waits for it any more.
    this.pending.clear();
    this.closing.clear();
    this.cleaningUp.clear();
  }

  get frameBytesMax(): number {
    return this.options.frameBytesMax;
  }

  get outstandingMax(): number {
    return this.options.outstandingPerConnectionMax;
  }

  /** Requests received and not yet answered, over all connections. */
  get outstanding(): number {
    return this.outstandingTotal;
  }

  outstandingChanged(delta: number): void {
    this.outstandingTotal += delta;
    const wasThrottled = this.throttled;
    if (!this.throttled && this.outstandingTotal > this.options.outstandingMax) this.throttled = true;
    else if (this.throttled && this.outstandingTotal <= this.options.outstandingMax / 2)
      this.throttled = false;
    if (wasThrottled !== this.throttled) for (const conn of this.connections) conn.updateFlow();
  }

  /** Starts the clock that expires sessions, one check per tick. */
  start(): void {
    this.expiryTimer = setInterval(() => this.expireSessions(), this.options.tickTimeMs);
    this.expiryTimer.unref();
    this.cleanupTimer = setInterval(() => this.cleanUpNodes(), this.options.containerCheckIntervalMs);
    this.cleanupTimer.unref();
    this.touchTimer = setInterval(() => this.sendTouches(), Math.max(1, this.options.tickTimeMs / 2));
    this.touchTimer.unref();
  }

  private sendTouches(): void {
    if (this.reportTouches === undefined || this.liveness.isLeading) return;
    const touches = this.liveness.takeTouches();
    if (touches.length > 0) this.reportTouches(touches);
  }

  async stop(): Promise<void> {
    if (this.expiryTimer !== undefined) clearInterval(this.expiryTimer);
    if (this.cleanupTimer !== undefined) clearInterval(this.cleanupTimer);
    if (this.touchTimer !== undefined) clearInterval(this.touchTimer);
    for (const conn of [...this.connections]) conn.close();
    await this.log.close();
  }

  expireSessions(): void {
    for (const id of this.liveness.expire(this.options.now())) {
      this.stats.staleSessionsExpired++;
      this.closeSession(id);
    }
  }

  /**
   * Proposes deletion of empty containers and expired TTL nodes, as ZooKeeper's ContainerManager
   * does: through the log as deleteContainer entries (so every replica deletes at the same point),
   * at most containerMaxPerMinute per minute. apply refuses a node that gained a child since the
   * scan (NOTEMPTY); like ZooKeeper it does not re-check a TTL node's mtime.
   */
  cleanUpNodes(): void {
    const limit = Math.max(
      1,
      Math.floor((this.options.containerMaxPerMinute * this.options.containerCheckIntervalMs) / 60_000),
    );
    for (const path of this.state.cleanupCandidates(BigInt(this.options.now()), limit)) {
      if (this.cleaningUp.has(path)) continue;
      this.cleaningUp.add(path);
      if (!this.propose(0n, [], { kind: "deleteContainer", path }, () => this.cleaningUp.delete(path))) {
        this.cleaningUp.delete(path);
      }
    }
  }

  // ---- connection lifecycle -------------------------------------------------------------------

  attach(conn: Connection): void {
    this.connections.add(conn);
  }

  closed(conn: Connection): void {
    this.connections.delete(conn);
    this.watches.removeWatcher(conn);
    if (conn.sessionId !== 0n && this.owners.get(conn.sessionId) === conn) this.owners.delete(conn.sessionId);
  }

  fourLetterWord(conn: Connection, word: string, payload: Buffer): void {
    this.connections.delete(conn);
    conn.transport.write(Buffer.from(this.fourLetterWordHandler(word, payload, conn), "utf8"));
    conn.transport.end();
  }

  private negotiateTimeout(requestedMs: number): number {
    return Math.min(
      Math.max(requestedMs, this.options.minSessionTimeoutMs),
      this.options.maxSessionTimeoutMs,
    );
  }

  connect(conn: Connection, req: ConnectRequest): void {
    this.stats.connectionRequests++;
    if (!this.serving) {
      // As ZooKeeper while it has no quorum: accept, then close without a ConnectResponse, so the
      // client tries its next server.
      conn.reject(undefined);
      return;
    }
    if (req.lastZxidSeen > this.state.lastZxid) {
      // The client has seen a newer state than ours: it must try another server. No reply.
      conn.reject(undefined);
      return;
    }
    const timeoutMs = this.negotiateTimeout(req.timeOut);
    if (req.sessionId === 0n) {
      const sessionId = this.ids.nextId();
      const proposed = this.propose(sessionId, [], { kind: "createSession", timeoutMs }, () => {
        if (conn.isClosed) return; // the session lives on until it expires, as in ZooKeeper
        this.establish(conn, sessionId, timeoutMs, req.readOnly);
      });
      if (!proposed) conn.reject(undefined);
      return;
    }
    const sessionId = req.sessionId;
    const session = this.state.sessions().get(sessionId);
    const alive = !this.closing.has(sessionId) && session !== undefined;
    const passwords = this.passwords();
    if (
      !alive ||
      passwords === undefined ||
      !passwords.verify(sessionId, req.passwd, session.passwordSource)
    ) {
      conn.reject(invalidSessionFrame(req.readOnly));
      return;
    }
    this.liveness.reconnected(sessionId, timeoutMs, this.options.now());
    this.establish(conn, sessionId, timeoutMs, req.readOnly);
  }

  private establish(
    conn: Connection,
    sessionId: bigint,
    timeoutMs: number,
    readOnly: boolean | undefined,
  ): void {
    const previous = this.owners.get(sessionId);
    if (previous !== undefined && previous !== conn) previous.close();
    this.owners.set(sessionId, conn);
    const passwords = this.passwords();
    if (passwords === undefined) {
      // Unreachable: the secret is the first entry an ensemble applies before any session.
      conn.reject(undefined);
      return;
    }
    const response = connectResponseFrame({
      protocolVersion: 0,
      timeOut: timeoutMs,
      sessionId,
      passwd: passwords.passwordOf(sessionId, this.state.sessions().get(sessionId)?.passwordSource),
      readOnly: readOnly === undefined ? undefined : false,
    });
    conn.establish(sessionId, timeoutMs, response, this.options.now());
  }

  /** Ends a session as if it expired (the console's "close session"); false when none was proposed. */
  closeSessionNow(sessionId: bigint): boolean {
    if (!this.state.sessions().has(sessionId)) return false;
    return this.closeSession(sessionId);
  }

  private closeSession(sessionId: bigint, onApplied?: () => void): boolean {
    if (this.closing.has(sessionId)) return true;
    this.closing.add(sessionId);
    const proposed = this.propose(sessionId, [], { kind: "closeSession" }, () => {
      this.closing.delete(sessionId);
      // A client's own close is answered, and the connection closed after the answer, by
      // onApplied; closing it here as well could drop that answer still queued.
      if (onApplied !== undefined) onApplied();
      else this.owners.get(sessionId)?.close();
    });
    if (!proposed) this.closing.delete(sessionId);
    return proposed;
  }

  // ---- the write path -----------------------------------------------------------------------

  /** False when the log takes no entries now (this server does not lead): nothing was proposed. */
  private propose(
    sessionId: bigint,
    authIds: readonly Id[],
    txn: Txn,
    onApplied: (o: ApplyOutcome) => void,
  ): boolean {
    const seq = ++this.lastSeq;
    const origin = { server: this.options.serverId, incarnation: this.incarnation, seq };
    if (!this.log.append({ timeMs: BigInt(this.options.now()), sessionId, authIds, origin, txn }))
      return false;
    this.pending.set(seq, onApplied);
    return true;
  }

  private applyCommitted(entries: readonly Entry[]): void {
    this.stats.commitCount += entries.length;
    for (const entry of entries) {
      const outcome = this.state.apply(entry);
      if (this.digestLog.wants(entry.zxid)) this.digestLog.record(entry.zxid, this.state.digest());
      this.onApplied?.(entry, outcome);
      for (const warning of outcome.warnings ?? []) this.options.log.warn(warning);
      for (const trigger of outcome.triggers) {
        for (const fired of this.watches.trigger(trigger.type, trigger.path)) {
          // As in ZooKeeper 3.9.2+, a watcher hears only about nodes it may read.
          if (!this.options.skipACL && !checkPerm(trigger.acl, Perms.READ, fired.watcher.authIds)) continue;
          fired.watcher.notify(notificationFrame(entry.zxid, fired.type, fired.path));
        }
      }
      const txn = entry.txn;
      if (txn.kind === "createSession")
        this.liveness.created(entry.sessionId, txn.timeoutMs, this.options.now());
      else if (txn.kind === "closeSession") this.liveness.closed(entry.sessionId);
      const origin = entry.origin;
      if (
        origin !== undefined &&
        origin.server === this.options.serverId &&
        origin.incarnation === this.incarnation
      ) {
        const onApplied = this.pending.get(origin.seq);
        if (onApplied !== undefined) {
          this.pending.delete(origin.seq);
          onApplied(outcome);
        }
      }
    }
  }

  private submitWrite(
    conn: Connection,
    xid: number,
    txn: Txn,
    reply: (r: TxnResult) => Response | undefined,
  ): void {
    const started = this.options.now();
    const fill = conn.replyLater();
    const proposed = this.propose(conn.sessionId, conn.authIds.slice(), txn, (outcome) => {
      const zxid = this.state.lastZxid;
      const result = outcome.result;
      const body = result.err === 0 ? reply(result) : undefined;
      this.recordLatency(conn, started, zxid, true);
      fill(replyFrame(xid, zxid, result.err, body));
    });
    // No leader to take the write: as ZooKeeper does then, drop the client, which retries elsewhere.
    if (!proposed) conn.close();
  }

  // ---- requests -----------------------------------------------------------------------------

  malformed(conn: Connection, xid: number, unknownOpcode: boolean): void {
    this.stats.packetsReceived++;
    if (unknownOpcode) conn.replyError(xid, -1n, Err.UNIMPLEMENTED, true);
    else conn.replyError(xid, this.state.lastZxid, Err.MARSHALLINGERROR);
  }

  request(conn: Connection, xid: number, req: Request): void {
    this.stats.packetsReceived++;
    if (!this.authenticatedEnough(conn, req.type)) {
      // AuthenticationHelper.enforceAuthentication: answer -124 and close the connection.
      conn.replyError(xid, 0n, Err.SESSIONCLOSEDREQUIRESASLAUTH, true);
      return;
    }
    this.liveness.touch(conn.sessionId, conn.sessionTimeoutMs, this.options.now());
    // Like ZooKeeper, `cons` shows the client's last real xid, not a ping's or another special one.
    if (xid >= 0) conn.stats.lastCxid = xid;
    conn.stats.lastOp = WRITE_OP_NAMES[req.type] ?? conn.stats.lastOp;
    switch (req.type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL: {
        const ttl = req.type === OpCode.createTTL ? req.ttl : -1n;
        const opcode = req.type;
        this.submitWrite(conn, xid, { kind: "create", opcode, request: { ...req, ttl } }, (r) => {
          if (!("kind" in r) || r.kind !== "create") return undefined;
          return opcode === OpCode.create
            ? { record: "CreateResponse", path: r.path }
            : { record: "Create2Response", path: r.path, stat: r.stat };
        });
        return;
      }
      case OpCode.delete:
        this.submitWrite(conn, xid, { kind: "delete", request: req }, () => undefined);
        return;
      case OpCode.setData:
        this.submitWrite(conn, xid, { kind: "setData", request: req }, (r) =>
          "kind" in r && r.kind === "setData" ? { record: "SetDataResponse", stat: r.stat } : undefined,
        );
        return;
      case OpCode.setACL:
        this.submitWrite(conn, xid, { kind: "setACL", request: req }, (r) =>
          "kind" in r && r.kind === "setACL" ? { record: "SetACLResponse", stat: r.stat } : undefined,
        );
        return;
      case OpCode.multi:
        this.submitWrite(conn, xid, { kind: "multi", ops: req.ops }, (r) =>
          "kind" in r && r.kind === "multi"
            ? { record: "MultiResponse", results: r.results as readonly MultiResult[] }
            : undefined,
        );
        return;
      case OpCode.closeSession: {
        const fill = conn.replyLater();
        const sessionId = conn.sessionId;
        if (!this.closeSession(sessionId, () => fill(replyFrame(xid, this.state.lastZxid, 0), true))) {
          conn.close();
        }
        return;
      }
      case OpCode.auth:
        this.authenticate(conn, xid, req.scheme, req.auth);
        return;
      case OpCode.sasl: {
        // A failed exchange is AUTHFAILED with a null token (one of the few error replies with a
        // body), then close; without SASL configured every exchange fails so.
        const outcome = this.options.sasl?.step(conn, req.token) ?? SASL_NOT_CONFIGURED;
        if (outcome.ids.length > 0) conn.authIds = [...conn.authIds, ...outcome.ids];
        if (outcome.err !== 0) {
          this.authFailedCount++;
          this.options.log.warn(
            `SASL authentication of session 0x${conn.sessionId.toString(16)} failed: ${outcome.reason}`,
          );
        }
        const body = { record: "SetSASLResponse", token: outcome.token } as const;
        conn.replyNow(replyFrame(xid, 0n, outcome.err, body, true), outcome.close);
        return;
      }
      case OpCode.reconfig:
        conn.replyError(
          xid,
          this.state.lastZxid,
          this.options.reconfigEnabled ? Err.UNIMPLEMENTED : Err.RECONFIGDISABLED,
        );
        return;
      case OpCode.sync: {
        // Linearizable, unlike ZooKeeper's (ZOOKEEPER-1675): the reply waits until this server has
        // applied everything the leader had committed when the sync arrived, as a quorum confirms.
        conn.stats.lastOp = "SYNC";
        const fill = conn.replyLater();
        const path = req.path;
        void this.log.readIndex().then((confirmed) => {
          if (!confirmed) conn.close();
          else fill(replyFrame(xid, this.state.lastZxid, 0, { record: "SyncResponse", path }));
        });
        return;
      }
      case OpCode.deleteContainer:
        // Issued by the server's own clean-up, never accepted from clients.
        conn.replyError(xid, -1n, Err.UNIMPLEMENTED, true);
        return;
      default: {
        // Judged with the identities the connection had when the read arrived, as ZooKeeper stamps
        // each request: an auth pipelined behind a read that waits on a write does not apply to it.
        const authIds = conn.authIds;
        conn.replyInOrder(() => this.read(conn, xid, req, authIds));
      }
    }
  }

  /** With enforced authentication, only auth and sasl packets pass until the connection has an identity. */
  private authenticatedEnough(conn: Connection, type: number): boolean {
    const schemes = this.options.enforcedAuthSchemes;
    if (schemes === undefined || schemes.length === 0 || type === OpCode.auth || type === OpCode.sasl)
      return true;
    return conn.authIds.some((id) => schemes.includes(id.scheme));
  }

  /**
   * Answers with the request's own xid: the Java client's -4 is only its habit, and clients that
   * number auth packets like any request (go-zookeeper) wait for that number.
   */
  private authenticate(conn: Connection, xid: number, scheme: string, auth: Buffer | null): void {
    let ids: Id[] | undefined;
    if (scheme === "digest" && auth !== null) {
      // As ZooKeeper's DigestAuthenticationProvider: any string is accepted, "blah" without a
      // colon being user "blah" with the hash of "blah".
      const digest = generateDigest(auth.toString("utf8"));
      ids = [{ scheme: "digest", id: digest }];
      if (this.options.superDigest !== undefined && digest === this.options.superDigest) {
        ids.push({ scheme: "super", id: "" });
      }
    } else if (scheme === "ip") {
      ids = [{ scheme: "ip", id: conn.transport.remoteAddress }];
    } else if (scheme === "x509") {
      // ZooKeeper re-runs the x509 provider on the connection's certificate: only a TLS client with one passes.
      const x509 = conn.authIds.filter((id) => id.scheme === "x509");
      if (x509.length > 0) ids = x509;
    }
    if (ids === undefined) {
      this.authFailedCount++;
      conn.replyError(xid, 0n, Err.AUTHFAILED, true);
      return;
    }
    const added = ids.filter((id) => !conn.authIds.some((a) => a.scheme === id.scheme && a.id === id.id));
    if (added.length > 0) conn.authIds = [...conn.authIds, ...added];
    conn.replyNow(replyFrame(xid, 0n, 0));
  }

  private recordLatency(conn: Connection, startedMs: number, zxid: bigint, write: boolean): void {
    const now = this.options.now();
    const latency = Math.max(0, now - startedMs);
    this.stats.recordLatency(latency, write);
    const s = conn.stats;
    s.lastLatencyMs = latency;
    s.lastResponseTimeMs = now;
    s.lastZxid = zxid;
    s.minLatencyMs = Math.min(s.minLatencyMs, latency);
    s.maxLatencyMs = Math.max(s.maxLatencyMs, latency);
    s.totalLatencyMs += latency;
    s.latencyCount++;
  }

  private canAddWatch(conn: Connection): boolean {
    return this.watches.watchesOf(conn) < this.options.watchesPerConnectionMax;
  }

  /** Evaluates a read at its turn in the session's order and returns the reply frame. */
  private read(conn: Connection, xid: number, req: Request, auth: readonly Id[]): Buffer {
    const started = this.options.now();
    const bytes = this.evaluateRead(conn, xid, req, auth);
    this.recordLatency(conn, started, this.state.lastZxid, false);
    return bytes;
  }

  private evaluateRead(conn: Connection, xid: number, req: Request, auth: readonly Id[]): Buffer {
    const zxid = this.state.lastZxid;
    const ok = (body?: Response) => replyFrame(xid, zxid, 0, body);
    const fail = (err: number) => replyFrame(xid, zxid, err);
    switch (req.type) {
      case OpCode.ping:
        conn.stats.lastOp = "PING";
        return replyFrame(Xid.PING, zxid, 0);
      case OpCode.getData: {
        conn.stats.lastOp = "GETD";
        const r = this.state.getData(req.path, auth);
        if (r.err !== 0 || !("stat" in r)) return fail(r.err);
        if (req.watch && this.canAddWatch(conn)) this.watches.addData(req.path, conn);
        return ok({ record: "GetDataResponse", data: r.data, stat: r.stat });
      }
      case OpCode.exists: {
        conn.stats.lastOp = "EXIS";
        const r = this.state.exists(req.path, auth);
        if (req.watch && (r.err === 0 || r.err === Err.NONODE) && this.canAddWatch(conn)) {
          this.watches.addData(req.path, conn);
        }
        if (r.err !== 0 || !("stat" in r)) return fail(r.err);
        return ok({ record: "ExistsResponse", stat: r.stat });
      }
      case OpCode.getChildren:
      case OpCode.getChildren2: {
        conn.stats.lastOp = "GETC";
        const r = this.state.getChildren(req.path, auth);
        if (r.err !== 0 || !("children" in r)) return fail(r.err);
        if (req.watch && this.canAddWatch(conn)) this.watches.addChild(req.path, conn);
        return req.type === OpCode.getChildren
          ? ok({ record: "GetChildrenResponse", children: r.children })
          : ok({ record: "GetChildren2Response", children: r.children, stat: r.stat });
      }
      case OpCode.getACL: {
        conn.stats.lastOp = "GETA";
        const r = this.state.getACL(req.path, auth);
        if (r.err !== 0 || !("acl" in r)) return fail(r.err);
        return ok({ record: "GetACLResponse", acl: r.acl, stat: r.stat });
      }
      case OpCode.sync:
        conn.stats.lastOp = "SYNC";
        return ok({ record: "SyncResponse", path: req.path });
      case OpCode.getAllChildrenNumber: {
        conn.stats.lastOp = "GETACN";
        const r = this.state.getAllChildrenNumber(req.path, auth);
        if (r.err !== 0 || !("totalNumber" in r)) return fail(r.err);
        return ok({ record: "GetAllChildrenNumberResponse", totalNumber: r.totalNumber });
      }
      case OpCode.getEphemerals:
        conn.stats.lastOp = "GETE";
        return ok({
          record: "GetEphemeralsResponse",
          ephemerals: this.state.getEphemerals(conn.sessionId, req.path),
        });
      case OpCode.whoAmI:
        conn.stats.lastOp = "HOMI";
        return ok({
          record: "WhoAmIResponse",
          clientInfo: auth.map((id) => ({
            authScheme: id.scheme,
            user: id.scheme === "digest" ? id.id.slice(0, id.id.indexOf(":")) : id.id,
          })),
        });
      case OpCode.multiRead: {
        conn.stats.lastOp = "MLTR";
        const results: MultiResult[] = req.ops.map((op): MultiResult => {
          if (op.type === OpCode.getData) {
            const r = this.state.getData(op.path, auth);
            if (r.err !== 0 || !("stat" in r)) return { type: OpCode.error, err: r.err };
            return { type: OpCode.getData, data: r.data, stat: r.stat };
          }
          const r = this.state.getChildren(op.path, auth);
          if (r.err !== 0 || !("children" in r)) return { type: OpCode.error, err: r.err };
          return { type: OpCode.getChildren, children: r.children };
        });
        return ok({ record: "MultiResponse", results });
      }
      case OpCode.checkWatches:
      case OpCode.removeWatches: {
        const remove = req.type === OpCode.removeWatches;
        conn.stats.lastOp = remove ? "REMW" : "CHKW";
        if (req.watcherType < WatcherType.Children || req.watcherType > WatcherType.PersistentRecursive) {
          return fail(Err.BADARGUMENTS);
        }
        const found = remove
          ? this.watches.remove(req.path, req.watcherType, conn)
          : this.watches.has(req.path, req.watcherType, conn);
        return found ? ok() : fail(Err.NOWATCHER);
      }
      case OpCode.addWatch: {
        conn.stats.lastOp = "ADDW";
        if (req.mode !== 0 && req.mode !== 1) return fail(Err.BADARGUMENTS);
        if (this.canAddWatch(conn)) {
          if (req.mode === 0) this.watches.addPersistent(req.path, conn);
          else this.watches.addPersistentRecursive(req.path, conn);
        }
        return ok({ record: "ErrorResponse", err: 0 });
      }
      case OpCode.setWatches:
      case OpCode.setWatches2: {
        conn.stats.lastOp = req.type === OpCode.setWatches ? "SETW" : "STW2";
        this.restoreWatches(conn, req);
        return ok();
      }
      default:
        throw new Error(`invariant violated: request type ${req.type} reached the read path`);
    }
  }

  /** SetWatches after a reconnect: events for what changed since relativeZxid, re-arm the rest. */
  private restoreWatches(conn: Connection, req: Extract<Request, { type: 101 | 105 }>): void {
    const since = req.relativeZxid;
    const event = (type: number, path: string) => conn.notify(notificationFrame(-1n, type, path));
    for (const path of req.dataWatches) {
      const stat = this.state.statOf(path);
      if (stat === undefined) event(2, path);
      else if (stat.mzxid > since) event(3, path);
      else this.watches.addData(path, conn);
    }
    for (const path of req.existWatches) {
      if (this.state.statOf(path) !== undefined) event(1, path);
      else this.watches.addData(path, conn);
    }
    for (const path of req.childWatches) {
      const stat = this.state.statOf(path);
      if (stat === undefined) event(2, path);
      else if (stat.pzxid > since) event(4, path);
      else this.watches.addChild(path, conn);
    }
    if (req.type === OpCode.setWatches2) {
      for (const path of req.persistentWatches) this.watches.addPersistent(path, conn);
      for (const path of req.persistentRecursiveWatches) this.watches.addPersistentRecursive(path, conn);
    }
  }
}
