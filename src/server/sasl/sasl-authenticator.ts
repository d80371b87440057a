// Op 102 (sasl) on a connection: runs that connection's DIGEST-MD5 exchange and says what to
// answer, as ZooKeeperServer.processSasl does: the token in SetSASLResponse, the identities won
// (`sasl:<user>`, and super for zookeeper.superUser), and on failure AUTHFAILED (or
// SESSIONCLOSEDREQUIRESASLAUTH when authentication is enforced) with a null token, then close.
// The users come from the JAAS Server section (jaas-credentials.ts).

import { randomBytes } from "node:crypto";
import { Err } from "../../protocol/constants.js";
import type { Id } from "../../protocol/data.js";
import { DigestMd5Exchange } from "./digest-md5.js";

export interface SaslOutcome {
  readonly err: number;
  /** SetSASLResponse.token; null on failure, as ZooKeeper sends it. */
  readonly token: Buffer | null;
  readonly close: boolean;
  /** Identities to add to the connection. */
  readonly ids: readonly Id[];
  /** Why it failed, for the server log (never includes a password). */
  readonly reason?: string;
}

export interface SaslAuthenticatorOptions {
  /** JAAS user_<name>="<password>" options of the Server section. */
  readonly users: ReadonlyMap<string, string>;
  /** zookeeper.superUser(.*): these users are also super. */
  readonly superUsers: readonly string[];
  /** allowSaslFailedClients: keep the connection after a failure (not when authentication is enforced). */
  readonly allowFailedClients: boolean;
  /** SASL is one of enforce.auth.schemes: failures answer -124. */
  readonly enforced: boolean;
  /** 30 random bytes for each nonce; injectable for tests. */
  readonly random?: (bytes: number) => Buffer;
}

export class SaslAuthenticator {
  private readonly exchanges = new WeakMap<object, DigestMd5Exchange>();
  private readonly random: (bytes: number) => Buffer;

  constructor(private readonly options: SaslAuthenticatorOptions) {
    this.random = options.random ?? randomBytes;
  }

  step(connection: object, token: Buffer | null): SaslOutcome {
    let exchange = this.exchanges.get(connection);
    if (exchange === undefined) {
      exchange = new DigestMd5Exchange(
        (user) => this.options.users.get(user),
        this.random(30).toString("base64"),
      );
      this.exchanges.set(connection, exchange);
    }
    const step = exchange.step(token ?? Buffer.alloc(0));
    switch (step.kind) {
      case "challenge":
        return { err: 0, token: step.token, close: false, ids: [] };
      case "success": {
        const ids: Id[] = [{ scheme: "sasl", id: step.user }];
        if (this.options.superUsers.includes(step.user)) ids.push({ scheme: "super", id: "" });
        return { err: 0, token: step.token, close: false, ids };
      }
      case "failure":
        return {
          err: this.options.enforced ? Err.SESSIONCLOSEDREQUIRESASLAUTH : Err.AUTHFAILED,
          token: null,
          close: this.options.enforced || !this.options.allowFailedClients,
          ids: [],
          reason: step.reason,
        };
    }
  }
}

/** The answer when no JAAS Server section is configured: AUTHFAILED and close (see README). */
export const SASL_NOT_CONFIGURED: SaslOutcome = {
  err: Err.AUTHFAILED,
  token: null,
  close: true,
  ids: [],
  reason: "SASL is not configured (no java.security.auth.login.config)",
};
