// Server side of TLS for accepted TCP sockets, for any listener (client port now, peer ports later).
// It is built on one tls.Server that never listens: each socket is handed to it with
// emit("connection"), because the certificate checks (reject an untrusted or missing client
// certificate) live in tls.Server's connection handling; a hand-made TLSSocket skips them and
// accepts an untrusted client. Handshakes are bounded in time and, optionally, in number.

import type { Socket } from "node:net";
import { createServer, type Server, type TLSSocket } from "node:tls";
import { loadTlsMaterial, type TlsMaterial } from "./key-stores.js";
import type { TlsSettings } from "./tls-settings.js";

/** Netty's SslHandler default: a handshake still unfinished after this is dropped. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

export interface TlsAcceptorOptions {
  readonly settings: TlsSettings;
  readonly handshakeTimeoutMs: number;
  /** netty.server.outstandingHandshake.limit: handshakes in flight at once; -1 or 0 for no bound. */
  readonly outstandingHandshakesMax: number;
  readonly log: (message: string) => void;
}

export interface AcceptedTls {
  readonly socket: TLSSocket;
  /** DER of the client's leaf certificate; undefined when it sent none (clientAuth none or want). */
  readonly peerCertificate: Buffer | undefined;
}

interface Pending {
  readonly done: (accepted: AcceptedTls) => void;
  settled: boolean;
}

function keyOf(socket: Socket): string {
  return `${socket.remoteAddress}|${socket.remotePort}|${socket.localPort}`;
}

export class TlsAcceptor {
  private readonly server: Server;
  private readonly pending = new Map<string, Pending>();
  private material: TlsMaterial;
  /** Counts of handshakes refused or failed, for logs and tests. */
  failedHandshakes = 0;

  constructor(private readonly options: TlsAcceptorOptions) {
    this.material = loadTlsMaterial(options.settings, "server");
    const clientAuth = options.settings.clientAuth;
    this.server = createServer({
      ...this.material.options,
      requestCert: clientAuth !== "none",
      rejectUnauthorized: clientAuth === "need",
      handshakeTimeout: options.handshakeTimeoutMs,
    });
    this.server.on("secureConnection", (socket: TLSSocket) => this.secured(socket));
    this.server.on("tlsClientError", (error: Error, socket: TLSSocket) => {
      this.failedHandshakes++;
      this.options.log(
        `TLS handshake with ${socket.remoteAddress}:${socket.remotePort} failed: ${error.message}`,
      );
      socket.destroy();
    });
  }

  /** Files the context was built from; certificate reloading watches them. */
  get files(): readonly string[] {
    return this.material.files;
  }

  get handshakesInFlight(): number {
    return this.pending.size;
  }

  /** Runs the handshake on `raw`; `done` is called only for a connection that passed every check. */
  accept(raw: Socket, done: (accepted: AcceptedTls) => void): void {
    const max = this.options.outstandingHandshakesMax;
    if (max > 0 && this.pending.size >= max) {
      this.failedHandshakes++;
      this.options.log(
        `closing ${raw.remoteAddress}:${raw.remotePort}: ${this.pending.size} TLS handshakes in flight ` +
          `(netty.server.outstandingHandshake.limit=${max})`,
      );
      raw.destroy();
      return;
    }
    const key = keyOf(raw);
    const entry: Pending = { done, settled: false };
    this.pending.set(key, entry);
    raw.once("close", () => {
      if (this.pending.get(key) === entry) this.pending.delete(key);
    });
    this.server.emit("connection", raw);
  }

  private secured(socket: TLSSocket): void {
    const key = keyOf(socket);
    const entry = this.pending.get(key);
    this.pending.delete(key);
    if (entry === undefined || entry.settled) {
      socket.destroy();
      return;
    }
    entry.settled = true;
    const certificate = socket.getPeerCertificate();
    const present = certificate !== null && Object.keys(certificate).length > 0;
    // clientAuth=want lets a client without a certificate in; one that shows an untrusted
    // certificate is refused, as Java's TLS stack fails that handshake in every mode.
    if (present && !socket.authorized) {
      this.failedHandshakes++;
      this.options.log(
        `closing ${socket.remoteAddress}:${socket.remotePort}: its certificate is not trusted (${String(socket.authorizationError)})`,
      );
      socket.destroy();
      return;
    }
    entry.done({ socket, peerCertificate: present ? certificate.raw : undefined });
  }

  /**
   * Rebuilds the context from the files as they are now; new handshakes use it, established
   * connections keep theirs. A store that does not load leaves the old context in place and throws.
   */
  reload(): void {
    const material = loadTlsMaterial(this.options.settings, "server");
    this.server.setSecureContext(material.options);
    this.material = material;
  }
}
