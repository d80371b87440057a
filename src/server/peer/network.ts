// The peer transport as the replica's PeerNetwork, set up from the ensemble's zoo.cfg: this member
// listens on its own server line's quorum and election ports and reaches every other member on
// theirs. The ensemble's identity, checked in every handshake, is a digest of the server lines, so
// a member started from another ensemble's (or a stale) configuration is refused with a logged
// reason. Snapshots go through the transport's streaming path: the core's snapshot data names the
// file, on the leader a snapshot in dataDir and on the follower the file received.

import { createHash } from "node:crypto";
import { readdir, unlink } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { type Message, MessageType, type NodeId } from "../../consensus/index.js";
import type { ServerConfig } from "../config.js";
import type { PeerNetwork } from "../replica.js";
import { Channel } from "./channel.js";
import type { PeerAddress, PeerLogger } from "./options.js";
import { PeerTransport } from "./transport.js";

/** Where received snapshot files go, under dataDir. */
const INCOMING_DIR = "incoming";

export function ensembleIdentity(config: ServerConfig): string {
  const lines = [...config.servers]
    .sort((a, b) => a.id - b.id)
    .map((s) => `${s.id}=${s.host}:${s.quorumPort}:${s.electionPort}:${s.role}`);
  return createHash("sha256").update(lines.join("\n")).digest("hex").slice(0, 32);
}

export class TransportNetwork implements PeerNetwork {
  onMessage: (m: Message) => void = () => {};
  onService: (from: NodeId, payload: Uint8Array) => void = () => {};
  /** The quorum link to `id` broke: service payloads sent to it since it came up may be lost. */
  onLinkLost: (id: NodeId) => void = () => {};
  private readonly transport: PeerTransport;
  private readonly dataDir: string;

  constructor(config: ServerConfig, log: PeerLogger) {
    this.dataDir = config.dataDir;
    const self = config.servers.find((s) => s.id === config.serverId);
    if (self === undefined)
      throw new Error("invariant violated: a member's own server line is checked at load");
    const peers = new Map<NodeId, PeerAddress>();
    for (const s of config.servers) {
      if (s.id !== self.id)
        peers.set(s.id, { host: s.host, quorumPort: s.quorumPort, electionPort: s.electionPort });
    }
    this.transport = new PeerTransport({
      selfId: self.id,
      ensembleId: ensembleIdentity(config),
      listen: { host: self.host, quorumPort: self.quorumPort, electionPort: self.electionPort },
      quorumListenOnAllIPs: config.quorumListenOnAllIPs,
      peers,
      snapshotDir: join(config.dataDir, INCOMING_DIR),
      // As ZooKeeper's learners: a link silent for syncLimit ticks is dead; keep it busy twice a tick.
      limits: {
        pingIntervalMs: Math.max(50, Math.floor(config.tickTimeMs / 2)),
        idleTimeoutMs: Math.max(1_000, config.tickTimeMs * config.syncLimitTicks),
      },
      logger: log,
      events: {
        onMessage: (m) => this.onMessage(m),
        onService: (from, payload) => this.onService(from, payload),
        onSnapshot: (m, path) => {
          // The core sees the received file's path as the snapshot's data; the replica installs it.
          const meta = m.snapshot?.meta;
          if (meta === undefined) return;
          this.onMessage({ ...m, snapshot: { meta, data: Buffer.from(path, "utf8") } });
        },
        onPeerDown: (id, channel) => {
          if (channel === Channel.Quorum) this.onLinkLost(id);
        },
      },
    });
  }

  /** Listens and dials; snapshots received before a restart and never installed are removed first. */
  async start(): Promise<void> {
    const incoming = join(this.dataDir, INCOMING_DIR);
    for (const name of await readdir(incoming).catch(() => [])) await unlink(join(incoming, name));
    await this.transport.start();
  }

  send(m: Message): void {
    if (m.type === MessageType.Snap && m.snapshot !== null) {
      // Its data names a snapshot file in dataDir (or, once installed from a leader, a path).
      const name = Buffer.from(m.snapshot.data).toString("utf8");
      this.transport.sendSnapshot(m, isAbsolute(name) ? name : join(this.dataDir, name));
      return;
    }
    this.transport.send(m);
  }

  sendService(to: NodeId, payload: Uint8Array): boolean {
    return this.transport.sendService(to, payload);
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
