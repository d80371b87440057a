// The peer transport: one connection per pair of servers on each of two channels, the quorum port
// (appends, snapshots, service payloads) and the election port (votes, heartbeats, read-index and
// the other small control messages), so that bulk traffic never delays what keeps a leader elected.
//
// Who dials: the server with the higher id dials the lower, as ZooKeeper's QuorumCnxManager keeps
// only connections initiated by the larger id. The rule is the same on both sides, so two servers
// never dial each other at once; an acceptor that sees a second handshake from the same peer on a
// channel keeps the newer connection (the dialer only redials once its old connection is gone),
// and refuses a lower id that dials it (a mismatched build), so connections never flap.
//
// Delivery: Raft messages are dropped, and counted, when their channel is down or its queue is
// full (Raft retransmits). Service payloads are FIFO per peer on the quorum channel; sendService
// refuses (returns false) unless that channel is up and has room, and when it goes down
// onPeerDown(id, Channel.Quorum) says that everything accepted since it came up is in doubt.

import { mkdir, readdir, unlink } from "node:fs/promises";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import type { Message, NodeId } from "../../consensus/types.js";
import { MessageType } from "../../consensus/types.js";
import { Backoff } from "./backoff.js";
import { CHANNELS, Channel, channelFor, channelName } from "./channel.js";
import { encodeFrame, FRAME_HEADER_BYTES, FrameKind } from "./frame.js";
import { FramedConnection } from "./framed-connection.js";
import {
  decodeHello,
  decodeHelloReply,
  encodeHello,
  encodeHelloReply,
  PROTOCOL_VERSION,
  refusalOf,
} from "./handshake.js";
import { decodeMessage, encodeMessageFrame } from "./message-codec.js";
import {
  defaultPeerLimits,
  type PeerAddress,
  type PeerClock,
  type PeerLimits,
  type PeerTransportEvents,
  type PeerTransportOptions,
  systemClock,
  systemRng,
  type Timer,
} from "./options.js";
import { PARTIAL_SUFFIX, SnapshotReceiver } from "./snapshot-receiver.js";
import { decodeSnapReply } from "./snapshot-records.js";
import { SnapshotSender } from "./snapshot-sender.js";
import { PeerCodecError } from "./wire.js";

/** Until a handshake names a configured peer, no frame may be larger than a handshake. */
const HANDSHAKE_FRAME_BYTES_MAX = 2048;

interface Slot {
  /** The connection that completed its handshake. */
  conn: FramedConnection | null;
  /** Our dial in progress (dialer side only). */
  dialing: FramedConnection | null;
  backoff: Backoff;
  retry: Timer | null;
  /** Set after a failed dial was logged, so a peer that stays down logs once, not every retry. */
  failureLogged: boolean;
}

interface Peer {
  id: NodeId;
  address: PeerAddress;
  slots: Record<Channel, Slot>;
  receiver: SnapshotReceiver | null;
  sender: SnapshotSender | null;
  raftDropped: number;
  serviceRefused: number;
  /** Totals of connections already closed; live ones are added in stats(). */
  bytesSentClosed: number;
  bytesReceivedClosed: number;
  snapshotsSent: number;
  snapshotsReceived: number;
  snapshotsFailed: number;
}

export interface ChannelStats {
  connected: boolean;
  queuedBytes: number;
  queuedFrames: number;
}

export interface PeerStats {
  id: NodeId;
  quorum: ChannelStats;
  election: ChannelStats;
  raftDropped: number;
  serviceRefused: number;
  bytesSent: number;
  bytesReceived: number;
  snapshotsSent: number;
  snapshotsReceived: number;
  snapshotsFailed: number;
}

const noEvents: PeerTransportEvents = {
  onMessage: () => {},
  onService: () => {},
  onSnapshot: () => {},
  onSnapshotSent: () => {},
  onPeerUp: () => {},
  onPeerDown: () => {},
};

export class PeerTransport {
  readonly selfId: NodeId;
  private readonly limits: PeerLimits;
  private readonly clock: PeerClock;
  private readonly events: PeerTransportEvents;
  private readonly peers = new Map<NodeId, Peer>();
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly tasks = new Set<Promise<unknown>>();
  private handshakesPending = 0;
  private transferIds = 0;
  private started = false;
  private closing = false;
  /** Raft messages addressed to a server that is not a configured peer. */
  private unknownDropped = 0;
  private bound = { quorumPort: 0, electionPort: 0 };

