// The peer transport as the replica's PeerNetwork, set up from the ensemble's zoo.cfg: this member
// listens on its own server line's quorum and election ports and reaches every other member on
// theirs. The ensemble's identity, checked in every handshake, is a digest of the server lines, so
// a member started from another ensemble's (or a stale) configuration is refused with a logged
// reason.

import { createHash } from "node:crypto";
import { join } from "node:path";
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

  constructor(
    config: ServerConfig,
    private readonly log: PeerLogger,
  ) {
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
      logger: log,
      events: {
        onMessage: (m) => this.onMessage(m),
        onService: (from, payload) => this.onService(from, payload),
        onSnapshot: (m, path) => {
          // Installing a leader's snapshot is not built yet; the leader keeps entries for its peers.
          this.log.warn(
            `ignored snapshot ${path} at log index ${m.snapshot?.meta.index} from server ${m.from}`,
          );
        },
        onPeerDown: (id, channel) => {
          if (channel === Channel.Quorum) this.onLinkLost(id);
        },
      },
    });
  }

  start(): Promise<void> {
    return this.transport.start();
  }

  send(m: Message): void {
    if (m.type === MessageType.Snap) {
      this.log.warn(
        `not sending a snapshot at log index ${m.snapshot?.meta.index} to server ${m.to}: not built yet`,
      );
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
