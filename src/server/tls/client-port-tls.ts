// TLS on a client port: what happens to an accepted socket before it becomes a ZooKeeper
// connection. A secure port runs the handshake on every socket; a unified port (client.portUnification)
// looks at the first byte, 0x16 being a TLS handshake record and never the start of a ZooKeeper
// frame or a four-letter word, as ZooKeeper's DualModeSslHandler decides. A client with a trusted
// certificate gets its x509 identity (and super, if it is the configured super user).

import type { Socket } from "node:net";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { x509IdentityOf } from "../../data/x509-identity.js";
import type { Id } from "../../protocol/data.js";
import type { AcceptedTls, TlsAcceptor } from "./tls-acceptor.js";

const TLS_HANDSHAKE_RECORD = 0x16;

/** Hands a socket that passed every check to the listener, with identities for its connection. */
export type Attach = (stream: Socket, authIds: readonly Id[]) => void;

/** The listener hook: gets each accepted socket (after maxClientCnxns) and attaches it or closes it. */
export type SocketPreparer = (raw: Socket, attach: Attach) => void;

export interface ClientIdentityOptions {
  /** X509AuthenticationProvider.superUser: this exact identity is also super. */
  readonly superUser: string | undefined;
  /** ssl.clientHostnameVerification: the certificate must name the client's address (no reverse DNS). */
  readonly verifyClientAddress: boolean;
  readonly log: (message: string) => void;
}

/** The identities a verified TLS client gets, or undefined when it must be refused. */
export function clientIdentities(
  accepted: AcceptedTls,
  options: ClientIdentityOptions,
): readonly Id[] | undefined {
  const der = accepted.peerCertificate;
  if (der === undefined) return [];
  const where = `${accepted.socket.remoteAddress}:${accepted.socket.remotePort}`;
  if (options.verifyClientAddress) {
    // The address as the socket reports it; IPv4 on a dual-stack socket arrives as ::ffff:a.b.c.d.
    const address = (accepted.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
    const mismatch = checkServerIdentity(address, accepted.socket.getPeerCertificate() as PeerCertificate);
    if (mismatch !== undefined) {
      options.log(`closing ${where}: client hostname verification failed (${mismatch.message})`);
      return undefined;
    }
  }
  let identity: string;
  try {
    identity = x509IdentityOf(der);
  } catch (error) {
    options.log(`closing ${where}: its certificate subject cannot be read (${(error as Error).message})`);
    return undefined;
  }
  const ids: Id[] = [{ scheme: "x509", id: identity }];
  if (options.superUser !== undefined && identity === options.superUser)
    ids.push({ scheme: "super", id: identity });
  return ids;
}

function secured(acceptor: TlsAcceptor, options: ClientIdentityOptions, raw: Socket, attach: Attach): void {
  acceptor.accept(raw, (accepted) => {
    const ids = clientIdentities(accepted, options);
    if (ids === undefined) accepted.socket.destroy();
    else attach(accepted.socket, ids);
  });
}

/** secureClientPort: TLS only; a plaintext client fails the handshake and is closed. */
export function tlsOnly(acceptor: TlsAcceptor, options: ClientIdentityOptions): SocketPreparer {
  return (raw, attach) => secured(acceptor, options, raw, attach);
}

/** client.portUnification: TLS or plaintext on one port, told apart by the first byte. */
export function unified(
  acceptor: TlsAcceptor,
  options: ClientIdentityOptions,
  detectionTimeoutMs: number,
): SocketPreparer {
  return (raw, attach) => {
    const timer = setTimeout(() => {
      options.log(
        `closing ${raw.remoteAddress}:${raw.remotePort}: nothing sent within ${detectionTimeoutMs} ms`,
      );
      raw.destroy();
    }, detectionTimeoutMs);
    raw.once("close", () => clearTimeout(timer));
    raw.once("data", (first: Buffer) => {
      clearTimeout(timer);
      raw.pause();
      // Put the bytes back: the TLS layer (or the connection) reads them as if they were new.
      raw.unshift(first);
      if (first[0] === TLS_HANDSHAKE_RECORD) secured(acceptor, options, raw, attach);
      else attach(raw, []);
    });
  };
}
