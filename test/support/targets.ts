// Chooses the server the compatibility tests run against. Paddock is the default; setting
// PADDOCK_COMPAT_TARGET=zookeeper runs the same tests against Apache ZooKeeper, which is how a
// test is shown to be right before it is allowed to judge Paddock.

import { startPaddock } from "./paddock.js";
import type { ServerConfig } from "./server-process.js";
import { startZooKeeper, zookeeperPackages } from "./zookeeper.js";

export { fourLetterWord } from "./four-letter-word.js";

export interface Target {
  kind: "paddock" | "zookeeper";
  host: string;
  port: number;
  connectString: string;
  /** The server's temporary directory: zoo.cfg, data/ and server.log (its output). */
  dir: string;
  /** The server's stdout and stderr. */
  logPath?: string;
  stop(): Promise<void>;
}

export function targetKind(): Target["kind"] {
  const chosen = process.env.PADDOCK_COMPAT_TARGET ?? "paddock";
  if (chosen === "paddock" || chosen === "zookeeper") return chosen;
  throw new Error(`PADDOCK_COMPAT_TARGET must be "paddock" or "zookeeper", not ${JSON.stringify(chosen)}`);
}

/** Debian packages the chosen target itself needs, to add to a test's own list. */
export function targetPackages(): string[] {
  return targetKind() === "zookeeper" ? zookeeperPackages : [];
}

export function startTarget(options: ServerConfig = {}): Promise<Target> {
  return targetKind() === "zookeeper" ? startZooKeeper(options) : startPaddock(options);
}
