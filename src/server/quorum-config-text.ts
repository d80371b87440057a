// The membership text ZooKeeper shows in /zookeeper/config, in `conf` after "membership: " and in
// a reconfig reply (QuorumMaj.toString): one `server.N=host:qport:eport:role[;caddr:cport]` line per
// member, each ending in "\n", then `version=<hex>` with no newline. Clients parse it (kazoo reads
// the version from the last line, zkCli's `config -c` the client ports), so it is byte-exact.

import { ConfigError, type Setting } from "./config-error.js";
import { hostPort, parseServerLine, type QuorumServer } from "./ensemble-config.js";

/**
 * Formats the members and the config version. A member's `;clientAddress:clientPort` part is
 * printed only when its client port came from its server.N line; a client port from a static
 * clientPort is left out, as ZooKeeper leaves out an address that `isClientAddrFromStatic`.
 */
export function formatQuorumConfig(servers: readonly QuorumServer[], version: bigint): string {
  let text = "";
  for (const server of javaHashMapOrder(servers)) {
    text += `server.${server.id}=${hostPort(server.host, server.quorumPort)}:${server.electionPort}:${server.role}`;
    if (server.clientPort !== undefined) {
      text += `;${hostPort(server.clientAddress ?? "0.0.0.0", server.clientPort)}`;
    }
    text += "\n";
  }
  return `${text}version=${BigInt.asUintN(64, version).toString(16)}`;
}

/**
 * Reads the text back into members and version. A client part without an address comes back as
 * 0.0.0.0, the address ZooKeeper fills in and prints, so formatting the result gives the text again.
 */
export function parseQuorumConfig(
  text: string,
  source = "/zookeeper/config",
): { servers: QuorumServer[]; version: bigint } {
  const lines = text.split("\n");
  const servers = new Map<number, QuorumServer>();
  let version: bigint | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fail = (detail: string) => new ConfigError(source, i + 1, detail);
    if (version !== undefined) throw fail(`nothing may follow the version line, found "${line}"`);
    const equals = line.indexOf("=");
    const key = line.slice(0, Math.max(equals, 0));
    const value = line.slice(equals + 1);
    if (key === "version") {
      if (!/^[0-9a-f]{1,16}$/.test(value)) throw fail(`"${value}" is not a hex version`);
      version = BigInt.asIntN(64, BigInt(`0x${value}`));
      continue;
    }
    const match = /^server\.(\d+)$/.exec(key);
    if (!match) throw fail(`expected server.N=... or version=<hex>, found "${line}"`);
    const setting: Setting = { key, value, line: i + 1, source };
    const server = parseServerLine(setting, match[1]!);
    if (servers.has(server.id)) throw fail(`server.${server.id} appears twice`);
    servers.set(server.id, server);
  }
  if (version === undefined) throw new ConfigError(source, undefined, "the last line must be version=<hex>");
  return { servers: [...servers.values()].sort((a, b) => a.id - b.id), version };
}

/**
 * The order ZooKeeper prints members in: that of its `HashMap<Long, QuorumServer>`, i.e. by bucket
 * (id modulo the table size, 16 doubling whenever more than 3/4 full). Ids sharing a bucket come in
 * insertion order in Java, which follows its Properties hashing; ascending id stands in for it, so
 * only ensembles with two ids that are equal modulo the table size (1 and 17 in one of up to 12
 * members) may print in a different order than ZooKeeper.
 */
function javaHashMapOrder(servers: readonly QuorumServer[]): QuorumServer[] {
  let capacity = 16;
  while (servers.length > capacity * 0.75) capacity *= 2;
  // Long.hashCode of an id below 2^32 is the id, and HashMap's spreading (h ^ h >>> 16) keeps
  // every id up to 65535 in the bucket given by its low bits.
  const bucket = (id: number) => (id ^ (id >>> 16)) & (capacity - 1);
  return [...servers].sort((a, b) => bucket(a.id) - bucket(b.id) || a.id - b.id);
}
