// Peer networks for members in one process: each member's endpoint delivers consensus messages and
// service payloads to the others on a later event-loop turn, copying them (as a wire would), and a
// member can be cut off in both directions and joined back. Service payloads keep their order per
// pair, as the transport's FIFO channel does.

import type { Message, NodeId } from "../../src/consensus/index.js";
import type { PeerNetwork } from "../../src/server/replica.js";

export class MemoryNetwork {
  private readonly endpoints = new Map<NodeId, MemoryEndpoint>();
  private readonly isolated = new Set<NodeId>();

  endpoint(id: NodeId): MemoryEndpoint {
    const e = new MemoryEndpoint(id, this);
    this.endpoints.set(id, e);
    return e;
  }

  /** Cuts every link of `id`; what is in flight to or from it is lost, and both ends are told. */
  isolate(id: NodeId): void {
    this.isolated.add(id);
    const cut = this.endpoints.get(id);
    for (const [other, e] of this.endpoints) {
      if (other === id) continue;
      e.onLinkLost(id);
      cut?.onLinkLost(other);
    }
  }

  heal(id: NodeId): void {
    this.isolated.delete(id);
  }

  /** Delivers `deliver` to `to` on a later turn, unless either end is cut off or gone by then. */
  carry(from: NodeId, to: NodeId, deliver: (e: MemoryEndpoint) => void): boolean {
    if (this.isolated.has(from) || this.isolated.has(to) || !this.endpoints.has(to)) return false;
    setImmediate(() => {
      const target = this.endpoints.get(to);
      if (target === undefined || target.closed || this.isolated.has(from) || this.isolated.has(to)) return;
      deliver(target);
    });
    return true;
  }

  remove(id: NodeId, e: MemoryEndpoint): void {
    if (this.endpoints.get(id) === e) this.endpoints.delete(id);
  }
}

export class MemoryEndpoint implements PeerNetwork {
  onMessage: (m: Message) => void = () => {};
  onService: (from: NodeId, payload: Uint8Array) => void = () => {};
  onLinkLost: (id: NodeId) => void = () => {};
  closed = false;

  constructor(
    readonly id: NodeId,
    private readonly network: MemoryNetwork,
  ) {}

  send(m: Message): void {
    if (this.closed) return;
    const copy = structuredClone(m);
    for (const e of copy.entries) e.data = Buffer.from(e.data);
    this.network.carry(this.id, m.to, (target) => target.onMessage(copy));
  }

  sendService(to: NodeId, payload: Uint8Array): boolean {
    if (this.closed) return false;
    const copy = Buffer.from(payload);
    return this.network.carry(this.id, to, (target) => target.onService(this.id, copy));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.network.remove(this.id, this);
  }
}
