// The client port: accepts TCP connections, enforces maxClientCnxns per remote address, and adapts
// each socket to the Transport a Connection talks through. Replies written in one event-loop turn
// are joined into one socket write: one syscall and as few packets as possible for a burst.
// A secure or unified port hands each socket to a preparer (tls/client-port-tls.ts) first, after the
// maxClientCnxns check so that a flood of handshakes cannot get past the limit.

import { createServer, type Server, type Socket } from "node:net";
import type { Id } from "../protocol/data.js";
import { Connection, type Transport } from "./connection.js";
import type { ZooKeeperService } from "./service.js";
import type { SocketPreparer } from "./tls/client-port-tls.js";

export interface ListenerOptions {
  readonly host: string;
  readonly port: number;
  /** Connections allowed from one address; 0 means no limit. */
  readonly maxClientCnxns: number;
  /** Runs the TLS handshake (or port unification) before a connection exists; none for plaintext. */
  readonly prepare?: SocketPreparer;
}

// Node reports IPv4 peers on a dual-stack socket as ::ffff:a.b.c.d; ACLs and whoAmI want a.b.c.d.
function clientAddress(socket: Socket): string {
  const address = socket.remoteAddress ?? "";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
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
  return {
    remoteAddress: clientAddress(socket),
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
    const address = clientAddress(socket);
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
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.perAddress.delete(address);
      else this.perAddress.set(address, left);
    });
    if (this.options.prepare === undefined) this.serve(socket, []);
    else this.options.prepare(socket, (stream, authIds) => this.serve(stream, authIds));
  }

  /** `stream` is the socket itself, or the TLS socket over it, with the identities TLS gave it. */
  private serve(stream: Socket, authIds: readonly Id[]): void {
    const conn = new Connection(socketTransport(stream), this.service);
    if (authIds.length > 0) conn.authIds = [...conn.authIds, ...authIds];
    this.service.attach(conn);
    stream.on("data", (chunk: Buffer) => conn.receive(chunk));
    stream.on("error", () => stream.destroy());
    stream.on("close", () => conn.peerClosed());
    // Port unification paused the socket to look at its first byte.
    stream.resume();
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
