// The security half of zoo.cfg as one typed value: the secure client port and port unification,
// the client port's ssl.* block, x509 and SASL super users, the JAAS file, enforced authentication.
// Rules and defaults are ZooKeeper's (ZooKeeperServerMain, NettyServerCnxnFactory,
// AuthenticationHelper); keys that do nothing in ZooKeeper either are accepted with a warning.

import type { ServerConfig } from "../config.js";
import { where } from "../config-error.js";
import { readTlsSettings, type TlsSettings } from "../tls/tls-settings.js";
import { SettingsReader, shown } from "./settings-reader.js";

/** Schemes a connection can be authenticated by; enforce.auth.schemes may name only these. */
export const AUTH_SCHEMES = ["digest", "ip", "x509", "sasl"] as const;

export interface SecurityConfig {
  /** secureClientPort: a TLS-only client port, when set. */
  readonly secureClientPort: number | undefined;
  /** secureClientPortAddress; all interfaces when unset, as in ZooKeeper. */
  readonly secureClientPortAddress: string;
  /** client.portUnification: the plain client port also accepts TLS. */
  readonly portUnification: boolean;
  /** The `ssl.` block, read when a port uses TLS. */
  readonly clientTls: TlsSettings | undefined;
  /** client.certReload: rebuild the TLS context when its files change. */
  readonly certReload: boolean;
  /** ssl.handshakeDetectionTimeoutMillis: how long a unified port waits for the first byte. */
  readonly handshakeDetectionTimeoutMs: number;
  /** netty.server.outstandingHandshake.limit; -1 means no limit. */
  readonly outstandingHandshakeLimit: number;
  /** X509AuthenticationProvider.superUser. */
  readonly x509SuperUser: string | undefined;
  /** java.security.auth.login.config: the JAAS file with the Server section. */
  readonly jaasConfigPath: string | undefined;
  /** zookeeper.sasl.serverconfig: the JAAS section the server reads (Server). */
  readonly saslLoginContext: string;
  /** zookeeper.superUser and zookeeper.superUser.*: SASL users who are also super. */
  readonly saslSuperUsers: readonly string[];
  /** SASLAuthenticationProvider.superPassword: overrides the JAAS password of user `super`. */
  readonly saslSuperPassword: string | undefined;
  /** allowSaslFailedClients: keep a connection whose SASL exchange failed. */
  readonly allowSaslFailedClients: boolean;
  /** Schemes of which a connection must hold an identity before any request; empty when not enforced. */
  readonly enforcedAuthSchemes: readonly string[];
  readonly warnings: readonly string[];
}

/** Java-only keys: accepted so that a ZooKeeper zoo.cfg starts, and logged once. */
const NO_EFFECT: Readonly<Record<string, string>> = {
  requireClientAuthScheme: "it does nothing in ZooKeeper either; enforce.auth.enabled is the real switch",
  jaasLoginRenew: "it does nothing in ZooKeeper either",
  serverCnxnFactory: "Paddock has one connection layer, which serves TLS",
  "kerberos.removeHostFromPrincipal": "Kerberos is not supported",
  "kerberos.removeRealmFromPrincipal": "Kerberos is not supported",
};

/** The provider classes ZooKeeper users name in authProvider.N, and the scheme each gives. */
const PROVIDER_CLASSES: Readonly<Record<string, string>> = {
  "org.apache.zookeeper.server.auth.SASLAuthenticationProvider": "sasl",
  "org.apache.zookeeper.server.auth.X509AuthenticationProvider": "x509",
  "org.apache.zookeeper.server.auth.DigestAuthenticationProvider": "digest",
  "org.apache.zookeeper.server.auth.IPAuthenticationProvider": "ip",
};

