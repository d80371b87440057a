// Console logins: one model with ZooKeeper's own identities. A browser logs in with a digest
// `user:password` (or stays anonymous with only its ip identity); reads are checked against each
// znode's ACL with those ids, and writes go through a ZooKeeper client session that authenticated
// the same way, so the server's own ACL checks decide, exactly as for any client.

import { randomBytes } from "node:crypto";
import { type Client, connect } from "../../client/index.js";
import { digestOf } from "../../data/acl.js";
import type { Id } from "../../protocol/data.js";

export interface ConsoleIdentity {
  readonly user: string | undefined;
  readonly ids: readonly Id[];
  /** The client session writes go through, opened on the first write. */
  client(): Promise<Client>;
  close(): Promise<void>;
}

/** Logins kept at most; the oldest is dropped (and its session closed) past it. */
const LOGINS_MAX = 100;

export class ConsoleIdentities {
  private readonly logins = new Map<string, ConsoleIdentity>();

  constructor(
    private readonly connectString: string,
    private readonly superDigest: string | undefined,
  ) {}

  private identity(remoteAddress: string, credentials: { user: string; password: string } | undefined) {
    const ids: Id[] = [{ scheme: "ip", id: remoteAddress }];
    if (credentials !== undefined) {
      const digest = digestOf(credentials.user, credentials.password);
      ids.push({ scheme: "digest", id: digest });
      if (this.superDigest !== undefined && digest === this.superDigest)
        ids.push({ scheme: "super", id: "" });
    }
    let opened: Promise<Client> | undefined;
    const connectString = this.connectString;
    return {
      user: credentials?.user,
      ids,
      client: () => {
        opened ??= connect(connectString, { sessionTimeoutMs: 30_000 }).then(async (c) => {
          if (credentials !== undefined)
            await c.addAuth("digest", `${credentials.user}:${credentials.password}`);
          return c;
        });
        return opened;
      },
      close: async () => {
        if (opened !== undefined) await (await opened.catch(() => undefined))?.close();
      },
    } satisfies ConsoleIdentity;
  }

  /** Logs in with a digest identity; returns the token the browser sends back as a cookie. */
  login(remoteAddress: string, user: string, password: string): string {
    const token = randomBytes(24).toString("base64url");
    this.logins.set(token, this.identity(remoteAddress, { user, password }));
    if (this.logins.size > LOGINS_MAX) {
      const [oldest] = this.logins.keys();
      void this.logout(oldest!);
    }
    return token;
  }

  async logout(token: string): Promise<void> {
    const found = this.logins.get(token);
    this.logins.delete(token);
    await found?.close();
  }

  private readonly anonymous = new Map<string, ConsoleIdentity>();

  /** The identity of a request: its login, or the anonymous identity of its address. */
  of(token: string | undefined, remoteAddress: string): ConsoleIdentity {
    const found = token === undefined ? undefined : this.logins.get(token);
    if (found !== undefined) return found;
    let anon = this.anonymous.get(remoteAddress);
    if (anon === undefined) {
      anon = this.identity(remoteAddress, undefined);
      this.anonymous.set(remoteAddress, anon);
    }
    return anon;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.logins.values(), ...this.anonymous.values()].map((i) => i.close()));
    this.logins.clear();
    this.anonymous.clear();
  }
}
