// Runs a client or recipe suite once against Paddock and once against Apache ZooKeeper 3.8, each
// started fresh for the suite. ZooKeeper is the reference: a test that fails there is wrong. When
// the Debian package is missing the ZooKeeper half is skipped loudly (and fails under CI).

import { after, before, describe } from "node:test";
import { type Client, type ClientOptions, connect } from "../../src/client/index.js";
import { debianSkipReason } from "../support/debian.js";
import { startPaddock } from "../support/paddock.js";
import type { Target } from "../support/targets.js";
import { startZooKeeper, zookeeperPackages } from "../support/zookeeper.js";

/** A short tickTime keeps the session timeouts tests use small: min 1 s, max 10 s. */
const serverConfig = { extraConfig: { tickTime: "500", extendedTypesEnabled: "true" } };

export interface Fixture {
  readonly target: Target;
  /** Connects a client (to the target, or through `via`, e.g. a proxy) that is closed after the suite. */
  client(options?: ClientOptions, chroot?: string, via?: string): Promise<Client>;
  /** A fresh absolute path for one test, so tests in a suite do not see each other's nodes. */
  unique(name: string): string;
}

export function eachTarget(title: string, body: (fixture: () => Fixture) => void): void {
  for (const kind of ["paddock", "zookeeper"] as const) {
    const skip = kind === "zookeeper" ? debianSkipReason(zookeeperPackages) : false;
    describe(`${title} [${kind}]`, { skip }, () => {
      let fixture: Fixture | undefined;
      const clients: Client[] = [];
      let counter = 0;
      before(async () => {
        const target = await (kind === "zookeeper"
          ? startZooKeeper(serverConfig)
          : startPaddock(serverConfig));
        fixture = {
          target,
          client: async (options = {}, chroot = "", via = target.connectString) => {
            const client = await connect(via + chroot, { sessionTimeoutMs: 4000, ...options });
            clients.push(client);
            return client;
          },
          unique: (name) => `/${name.replace(/[^a-zA-Z0-9]+/g, "-")}-${++counter}`,
        };
      });
      after(async () => {
        await Promise.allSettled(clients.map((client) => client.close()));
        await fixture?.target.stop();
      });
      body(() => {
        if (!fixture) throw new Error("the target did not start");
        return fixture;
      });
    });
  }
}

/** Polls `condition` every 20 ms until it holds, failing with `what` after `timeoutMs`. */
export async function eventually(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Expires `client`'s session the way the ZooKeeper docs suggest: a second client attaches to the
 * same session (id and password) and closes it.
 */
export async function expireSession(connectString: string, client: Client): Promise<void> {
  const twin = await connect(connectString, {
    session: { id: client.sessionId, password: client.sessionPassword },
    sessionTimeoutMs: client.sessionTimeoutMs,
  });
  await twin.close();
}
