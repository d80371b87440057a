// The client port: accepts TCP connections, enforces maxClientCnxns per remote address, and adapts
// each socket to the Transport a Connection talks through. Replies written in one event-loop turn
// are joined into one socket write: one syscall and as few packets as possible for a burst.

import { createServer, type Server, type Socket } from "node:net";
import { Connection, type Transport } from "./connection.js";
import type { ZooKeeperService } from "./service.js";

export interface ListenerOptions {
  readonly host: string;
  readonly port: number;
  /** Connections allowed from one address; 0 means no limit. */
  readonly maxClientCnxns: number;
}

function socketTransport(socket: Socket): Transport {
  let queued: Buffer[] = [];
  let queuedBytes = 0;
  const flush = () => {
    if (queued.length === 0) return;
    const out = queued.length === 1 ? queued[0]! : Buffer.concat(queued, queuedBytes);
    queued = [];
    queuedBytes = 0;
    if (!socket.destroyed) socket.write(out);
  };
  const address = socket.remoteAddress ?? "";
  return {
    // Node reports IPv4 peers on a dual-stack socket as ::ffff:a.b.c.d; ACLs and whoAmI want a.b.c.d.
    remoteAddress: address.startsWith("::ffff:") ? address.slice(7) : address,
    remotePort: socket.remotePort ?? 0,
    write(data) {
      if (socket.destroyed) return;
      if (queued.length === 0) process.nextTick(flush);
      queued.push(data);
      queuedBytes += data.length;
    },
    end() {
      if (queued.length > 0) flush();
      if (!socket.destroyed) socket.end();
    },
    pause() {
      socket.pause();
    },
    resume() {
      socket.resume();
    },
  };
}

export class ClientListener {
  private readonly server: Server;
  private readonly perAddress = new Map<string, number>();

  constructor(
    private readonly service: ZooKeeperService,
    private readonly options: ListenerOptions,
    private readonly log: (message: string) => void,
  ) {
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  private accept(socket: Socket): void {
    const transport = socketTransport(socket);
    const address = transport.remoteAddress;
    const count = (this.perAddress.get(address) ?? 0) + 1;
    if (this.options.maxClientCnxns > 0 && count > this.options.maxClientCnxns) {
      this.service.stats.connectionRejected++;
      this.log(
        `too many connections from ${address} (maxClientCnxns=${this.options.maxClientCnxns}); closing`,
      );
      socket.destroy();
      return;
    }
    this.perAddress.set(address, count);
    const conn = new Connection(transport, this.service);
    this.service.attach(conn);
    socket.on("data", (chunk: Buffer) => conn.receive(chunk));
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.perAddress.delete(address);
      else this.perAddress.set(address, left);
      conn.peerClosed();
    });
  }

  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen({ host: this.options.host, port: this.options.port }, () => {
        this.server.off("error", reject);
        const address = this.server.address();
        if (address === null || typeof address === "string") {
          reject(new Error("the client port has no TCP address"));
          return;
        }
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
