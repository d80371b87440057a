// What a PeerTransport is configured with: who this server is, where every peer listens, the bounds
// on every queue and frame, and the clock and randomness it schedules with (injected so that tests
// can drive reconnects deterministically).

import type { Message, NodeId, Rng } from "../../consensus/types.js";
import type { Channel } from "./channel.js";

/** One server.N line: host:quorumPort:electionPort. */
export interface PeerAddress {
  host: string;
  quorumPort: number;
  electionPort: number;
}

export interface PeerLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface Timer {
  unref?(): void;
}

export interface PeerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): Timer;
  clearTimeout(timer: Timer): void;
}

export const systemClock: PeerClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

export const systemRng: Rng = { int: (n) => Math.floor(Math.random() * n) };

export interface PeerLimits {
  /** Largest frame body accepted or sent; an App message of maxEntriesPerMessage entries must fit. */
  frameBytesMax: number;
  /** Per peer and channel: bytes written but not yet taken by the kernel, snapshot chunks aside. */
  queueBytesMax: number;
  queueFramesMax: number;
  snapshotChunkBytes: number;
  snapshotBytesMax: number;
  /** Receiver: stop reading the socket while this many snapshot bytes wait for the disk. */
  snapshotPendingWriteBytesMax: number;
  /** How long a snapshot's offer and its final result may take to be answered. */
  snapshotReplyTimeoutMs: number;
  handshakeTimeoutMs: number;
  handshakesPendingMax: number;
  /** A connection that sent nothing for this long gets a Ping frame. */
  pingIntervalMs: number;
  /** A connection that received nothing (not even a Ping) for this long is closed as dead. */
  idleTimeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** After a refused handshake: retrying sooner would only be refused again and flood both logs. */
  refusedRetryMs: number;
}

export const defaultPeerLimits: Readonly<PeerLimits> = {
  frameBytesMax: 272 * 1024 * 1024,
  queueBytesMax: 64 * 1024 * 1024,
  queueFramesMax: 8192,
  snapshotChunkBytes: 1024 * 1024,
  snapshotBytesMax: 64 * 1024 * 1024 * 1024,
  snapshotPendingWriteBytesMax: 8 * 1024 * 1024,
  snapshotReplyTimeoutMs: 120_000,
  handshakeTimeoutMs: 5_000,
  handshakesPendingMax: 64,
  pingIntervalMs: 1_000,
  idleTimeoutMs: 10_000,
  backoffBaseMs: 100,
  backoffMaxMs: 5_000,
  refusedRetryMs: 30_000,
};

export interface PeerTransportEvents {
  onMessage(m: Message): void;
  onService(from: NodeId, payload: Uint8Array): void;
  /** A snapshot file received whole, fsynced and renamed to `path`; `m.snapshot.data` is empty. */
  onSnapshot(m: Message, path: string): void;
  /** `ok` means the receiver holds the whole file durably. */
  onSnapshotSent(to: NodeId, ok: boolean): void;
  onPeerUp(id: NodeId, channel: Channel): void;
  /** Every service payload accepted for `id` since its quorum channel came up is now in doubt. */
  onPeerDown(id: NodeId, channel: Channel): void;
}

export interface PeerTransportOptions {
  selfId: NodeId;
  /** Shared by every member of one ensemble and by no other (for example a hash of the server list). */
  ensembleId: string;
  listen: PeerAddress;
  /** Listen on every interface instead of listen.host (zoo.cfg quorumListenOnAllIPs). */
  quorumListenOnAllIPs?: boolean;
  /** Every other member; this server's own id may be present and is ignored. */
  peers: ReadonlyMap<NodeId, PeerAddress>;
  /** Where received snapshots are written; partial files left by a crash are removed at start. */
  snapshotDir: string;
  limits?: Partial<PeerLimits>;
  logger: PeerLogger;
  clock?: PeerClock;
  rng?: Rng;
  events?: Partial<PeerTransportEvents>;
}
