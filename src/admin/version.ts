// Version strings. Paddock reports the ZooKeeper release whose client behaviour it implements first,
// because tools parse `Zookeeper version:` to decide which features a server has, then its own.

import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const packageJsonPath = fileURLToPath(new URL("../../../package.json", import.meta.url));

export const PADDOCK_VERSION: string = (
  JSON.parse(readFileSync(packageJsonPath, "utf8")) as { version: string }
).version;

/** The ZooKeeper release whose client-visible behaviour Paddock matches. */
export const ZOOKEEPER_COMPAT_VERSION = "3.9.5";

function builtOn(): string {
  // The compiled module's modification time is when this build was made.
  const built = statSync(fileURLToPath(import.meta.url)).mtime;
  const iso = built.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

const versionLine = `Zookeeper version: ${ZOOKEEPER_COMPAT_VERSION}-paddock-${PADDOCK_VERSION}, built on ${builtOn()}`;

export function zookeeperVersionLine(): string {
  return versionLine;
}
