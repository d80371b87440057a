// The SASL users a server accepts: every `user_<name>="<password>"` option of every entry in the
// JAAS section the server reads (Server by default), as ZooKeeper's getDigestMd5Credentials
// collects them. A section that logs in with Kerberos asks for GSSAPI, which needs a Kerberos
// login Paddock cannot make: like ZooKeeper without a working Kerberos login, it does not start.

import { readFileSync } from "node:fs";
import { JaasConfigError, parseJaas } from "./jaas.js";

export const DIGEST_LOGIN_MODULE = "org.apache.zookeeper.server.auth.DigestLoginModule";

export interface SaslUsers {
  readonly users: ReadonlyMap<string, string>;
  /** Set when the file has no such section: SASL stays off, as in ZooKeeper. */
  readonly missingSection: boolean;
}

export function loadSaslUsers(path: string, section: string, superPassword: string | undefined): SaslUsers {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new JaasConfigError(path, 1, `cannot read the JAAS file (${(error as Error).message})`);
  }
  const entries = parseJaas(text, path).get(section);
  if (entries === undefined) return { users: new Map(), missingSection: true };
  const users = new Map<string, string>();
  for (const entry of entries) {
    if (/Krb5LoginModule$/.test(entry.loginModule)) {
      throw new JaasConfigError(
        path,
        entry.line,
        `section ${section} logs in with Kerberos (${entry.loginModule}); Paddock has no Kerberos (GSSAPI) ` +
          `support, use ${DIGEST_LOGIN_MODULE} with user_<name>="<password>" options`,
      );
    }
    for (const [key, value] of entry.options) {
      if (key.startsWith("user_") && key.length > 5) users.set(key.slice(5), value);
    }
  }
  if (superPassword !== undefined) users.set("super", superPassword);
  return { users, missingSection: false };
}
