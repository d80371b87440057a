// The ensemble half of zoo.cfg: `server.N` lines (in zoo.cfg or its dynamicConfigFile) and the rules
// a member list must satisfy before a server may start with it. The rules are ZooKeeper's
// QuorumPeerConfig and QuorumServer checks, plus the duplicate-address checks ZooKeeper only makes
// at reconfig time, since two members bound to one port fail later and less clearly.

import { ConfigError, errorAt, fail, lineOf, type Setting, where } from "./config-error.js";

/** One `server.N=host:quorumPort:electionPort[:role][;[clientAddress:]clientPort]` line. */
export interface QuorumServer {
  /** N from `server.N`; the same number as that server's myid file (0..255). */
  readonly id: number;
  /** Host name or IP address the quorum and election ports listen on (IPv6 without brackets). */
  readonly host: string;
  /** TCP port followers use to talk to the leader (ZooKeeper's usual 2888). */
  readonly quorumPort: number;
  /** TCP port used for leader election (ZooKeeper's usual 3888). */
  readonly electionPort: number;
  /** Observers replicate but do not vote. */
  readonly role: "participant" | "observer";
  /** Client listen address given after `;`, when the line names one. */
  readonly clientAddress?: string;
  /** Client TCP port given after `;`, when the line names one. */
  readonly clientPort?: number;
}

/** A member together with the line it was read from, for messages. */
export interface ListedServer {
  readonly server: QuorumServer;
  readonly setting: Setting;
}

export const SERVER_ID_MAX = 255;
/** TTL nodes encode the server id in the ephemeral owner's top byte and reserve 0xff. */
export const EXTENDED_SERVER_ID_MAX = 254;

const SERVER_FORMAT = "host:quorumPort:electionPort[:participant|observer][;[clientAddress:]clientPort]";