  constructor(private readonly options: PeerTransportOptions) {
    this.selfId = options.selfId;
    this.limits = { ...defaultPeerLimits, ...options.limits };
    this.clock = options.clock ?? systemClock;
    this.events = { ...noEvents, ...options.events };
    this.setPeers(options.peers);
  }

  /** Prepares the snapshot directory, listens on both ports and starts dialing. */
  async start(): Promise<void> {
    const dir = this.options.snapshotDir;
    await mkdir(dir, { recursive: true });
    for (const name of await readdir(dir)) {
      if (name.endsWith(PARTIAL_SUFFIX)) await unlink(join(dir, name)).catch(() => {});
    }
    const { listen } = this.options;
    const host = this.options.quorumListenOnAllIPs ? "0.0.0.0" : listen.host;
    this.bound.quorumPort = await this.listen(Channel.Quorum, host, listen.quorumPort);
    this.bound.electionPort = await this.listen(Channel.Election, host, listen.electionPort);
    this.started = true;
    for (const peer of this.peers.values()) this.dialAll(peer);
  }

  /** The ports actually bound (useful when listen asked for port 0). */
  get ports(): { quorumPort: number; electionPort: number } {
    return { ...this.bound };
  }

  private listen(channel: Channel, host: string, port: number): Promise<number> {
    const server = createServer((socket) => this.accept(channel, socket));
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once("error", (e) =>
        reject(
          new Error(`cannot listen for ${channelName[channel]} connections on ${host}:${port}: ${e.message}`),
        ),
      );
      server.listen(port, host, () => {
        const address = server.address();
        resolve(typeof address === "object" && address !== null ? address.port : port);
      });
    });
  }

  /** Replaces the membership: removed peers are disconnected, new ones dialed, moved ones redialed. */
  setPeers(peers: ReadonlyMap<NodeId, PeerAddress>): void {
    for (const [id, peer] of this.peers) {
      const next = peers.get(id);
      if (next === undefined || !sameAddress(next, peer.address)) this.removePeer(peer);
    }
    for (const [id, address] of peers) {
      if (id === this.selfId || this.peers.has(id)) continue;
      const peer = this.newPeer(id, { ...address });
      this.peers.set(id, peer);
      if (this.started) this.dialAll(peer);
    }
  }

  private newPeer(id: NodeId, address: PeerAddress): Peer {
    const rng = this.options.rng ?? systemRng;
    const slot = (): Slot => ({
      conn: null,
      dialing: null,
      backoff: new Backoff({ baseMs: this.limits.backoffBaseMs, maxMs: this.limits.backoffMaxMs }, rng),
      retry: null,
      failureLogged: false,
    });
    return {
      id,
      address,
      slots: { [Channel.Quorum]: slot(), [Channel.Election]: slot() },
      receiver: null,
      sender: null,
      raftDropped: 0,
      serviceRefused: 0,
      bytesSentClosed: 0,
      bytesReceivedClosed: 0,
      snapshotsSent: 0,
      snapshotsReceived: 0,
      snapshotsFailed: 0,
    };
  }

  private removePeer(peer: Peer): void {
    this.peers.delete(peer.id);
    peer.sender?.abort(`server ${peer.id} was removed from the configuration`);
    for (const channel of CHANNELS) {
      const slot = peer.slots[channel];
      if (slot.retry) this.clock.clearTimeout(slot.retry);
      slot.retry = null;
      slot.dialing?.close("peer removed from the configuration");
      slot.conn?.close("peer removed from the configuration");
    }
  }

  /** The higher id dials the lower. */
  private dials(id: NodeId): boolean {
    return this.selfId > id;
  }

  private dialAll(peer: Peer): void {
    if (this.dials(peer.id)) for (const channel of CHANNELS) this.dial(peer, channel);
  }

  private dial(peer: Peer, channel: Channel): void {
    const slot = peer.slots[channel];
    slot.retry = null;
    if (this.closing || this.peers.get(peer.id) !== peer || slot.conn || slot.dialing) return;
    const { host } = peer.address;
    const port = channel === Channel.Quorum ? peer.address.quorumPort : peer.address.electionPort;
    const where = `server ${peer.id}'s ${channelName[channel]} port ${host}:${port}`;
    const socket = this.track(createConnection({ host, port }));
    const conn = new FramedConnection(
      socket,
      channel,
      where,
      this.limits,
      this.clock,
      HANDSHAKE_FRAME_BYTES_MAX,
    );
    conn.peerId = peer.id;
    slot.dialing = conn;
    let refused = false;
    socket.once("connect", () => {
      const hello = {
        version: PROTOCOL_VERSION,
        serverId: this.selfId,
        ensembleId: this.options.ensembleId,
        channel,
      };
      conn.writeAlways(encodeFrame(FrameKind.Hello, encodeHello(hello)));
    });
    conn.onFrame = (kind, payload) => {
      if (kind !== FrameKind.HelloReply)
        throw new PeerCodecError(`expected a handshake reply, got frame kind ${kind}`);
      const reply = decodeHelloReply(payload);
      if (reply.refusal !== "") {
        refused = true;
        this.options.logger.warn(
          `server ${peer.id} refused our ${channelName[channel]} connection: ${reply.refusal}`,
        );
        conn.close("refused");
      } else if (reply.serverId !== peer.id) {
        refused = true;
        this.options.logger.warn(
          `dialed ${where} but server ${reply.serverId} answered; the server lists disagree (stale configuration?)`,
        );
        conn.close("wrong server");
      } else {
        slot.dialing = null;
        this.establish(peer, channel, conn);
      }
    };
    conn.onClose = (reason) => {
      if (slot.dialing !== conn) return;
      slot.dialing = null;
      if (this.closing || this.peers.get(peer.id) !== peer) return;
      const delay = refused ? this.limits.refusedRetryMs : slot.backoff.next();
      if (!refused && !slot.failureLogged) {
        slot.failureLogged = true;
        this.options.logger.warn(
          `cannot connect to ${where}: ${reason}; retrying with backoff (logged once until it connects)`,
        );
      }
      slot.retry = this.clock.setTimeout(() => this.dial(peer, channel), delay);
    };
  }

  private accept(channel: Channel, socket: Socket): void {
    this.track(socket);
    const where = `${channelName[channel]} connection from ${socket.remoteAddress}:${socket.remotePort}`;
    if (this.closing || this.handshakesPending >= this.limits.handshakesPendingMax) {
      this.options.logger.warn(`closed a ${where}: ${this.handshakesPending} handshakes already pending`);
      socket.destroy();
      return;
    }
    this.handshakesPending++;
    const conn = new FramedConnection(
      socket,
      channel,
      where,
      this.limits,
      this.clock,
      HANDSHAKE_FRAME_BYTES_MAX,
    );
    let pending = true;
    const settle = () => {
      if (pending) this.handshakesPending--;
      pending = false;
    };
    conn.onFrame = (kind, payload) => {
      settle();
      if (kind !== FrameKind.Hello) throw new PeerCodecError(`expected a handshake, got frame kind ${kind}`);
      const hello = decodeHello(payload);
      const refusal =
        refusalOf(hello, {
          selfId: this.selfId,
          ensembleId: this.options.ensembleId,
          channel,
          isPeer: (id) => this.peers.has(id),
        }) ??
        (this.dials(hello.serverId)
          ? `server ${hello.serverId} dialed server ${this.selfId}, but the higher id dials; run the same Paddock version on both`
          : null);
      const reply = { version: PROTOCOL_VERSION, serverId: this.selfId, refusal: refusal ?? "" };
      conn.writeAlways(encodeFrame(FrameKind.HelloReply, encodeHelloReply(reply)));
      if (refusal !== null) {
        this.options.logger.warn(`refused a ${where} (claiming server ${hello.serverId}): ${refusal}`);
        conn.close("refused", true);
        return;
      }
      conn.peerId = hello.serverId;
      this.establish(this.peers.get(hello.serverId)!, channel, conn);
    };
    conn.onClose = (reason) => {
      if (!pending) return;
      settle();
      if (!this.closing) this.options.logger.warn(`closed a ${where} before its handshake: ${reason}`);
    };
  }

  private establish(peer: Peer, channel: Channel, conn: FramedConnection): void {
    const slot = peer.slots[channel];
    slot.conn?.close("replaced by a newer connection from the same server");
    conn.established(peer.id);
    slot.conn = conn;
    slot.backoff.reset();
    slot.failureLogged = false;
    conn.onFrame = (kind, payload) => this.dispatch(peer, channel, kind, payload);
    conn.onClose = (reason) => this.lost(peer, channel, conn, reason);
    if (channel === Channel.Quorum) {
      peer.receiver = new SnapshotReceiver(
        conn,
        this.options.snapshotDir,
        this.limits,
        this.options.logger,
        (m, path) => {
          peer.snapshotsReceived++;
          if (!this.closing) this.events.onSnapshot(m, path);
        },
      );
    }
    this.options.logger.info(
      `${channelName[channel]} connection with server ${peer.id} is up (${conn.description})`,
    );
    this.events.onPeerUp(peer.id, channel);
  }

  private lost(peer: Peer, channel: Channel, conn: FramedConnection, reason: string): void {
    const slot = peer.slots[channel];
    peer.bytesSentClosed += conn.bytesSent;
    peer.bytesReceivedClosed += conn.bytesReceived;
    if (slot.conn !== conn) return;
    slot.conn = null;
    if (channel === Channel.Quorum) {
      peer.sender?.abort(`the quorum connection was lost (${reason})`);
      const receiver = peer.receiver;
      peer.receiver = null;
      if (receiver) {
        receiver.abort(`the quorum connection was lost (${reason})`);
        this.keep(receiver.idle);
      }
    }
    if (!this.closing) {
      this.options.logger.info(
        `${channelName[channel]} connection with server ${peer.id} is down: ${reason}`,
      );
      this.events.onPeerDown(peer.id, channel);
    }
    if (this.dials(peer.id) && !this.closing && this.peers.get(peer.id) === peer) {
      slot.retry = this.clock.setTimeout(() => this.dial(peer, channel), slot.backoff.next());
    }
  }

  /** Frames after the handshake; a PeerCodecError thrown here closes the connection. */
  private dispatch(peer: Peer, channel: Channel, kind: FrameKind, payload: Buffer): void {
    switch (kind) {
      case FrameKind.Raft: {
        const m = decodeMessage(payload);
        if (m.from !== peer.id || m.to !== this.selfId) {
          throw new PeerCodecError(
            `a message from ${m.from} to ${m.to} arrived on server ${peer.id}'s connection`,
          );
        }
        this.events.onMessage(m);
        return;
      }
      case FrameKind.Service:
        this.quorumOnly(channel, kind);
        this.events.onService(peer.id, new Uint8Array(payload));
        return;
      case FrameKind.SnapOffer:
      case FrameKind.SnapChunk:
      case FrameKind.SnapEnd:
        this.quorumOnly(channel, kind);
        peer.receiver!.onFrame(kind, payload);
        return;
      case FrameKind.SnapAnswer:
      case FrameKind.SnapResult: {
        this.quorumOnly(channel, kind);
        const reply = decodeSnapReply(payload);
        if (peer.sender?.transferId === reply.transferId) peer.sender.deliver(kind, reply);
        return;
      }
      default:
        throw new PeerCodecError(`unexpected frame kind ${kind} after the handshake`);
    }
  }

  private quorumOnly(channel: Channel, kind: FrameKind): void {
    if (channel !== Channel.Quorum) throw new PeerCodecError(`frame kind ${kind} on the election channel`);
  }

  /** Sends a Raft message on its channel; dropped (and counted) when that cannot be done now. */
  send(m: Message): void {
    const peer = this.peers.get(m.to);
    if (peer === undefined) {
      this.unknownDropped++;
      return;
    }
    const conn = peer.slots[channelFor(m.type)].conn;
    if (conn === null) {
      peer.raftDropped++;
      return;
    }
    const frame = encodeMessageFrame(m);
    if (frame.length - FRAME_HEADER_BYTES > this.limits.frameBytesMax) {
      peer.raftDropped++;
      this.options.logger.warn(
        `dropped a ${frame.length}-byte message to server ${m.to}: over frameBytesMax ${this.limits.frameBytesMax}`,
      );
      return;
    }
    if (!conn.tryWrite(frame)) peer.raftDropped++;
  }

  /** Queues a service payload on the quorum channel; false when it is down or its queue is full. */
  sendService(to: NodeId, payload: Uint8Array): boolean {
    const peer = this.peers.get(to);
    if (peer === undefined) return false;
    const conn = peer.slots[Channel.Quorum].conn;
    if (conn === null || payload.length + 1 > this.limits.frameBytesMax) {
      peer.serviceRefused++;
      return false;
    }
    const ok = conn.tryWrite(encodeFrame(FrameKind.Service, payload));
    if (!ok) peer.serviceRefused++;
    return ok;
  }

  /**
   * Streams the snapshot file at `path` for the Snap message `m` (whose snapshot data is ignored).
   * onSnapshotSent(m.to, ok) reports the outcome, also when the transfer cannot start.
   */
  sendSnapshot(m: Message, path: string): void {
    const peer = this.peers.get(m.to);
    const conn = peer?.slots[Channel.Quorum].conn ?? null;
    const problem =
      m.type !== MessageType.Snap || m.snapshot === null
        ? "the message is not a Snap with snapshot metadata"
        : peer === undefined
          ? "it is not a configured peer"
          : conn === null
            ? "its quorum connection is down"
            : peer.sender !== null
              ? "another snapshot to it is still in flight"
              : null;
    if (problem !== null || peer === undefined || conn === null) {
      this.options.logger.warn(`cannot send snapshot ${path} to server ${m.to}: ${problem}`);
      if (peer) peer.snapshotsFailed++;
      setImmediate(() => {
        if (!this.closing) this.events.onSnapshotSent(m.to, false);
      });
      return;
    }
    this.transferIds = (this.transferIds + 1) >>> 0;
    const sender = new SnapshotSender(
      conn,
      this.transferIds,
      m,
      path,
      this.limits,
      this.clock,
      this.options.logger,
    );
    peer.sender = sender;
    this.keep(
      sender.run().then((ok) => {
        if (peer.sender === sender) peer.sender = null;
        if (ok) peer.snapshotsSent++;
        else peer.snapshotsFailed++;
        if (!this.closing) this.events.onSnapshotSent(m.to, ok);
      }),
    );
  }

  stats(): PeerStats[] {
    const channel = (conn: FramedConnection | null): ChannelStats => ({
      connected: conn !== null,
      queuedBytes: conn?.queuedBytes ?? 0,
      queuedFrames: conn?.queuedFrames ?? 0,
    });
    return [...this.peers.values()].map((p) => {
      const live = CHANNELS.map((c) => p.slots[c].conn).filter((c) => c !== null);
      return {
        id: p.id,
        quorum: channel(p.slots[Channel.Quorum].conn),
        election: channel(p.slots[Channel.Election].conn),
        raftDropped: p.raftDropped,
        serviceRefused: p.serviceRefused,
        bytesSent: p.bytesSentClosed + live.reduce((n, c) => n + c.bytesSent, 0),
        bytesReceived: p.bytesReceivedClosed + live.reduce((n, c) => n + c.bytesReceived, 0),
        snapshotsSent: p.snapshotsSent,
        snapshotsReceived: p.snapshotsReceived,
        snapshotsFailed: p.snapshotsFailed,
      };
    });
  }

  /** Raft messages dropped because their destination is not a configured peer. */
  get unknownPeerDrops(): number {
    return this.unknownDropped;
  }

  /** Stops listening, closes every connection, cancels every timer and waits for file cleanup. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const closed = this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const peer of this.peers.values()) this.removePeer(peer);
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(closed);
    while (this.tasks.size > 0) await Promise.all([...this.tasks]);
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    return socket;
  }

  private keep(task: Promise<unknown>): void {
    const settled = task.catch(() => {}).finally(() => this.tasks.delete(settled));
    this.tasks.add(settled);
  }
}

function sameAddress(a: PeerAddress, b: PeerAddress): boolean {
  return a.host === b.host && a.quorumPort === b.quorumPort && a.electionPort === b.electionPort;
}
