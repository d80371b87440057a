// Which zoo.cfg keys belong to security (TLS, x509, SASL, enforced authentication), and the one
// spelling each is known by. ZooKeeper turns unknown zoo.cfg keys into `zookeeper.<key>` system
// properties, so operators write these keys both ways; the `zookeeper.` prefix is dropped here.
// Kept free of imports so that config.ts can ask without a cycle.

const EXACT: ReadonlySet<string> = new Set([
  "secureClientPort",
  "secureClientPortAddress",
  "client.portUnification",
  "client.certReload",
  "serverCnxnFactory",
  "sasl.serverconfig",
  "superUser",
  "SASLAuthenticationProvider.superPassword",
  "X509AuthenticationProvider.superUser",
  "allowSaslFailedClients",
  "sessionRequireClientSASLAuth",
  "enforce.auth.enabled",
  "enforce.auth.schemes",
  "requireClientAuthScheme",
  "jaasLoginRenew",
  "netty.server.outstandingHandshake.limit",
  "kerberos.removeHostFromPrincipal",
  "kerberos.removeRealmFromPrincipal",
]);

const PREFIXES = ["ssl.", "authProvider.", "superUser."] as const;

/** The security key `key` names (without `zookeeper.`), or undefined when it is not a security key. */
export function securityKeyOf(key: string): string | undefined {
  const bare = key.startsWith("zookeeper.") ? key.slice("zookeeper.".length) : key;
  if (EXACT.has(bare) || PREFIXES.some((prefix) => bare.startsWith(prefix))) return bare;
  return undefined;
}

/** Keys whose values are secrets: never printed in a log line, an error, `conf` or `envi`. */
export function isSecretKey(key: string): boolean {
  return /(?:^|\.)(?:password|superPassword)$/i.test(key);
}