/** `host:port`, with an IPv6 host in brackets as ZooKeeper prints and parses it. */
export function hostPort(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** Parses the value of `server.<idText>=...`. */
export function parseServerLine(s: Setting, idText: string): QuorumServer {
  if (!/^\d+$/.test(idText) || Number(idText) > SERVER_ID_MAX) {
    throw errorAt(s, `${s.key}: "${idText}" is not a server id (0..${SERVER_ID_MAX})`);
  }
  const id = Number(idText);
  const halves = s.value.split(";");
  if (halves[0]!.includes("|")) {
    fail(
      s,
      'lists several addresses joined by "|" (ZooKeeper\'s multiAddress.enabled), which Paddock does not ' +
        "support; keep one host:quorumPort:electionPort",
    );
  }
  const serverParts = splitHost(s, halves[0]!);
  if (halves.length > 2 || serverParts.length < 3 || serverParts.length > 4)
    fail(s, `does not have the form ${SERVER_FORMAT}`);
  const [host, quorumPort, electionPort, role] = serverParts as [string, string, string, string | undefined];
  if (host === "") fail(s, `has an empty host (${SERVER_FORMAT})`);
  const server: { -readonly [K in keyof QuorumServer]: QuorumServer[K] } = {
    id,
    host,
    quorumPort: port(s, "quorum port", quorumPort),
    electionPort: port(s, "election port", electionPort),
    role: "participant",
  };
  if (server.quorumPort === server.electionPort) {
    fail(
      s,
      `uses port ${server.quorumPort} as both quorum and election port; give the election its own port`,
    );
  }
  if (role !== undefined) {
    const lower = role.trim().toLowerCase();
    if (lower !== "participant" && lower !== "observer")
      fail(s, `has role "${role}" (participant or observer)`);
    server.role = lower;
  }
  if (halves.length === 2) {
    const clientParts = splitHost(s, halves[1]!.trim());
    if (clientParts.length > 2) fail(s, `does not have the form ${SERVER_FORMAT}`);
    server.clientPort = port(s, "client port", clientParts[clientParts.length - 1]!);
    if (clientParts.length === 2) server.clientAddress = clientParts[0]!;
  }
  return server;
}

/**
 * Adds a `server.N` line to `listed`. The same server written twice the same way only warns, as
 * ZooKeeper keeps the last line silently; two different lines for one N are refused, because the
 * servers reading this file would disagree with those reading the other line.
 */
export function addServerLine(
  listed: Map<number, ListedServer>,
  s: Setting,
  idText: string,
  warnings: string[],
): void {
  const server = parseServerLine(s, idText);
  const earlier = listed.get(server.id);
  if (earlier !== undefined) {
    const home = s.source;
    if (sameServer(earlier.server, server)) {
      warnings.push(
        `${where(s.source, s.line)}: server.${server.id} repeats ${lineOf(earlier.setting, home)}`,
      );
    } else {
      throw errorAt(
        s,
        `server.${server.id} is listed twice with different addresses (${lineOf(earlier.setting, home)}: ` +
          `${earlier.setting.value}; here: ${s.value}); give each server its own N`,
      );
    }
  }
  listed.set(server.id, { server, setting: s });
}

function sameServer(a: QuorumServer, b: QuorumServer): boolean {
  return (
    a.host === b.host &&
    a.quorumPort === b.quorumPort &&
    a.electionPort === b.electionPort &&
    a.role === b.role &&
    a.clientAddress === b.clientAddress &&
    a.clientPort === b.clientPort
  );
}

export interface EnsembleRules {
  readonly standaloneEnabled: boolean;
  /** Where standaloneEnabled was set, if it was. */
  readonly standaloneSetting: Setting | undefined;
  readonly extendedTypesEnabled: boolean;
  /** The file the servers were expected in, for a message about having none. */
  readonly source: string;
}

/**
 * The member-list rules of QuorumPeerConfig.parseDynamicConfig, plus address uniqueness. Soft
 * problems (no fault tolerance, an even count) are warnings, as ZooKeeper logs them.
 */
export function checkEnsemble(
  listed: readonly ListedServer[],
  rules: EnsembleRules,
  warnings: string[],
): void {
  if (listed.length === 0) {
    if (!rules.standaloneEnabled) {
      const at = rules.standaloneSetting;
      throw new ConfigError(
        at?.source ?? rules.source,
        at?.line,
        "standaloneEnabled=false needs server.N lines; list this server (and any others) as server.N=host:quorumPort:electionPort",
      );
    }
    return;
  }
  const first = listed[0]!.setting;
  const at = where(first.source, first.line);
  const participants = listed.filter((l) => l.server.role === "participant").length;
  if (participants === 0) {
    throw errorAt(
      first,
      "server.N lines list only observers, so no server can vote; make at least one of them a participant " +
        "(drop :observer from its line)",
    );
  }
  if (participants === 1 && rules.standaloneEnabled) {
    if (participants < listed.length) {
      throw errorAt(
        first,
        "observers need a quorum of at least two participants (or standaloneEnabled=false for a quorum of one)",
      );
    }
    warnings.push(`${at}: only one server is listed, so it runs standalone (standaloneEnabled=true)`);
  } else if (participants <= 2) {
    warnings.push(`${at}: no server failure will be tolerated; use at least 3 servers`);
  } else if (participants % 2 === 0) {
    warnings.push(
      `${at}: ${participants} participants tolerate no more failures than ${participants - 1} would; use an odd number`,
    );
  }
  if (rules.extendedTypesEnabled) {
    const tooBig = listed.find((l) => l.server.id > EXTENDED_SERVER_ID_MAX);
    if (tooBig) {
      throw errorAt(
        tooBig.setting,
        `server.${tooBig.server.id} is above ${EXTENDED_SERVER_ID_MAX}, the largest id TTL nodes allow (extendedTypesEnabled=true)`,
      );
    }
  }
  checkAddressesUnique(listed);
}

/** One TCP endpoint a member binds, named for messages. */
interface Endpoint {
  readonly id: number;
  readonly what: "quorum port" | "election port" | "client port";
  readonly host: string;
  readonly port: number;
  readonly setting: Setting;
}

const WILDCARDS = new Set(["0.0.0.0", "::", "0:0:0:0:0:0:0:0"]);

/** The host a client address binds on: a wildcard address binds every interface of the member's own host. */
export function clientHost(memberHost: string, clientAddress: string | undefined): string {
  return clientAddress === undefined || WILDCARDS.has(clientAddress) ? memberHost : clientAddress;
}

function endpoints(l: ListedServer): Endpoint[] {
  const { server, setting } = l;
  const list: Endpoint[] = [
    { id: server.id, what: "quorum port", host: server.host, port: server.quorumPort, setting },
    { id: server.id, what: "election port", host: server.host, port: server.electionPort, setting },
  ];
  if (server.clientPort !== undefined) {
    const host = clientHost(server.host, server.clientAddress);
    list.push({ id: server.id, what: "client port", host, port: server.clientPort, setting });
  }
  return list;
}

function endpointKey(host: string, port: number): string {
  return `${host.toLowerCase()}:${port}`;
}

function checkAddressesUnique(listed: readonly ListedServer[]): void {
  const owners = new Map<string, Endpoint>();
  for (const l of listed) {
    for (const endpoint of endpoints(l)) {
      const key = endpointKey(endpoint.host, endpoint.port);
      const owner = owners.get(key);
      if (owner !== undefined) throw duplicateAddress(endpoint, owner);
      owners.set(key, endpoint);
    }
  }
}

/**
 * Checks this server's client endpoint against every member's endpoints, for a client port that
 * came from clientPort/clientPortAddress rather than from its own server.N line.
 */
export function checkClientEndpointFree(
  listed: readonly ListedServer[],
  own: QuorumServer,
  client: { host: string; port: number; setting: Setting },
): void {
  const key = endpointKey(clientHost(own.host, client.host), client.port);
  for (const l of listed) {
    for (const endpoint of endpoints(l)) {
      if (endpointKey(endpoint.host, endpoint.port) !== key) continue;
      const where = l.server.id === own.id ? "this server" : `server.${l.server.id}`;
      throw errorAt(
        client.setting,
        `${client.setting.key}=${client.setting.value} makes this server listen for clients on ` +
          `${hostPort(endpoint.host, endpoint.port)}, which ${where} uses as its ${endpoint.what} ` +
          `(${lineOf(endpoint.setting, client.setting.source)}); pick a port nothing else uses`,
      );
    }
  }
}

function duplicateAddress(endpoint: Endpoint, owner: Endpoint): ConfigError {
  const address = hostPort(endpoint.host, endpoint.port);
  if (owner.id === endpoint.id) {
    return errorAt(
      endpoint.setting,
      `server.${endpoint.id} uses ${address} as both its ${owner.what} and its ${endpoint.what}; give each its own port`,
    );
  }
  return errorAt(
    endpoint.setting,
    `server.${endpoint.id} uses ${address} as its ${endpoint.what}, which server.${owner.id} ` +
      `(${lineOf(owner.setting, endpoint.setting.source)}) already uses as its ${owner.what}; ` +
      "members on one host need their own ports",
  );
}

/**
 * The configuration version a dynamic file's name carries, as QuorumPeerConfig.getVersionFromFilename
 * reads it: the hex digits after the last dot (`zoo.cfg.dynamic.100000000`), else 0.
 */
export function versionFromFileName(path: string): bigint {
  const suffix = path.slice(path.lastIndexOf(".") + 1);
  // Long.parseLong(hex, 16): 1..16 hex digits that fit a signed 64-bit long.
  if (!/^[0-9a-fA-F]{1,16}$/.test(suffix)) return 0n;
  const version = BigInt(`0x${suffix}`);
  return version > 0x7fffffffffffffffn ? 0n : version;
}

// An IPv6 literal is bracketed so its colons do not split it: [::1]:2888:3888.
function splitHost(s: Setting, text: string): string[] {
  if (!text.startsWith("[")) return text.split(":");
  const end = text.indexOf("]:");
  if (end < 0) fail(s, `has "[" without a matching "]:" (${SERVER_FORMAT})`);
  return [text.slice(1, end), ...text.slice(end + 2).split(":")];
}

function port(s: Setting, what: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    fail(s, `has ${what} "${text}", which is not a TCP port (1..65535)`);
  }
  return Number(text);
}
