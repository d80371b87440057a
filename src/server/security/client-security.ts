// Puts a SecurityConfig to work for the client side of one server: the TLS acceptor shared by the
// secure and unified ports, certificate reloading, the SASL authenticator from the JAAS file, and
// the schemes whose identities enforced authentication requires. Everything that can be wrong with
// the files (a store that does not load, a malformed JAAS file) fails here, at start-up.

import { loadSaslUsers } from "../sasl/jaas-credentials.js";
import { SaslAuthenticator } from "../sasl/sasl-authenticator.js";
import { CertificateReloader } from "../tls/cert-reload.js";
import { type ClientIdentityOptions, type SocketPreparer, tlsOnly, unified } from "../tls/client-port-tls.js";
import { HANDSHAKE_TIMEOUT_MS, TlsAcceptor } from "../tls/tls-acceptor.js";
import type { SecurityConfig } from "./security-config.js";

export interface ClientSecurity {
  /** For the plain client port: port unification, or undefined for plaintext only. */
  readonly plainPortPreparer: SocketPreparer | undefined;
  /** For secureClientPort, when configured. */
  readonly securePortPreparer: SocketPreparer | undefined;
  readonly sasl: SaslAuthenticator | undefined;
  readonly enforcedAuthSchemes: readonly string[];
  close(): void;
}

export interface SecurityLog {
  info(message: string): void;
  warn(message: string): void;
}

export function startClientSecurity(security: SecurityConfig, log: SecurityLog): ClientSecurity {
  let acceptor: TlsAcceptor | undefined;
  let reloader: CertificateReloader | undefined;
  let plainPortPreparer: SocketPreparer | undefined;
  let securePortPreparer: SocketPreparer | undefined;
  if (security.clientTls !== undefined) {
    const settings = security.clientTls;
    acceptor = new TlsAcceptor({
      settings,
      handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
      outstandingHandshakesMax: security.outstandingHandshakeLimit,
      log: (message) => log.warn(message),
    });
    const identity: ClientIdentityOptions = {
      superUser: security.x509SuperUser,
      verifyClientAddress: settings.hostnameVerification && settings.clientHostnameVerification,
      log: (message) => log.warn(message),
    };
    if (security.secureClientPort !== undefined) securePortPreparer = tlsOnly(acceptor, identity);
    if (security.portUnification) {
      plainPortPreparer = unified(acceptor, identity, security.handshakeDetectionTimeoutMs);
    }
    if (security.certReload) reloader = new CertificateReloader(acceptor, log);
  }
  let sasl: SaslAuthenticator | undefined;
  if (security.jaasConfigPath !== undefined) {
    const loaded = loadSaslUsers(
      security.jaasConfigPath,
      security.saslLoginContext,
      security.saslSuperPassword,
    );
    if (loaded.missingSection) {
      log.warn(`${security.jaasConfigPath} has no ${security.saslLoginContext} section; SASL is off`);
    } else {
      sasl = new SaslAuthenticator({
        users: loaded.users,
        superUsers: security.saslSuperUsers,
        allowFailedClients: security.allowSaslFailedClients,
        enforced: security.enforcedAuthSchemes.includes("sasl"),
      });
      log.info(`SASL DIGEST-MD5 on, ${loaded.users.size} users from ${security.jaasConfigPath}`);
    }
  }
  return {
    plainPortPreparer,
    securePortPreparer,
    sasl,
    enforcedAuthSchemes: security.enforcedAuthSchemes,
    close: () => reloader?.close(),
  };
}