export function readSecurityConfig(config: ServerConfig, source: string): SecurityConfig {
  const reader: SettingsReader = new SettingsReader(config.security, source);
  const warnings: string[] = [];
  const at = (key: string) => {
    const setting = reader.get(key);
    return setting === undefined ? source : where(setting.source, setting.line);
  };

  const securePortSetting = reader.get("secureClientPort");
  const secureClientPort =
    securePortSetting === undefined ? undefined : reader.integer("secureClientPort", 1, 65535, 0, "TCP port");
  const addressSetting = reader.get("secureClientPortAddress");
  if (addressSetting !== undefined && secureClientPort === undefined) {
    reader.fail(addressSetting, "is set but secureClientPort is not; set secureClientPort too");
  }
  const portUnification = reader.bool("client.portUnification", false);
  const clientTls = readTlsSettings(reader, "ssl.");
  warnings.push(...clientTls.warnings.map((w) => `${source}: ${w}`));
  // ssl.quorum.* belongs to the peer transport; read here so a typo in it still fails at start-up.
  const quorumTls = readTlsSettings(reader, "ssl.quorum.");
  if (reader.withPrefix("ssl.quorum.").length > 0) {
    warnings.push(
      `${source}: ssl.quorum.* keys are checked but have no effect yet: this version serves standalone`,
      ...quorumTls.warnings.map((w) => `${source}: ${w}`),
    );
  }

  for (const setting of reader.withPrefix("authProvider.")) {
    const scheme = PROVIDER_CLASSES[setting.value];
    if (scheme === undefined) {
      reader.fail(
        setting,
        `names a provider class Paddock does not have (${Object.keys(PROVIDER_CLASSES).join(", ")})`,
      );
    }
  }

  const saslSuperUsers = [
    ...(reader.string("superUser") !== undefined ? [reader.string("superUser")!] : []),
    ...reader.withPrefix("superUser.").map((s) => s.value),
  ];

  let enforcedAuthSchemes: string[] = [];
  if (reader.bool("sessionRequireClientSASLAuth", false)) enforcedAuthSchemes = ["sasl"];
  if (reader.bool("enforce.auth.enabled", false)) {
    const schemes = reader.list("enforce.auth.schemes");
    if (schemes === undefined) {
      reader.fail(
        reader.get("enforce.auth.enabled")!,
        "needs enforce.auth.schemes naming at least one scheme (for example enforce.auth.schemes=sasl)",
      );
    }
    const setting = reader.get("enforce.auth.schemes")!;
    for (const scheme of schemes) {
      if (!(AUTH_SCHEMES as readonly string[]).includes(scheme)) {
        reader.fail(
          setting,
          `names "${scheme}", which has no authentication provider (${AUTH_SCHEMES.join(", ")})`,
        );
      }
    }
    enforcedAuthSchemes = [...new Set([...enforcedAuthSchemes, ...schemes])];
  } else {
    reader.get("enforce.auth.schemes");
  }

  for (const [key, why] of Object.entries(NO_EFFECT)) {
    const setting = reader.get(key);
    if (setting !== undefined) warnings.push(`${at(key)}: ${shown(setting)} has no effect: ${why}`);
  }

  const result: SecurityConfig = {
    secureClientPort,
    secureClientPortAddress: reader.string("secureClientPortAddress") ?? "0.0.0.0",
    portUnification,
    clientTls: secureClientPort !== undefined || portUnification ? clientTls : undefined,
    certReload: reader.bool("client.certReload", false),
    handshakeDetectionTimeoutMs: reader.integer(
      "ssl.handshakeDetectionTimeoutMillis",
      1,
      2147483647,
      5000,
      "milliseconds",
    ),
    outstandingHandshakeLimit: reader.integer(
      "netty.server.outstandingHandshake.limit",
      -1,
      2147483647,
      -1,
      "handshakes, -1 for no limit",
    ),
    x509SuperUser: reader.string("X509AuthenticationProvider.superUser"),
    jaasConfigPath: config.jaasLoginConfig,
    saslLoginContext: reader.string("sasl.serverconfig") ?? "Server",
    saslSuperUsers,
    saslSuperPassword: reader.string("SASLAuthenticationProvider.superPassword"),
    allowSaslFailedClients: reader.bool("allowSaslFailedClients", false),
    enforcedAuthSchemes,
    warnings,
  };
  for (const setting of reader.unasked()) {
    warnings.push(`${where(setting.source, setting.line)}: unknown key "${setting.key}" is ignored`);
  }
  return result;
}
