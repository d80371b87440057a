// Reads zoo.cfg into a typed, frozen ServerConfig so that existing ZooKeeper deployments start
// Paddock with the file they already have. The file is java.util.Properties text, each key keeps
// ZooKeeper's meaning and default (except where noted), unknown keys only warn, and every invalid
// value stops start-up with an error naming the file, line, value and what is accepted.

import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { securityKeyOf } from "./security/security-keys.js";

/** The four-letter words an operator may name in `4lw.commands.whitelist`. */
export const FOUR_LETTER_WORDS = [
  "conf",
  "cons",
  "crst",
  "dump",
  "envi",
  "ruok",
  "srst",
  "srvr",
  "stat",
  "wchc",
  "wchp",
  "wchs",
  "mntr",
  "isro",
  "dirs",
  "hash",
  "gtmk",
  "stmk",
  // Not ZooKeeper's: ClickHouse Keeper's "create snapshot now", which ZooKeeper 3.8 has no way to ask.
  "csnp",
] as const;

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

export interface ServerConfig {
  /** `tickTime`: the basic time unit in milliseconds; session timeouts and limits are multiples. */
  readonly tickTimeMs: number;
  /** `dataDir`: absolute directory for snapshots and the myid file. */
  readonly dataDir: string;
  /** `dataLogDir`: absolute directory for the transaction log; defaults to dataDir. */
  readonly dataLogDir: string;
  /** `clientPort`: TCP port clients connect to. */
  readonly clientPort: number;
  /** `clientPortAddress`: address the client port binds; "0.0.0.0" means all interfaces. */
  readonly clientPortAddress: string;
  /** `minSessionTimeout` in milliseconds as written; -1 means 2 × tickTime. See effectiveSessionTimeouts. */
  readonly minSessionTimeoutMs: number;
  /** `maxSessionTimeout` in milliseconds as written; -1 means 20 × tickTime. See effectiveSessionTimeouts. */
  readonly maxSessionTimeoutMs: number;
  /** `maxClientCnxns`: connections allowed from one client IP address; 0 means unlimited. */
  readonly maxClientCnxns: number;
  /** `globalOutstandingLimit`: requests queued server-wide before the server stops reading sockets. */
  readonly globalOutstandingLimit: number;
  /** `4lw.commands.whitelist` with `*` expanded; srvr (and isro in read-only mode) are enabled regardless. */
  readonly fourLetterWordWhitelist: readonly string[];
  /** `jute.maxbuffer`: largest request or znode payload in bytes. */
  readonly juteMaxBufferBytes: number;
  /**
   * `znode.container.checkIntervalMs`: milliseconds between scans for empty containers and expired
   * TTL nodes. A JVM property in ZooKeeper; a zoo.cfg key here.
   */
  readonly containerCheckIntervalMs: number;
  /** `znode.container.maxPerMinute`: bound on clean-up deletions proposed per minute. */
  readonly containerMaxPerMinute: number;
  /** `snapCount`: log entries between snapshots (count, at least 2). */
  readonly snapCount: number;
  /** `preAllocSize`: log segment preallocation step in kilobytes. */
  readonly preAllocSizeKb: number;
  /** `autopurge.snapRetainCount`: snapshots (and their logs) kept by purging, at least 3. */
  readonly autopurgeSnapRetainCount: number;
  /** `autopurge.purgeInterval`: hours between purge runs; 0 disables purging. */
  readonly autopurgePurgeIntervalHours: number;
  /** `forceSync`: fsync the log before acknowledging writes. */
  readonly forceSync: boolean;
  /** `skipACL`: ignore every ACL check. */
  readonly skipAcl: boolean;
  /** `superDigest`: `user:base64(sha1(user:password))` granting super-user rights, if set. */
  readonly superDigest: string | undefined;
  /** `extendedTypesEnabled`: allow TTL nodes; limits server ids to 0..254. */
  readonly extendedTypesEnabled: boolean;
  /** `enforceQuota`: reject writes that exceed a quota instead of only logging them. */
  readonly enforceQuota: boolean;
  /** `initLimit`: ticks a follower may take to connect and sync to the leader. */
  readonly initLimitTicks: number;
  /** `syncLimit`: ticks a follower may lag behind the leader. */
  readonly syncLimitTicks: number;
  /** `server.N` lines, ordered by id. */
  readonly servers: readonly QuorumServer[];
  /** `standaloneEnabled`: a single listed participant runs standalone rather than as a quorum of one. */
  readonly standaloneEnabled: boolean;
  /** `reconfigEnabled`: allow the reconfig operation. */
  readonly reconfigEnabled: boolean;
  /** `readonlymode.enabled`: keep serving reads while partitioned from the quorum. */
  readonly readOnlyModeEnabled: boolean;
  /** `localSessionsEnabled`: sessions that live on one server only until they need to write ephemerals. */
  readonly localSessionsEnabled: boolean;
  /** `admin.enableServer`: run the HTTP admin server. */
  readonly adminServerEnabled: boolean;
  /** `admin.serverPort`: TCP port of the HTTP admin server. */
  readonly adminServerPort: number;
  /** `admin.serverAddress`: address the HTTP admin server binds. */
  readonly adminServerAddress: string;
  /** `metricsProvider.*` keys without the prefix (className, httpPort, ...), values as written. */
  readonly metricsProvider: Readonly<Record<string, string>>;
  /** This server's id from `dataDir/myid`; undefined when there is no myid file. */
  readonly serverId: number | undefined;
  /** TLS, SASL and enforcement keys as written (without `zookeeper.`); security/security-config.ts reads them. */
  readonly security: readonly SecuritySetting[];
}

/** One security key as written in zoo.cfg, kept with its place for error messages. */
export interface SecuritySetting {
  readonly key: string;
  readonly value: string;
  readonly line: number;
  readonly source: string;
}

/** A zoo.cfg (or myid) that Paddock refuses to start with. */
export class ConfigError extends Error {
  readonly code = "PDK_CONFIG_INVALID";

  constructor(
    /** File the problem is in, as the operator named it. */
    readonly source: string,
    /** 1-based line the offending setting starts on, when there is one. */
    readonly line: number | undefined,
    detail: string,
  ) {
    super(`PDK_CONFIG_INVALID: ${where(source, line)}: ${detail}`);
    this.name = "ConfigError";
  }
}

export function defaultConfig(): ServerConfig {
  // ZooKeeper has no default dataDir; ours is ./data, resolved now as ZooKeeper resolves paths.
  const dataDir = resolve("data");
  return freeze({
    tickTimeMs: 2000,
    dataDir,
    dataLogDir: dataDir,
    clientPort: 2181,
    clientPortAddress: "0.0.0.0",
    minSessionTimeoutMs: -1,
    maxSessionTimeoutMs: -1,
    maxClientCnxns: 60,
    globalOutstandingLimit: 1000,
    fourLetterWordWhitelist: ["srvr"],
    juteMaxBufferBytes: 1048575,
    containerCheckIntervalMs: 60000,
    containerMaxPerMinute: 10000,
    snapCount: 100000,
    preAllocSizeKb: 65536,
    autopurgeSnapRetainCount: 3,
    // ZooKeeper defaults to 0 (never purge); a server that fills its disk by default is worse.
    autopurgePurgeIntervalHours: 1,
    forceSync: true,
    skipAcl: false,
    superDigest: undefined,
    // ZooKeeper defaults to false; TTL nodes are a feature people expect to work, so ours are on.
    extendedTypesEnabled: true,
    enforceQuota: false,
    initLimitTicks: 10,
    syncLimitTicks: 5,
    servers: [],
    standaloneEnabled: true,
    reconfigEnabled: false,
    readOnlyModeEnabled: false,
    localSessionsEnabled: false,
    adminServerEnabled: true,
    adminServerPort: 8080,
    adminServerAddress: "0.0.0.0",
    metricsProvider: {},
    serverId: undefined,
    security: [],
  });
}

/** Parses zoo.cfg text; `source` names the file in messages. Does not read myid (see loadZooCfg). */
export function parseZooCfg(text: string, source: string): { config: ServerConfig; warnings: string[] } {
  const { config, warnings } = parse(text, source);
  return { config: freeze(config), warnings };
}

/** Reads zoo.cfg at `path`, then `dataDir/myid` if present, and checks the ensemble settings against it. */
export function loadZooCfg(path: string): { config: ServerConfig; warnings: string[] } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(
      path,
      undefined,
      `cannot read the configuration file (${(error as Error).message})`,
    );
  }
  const parsed = parse(text, path);
  const myidPath = join(parsed.config.dataDir, "myid");
  if (existsSync(myidPath) && statSync(myidPath).isFile()) {
    parsed.config.serverId = parseMyid(readFileSync(myidPath, "utf8"), myidPath, parsed.config);
  }
  checkAgainstServerId(parsed);
  return { config: freeze(parsed.config), warnings: parsed.warnings };
}

/** Session timeouts the server negotiates within, in milliseconds, with -1 resolved against tickTime. */
export function effectiveSessionTimeouts(config: ServerConfig): { minMs: number; maxMs: number } {
  return {
    minMs: config.minSessionTimeoutMs === -1 ? 2 * config.tickTimeMs : config.minSessionTimeoutMs,
    maxMs: config.maxSessionTimeoutMs === -1 ? 20 * config.tickTimeMs : config.maxSessionTimeoutMs,
  };
}

/**
 * Whether a four-letter word may run. As in ZooKeeper, srvr is always allowed because zkServer.sh
 * status depends on it, and isro whenever read-only mode is on because clients probe with it.
 */
export function fourLetterWordEnabled(config: ServerConfig, word: string): boolean {
  if (word === "srvr") return true;
  if (word === "isro" && config.readOnlyModeEnabled) return true;
  return config.fourLetterWordWhitelist.includes(word);
}

/** True when this server is one member of a replicated ensemble rather than standalone. */
export function isDistributed(config: ServerConfig): boolean {
  const participants = config.servers.filter((server) => server.role === "participant").length;
  return participants > 1 || (!config.standaloneEnabled && participants > 0);
}

type Draft = { -readonly [K in keyof ServerConfig]: ServerConfig[K] };

interface Parsed {
  readonly config: Draft;
  readonly warnings: string[];
  readonly source: string;
  /** Line each setting (by canonical key) was last set on. */
  readonly lineOf: Map<string, number>;
}

/** One `key=value` as written, with the line its logical line starts on. */
interface Setting {
  readonly key: string;
  readonly value: string;
  readonly line: number;
  readonly source: string;
}

const INT_MAX = 2147483647;
const SERVER_ID_MAX = 255;
// TTL nodes encode the server id in the ephemeral owner's top byte and reserve 0xff.
const EXTENDED_SERVER_ID_MAX = 254;

// Each handler validates one value and returns the fields it sets. Aliases share a canonical key so
// a setting written twice under different spellings is reported as written twice.
type Handler = (s: Setting, p: Parsed) => Partial<Draft>;
const HANDLERS = new Map<string, { canonical: string; apply: Handler }>();

function handle(keys: string[], apply: Handler): void {
  for (const key of keys) HANDLERS.set(key, { canonical: keys[0]!, apply });
}

handle(["tickTime"], (s) => ({ tickTimeMs: integer(s, 1, INT_MAX, "milliseconds") }));
handle(["dataDir"], (s) => ({ dataDir: directory(s) }));
handle(["dataLogDir"], (s) => ({ dataLogDir: directory(s) }));
handle(["clientPort"], (s) => ({ clientPort: integer(s, 1, 65535, "TCP port") }));
handle(["clientPortAddress"], (s) => ({ clientPortAddress: nonEmpty(s, "a host name or IP address") }));
handle(["minSessionTimeout"], (s) => ({ minSessionTimeoutMs: sessionTimeout(s, "2 × tickTime") }));
handle(["maxSessionTimeout"], (s) => ({ maxSessionTimeoutMs: sessionTimeout(s, "20 × tickTime") }));
handle(["maxClientCnxns"], (s) => ({
  maxClientCnxns: integer(s, 0, INT_MAX, "per client IP, 0 = unlimited"),
}));
handle(["globalOutstandingLimit"], (s) => ({ globalOutstandingLimit: integer(s, 1, INT_MAX, "requests") }));
handle(["4lw.commands.whitelist"], (s) => ({ fourLetterWordWhitelist: whitelist(s) }));
// ZooKeeper reads jute.maxbuffer with Integer.decode, so hex values such as 0x9fffff are common.
handle(["jute.maxbuffer", "zookeeper.jute.maxbuffer"], (s) => ({
  juteMaxBufferBytes: integer(s, 1, INT_MAX, "bytes", true),
}));
handle(["znode.container.checkIntervalMs"], (s) => ({
  containerCheckIntervalMs: integer(s, 1, INT_MAX, "milliseconds"),
}));
handle(["znode.container.maxPerMinute"], (s) => ({
  containerMaxPerMinute: integer(s, 1, INT_MAX, "deletions per minute"),
}));
handle(["snapCount"], (s, p) => ({ snapCount: atLeast(s, p, 2, "log entries between snapshots") }));
handle(["preAllocSize"], (s) => ({ preAllocSizeKb: integer(s, 1, INT_MAX, "kilobytes") }));
handle(["autopurge.snapRetainCount"], (s, p) => ({
  autopurgeSnapRetainCount: atLeast(s, p, 3, "snapshots"),
}));
handle(["autopurge.purgeInterval"], (s, p) => ({ autopurgePurgeIntervalHours: purgeInterval(s, p) }));
handle(["forceSync"], (s) => ({ forceSync: yesNo(s) }));
handle(["skipACL"], (s) => ({ skipAcl: yesNo(s) }));
handle(
  [
    "superDigest",
    "DigestAuthenticationProvider.superDigest",
    "zookeeper.DigestAuthenticationProvider.superDigest",
  ],
  (s) => ({ superDigest: superDigest(s) }),
);
handle(["extendedTypesEnabled", "zookeeper.extendedTypesEnabled"], (s) => ({
  extendedTypesEnabled: bool(s),
}));
handle(["enforceQuota", "zookeeper.enforceQuota"], (s) => ({ enforceQuota: bool(s) }));
handle(["initLimit"], (s) => ({ initLimitTicks: integer(s, 1, INT_MAX, "ticks") }));
handle(["syncLimit"], (s) => ({ syncLimitTicks: integer(s, 1, INT_MAX, "ticks") }));
handle(["standaloneEnabled"], (s) => ({ standaloneEnabled: bool(s) }));
handle(["reconfigEnabled"], (s) => ({ reconfigEnabled: bool(s) }));
handle(["readonlymode.enabled"], (s) => ({ readOnlyModeEnabled: bool(s) }));
handle(["localSessionsEnabled"], (s) => ({ localSessionsEnabled: bool(s) }));
handle(["admin.enableServer"], (s) => ({ adminServerEnabled: bool(s) }));
handle(["admin.serverPort"], (s) => ({ adminServerPort: integer(s, 1, 65535, "TCP port") }));
handle(["admin.serverAddress"], (s) => ({ adminServerAddress: nonEmpty(s, "a host name or IP address") }));

function parse(text: string, source: string): Parsed {
  const draft: Draft = { ...defaultConfig() };
  const parsed: Parsed = { config: draft, warnings: [], source, lineOf: new Map() };
  const servers = new Map<number, QuorumServer>();
  const metricsProvider = new Map<string, string>();
  const security = new Map<string, SecuritySetting>();

  for (const setting of readProperties(text, source)) {
    const securityKey = securityKeyOf(setting.key);
    if (securityKey !== undefined) {
      const earlier = parsed.lineOf.get(securityKey);
      if (earlier !== undefined) {
        warn(parsed, setting, `${securityKey} was already set on line ${earlier}; this line wins`);
      }
      parsed.lineOf.set(securityKey, setting.line);
      security.set(securityKey, { ...setting, key: securityKey });
      continue;
    }
    const handler = HANDLERS.get(setting.key);
    const serverMatch = /^server\.(.*)$/.exec(setting.key);
    const metricsKey = setting.key.startsWith("metricsProvider.") ? setting.key.slice(16) : "";
    // server.01 and server.1 are the same server, so they share one key for the duplicate check.
    const serverKey =
      serverMatch && /^\d+$/.test(serverMatch[1]!) ? `server.${Number(serverMatch[1])}` : setting.key;
    const canonical = handler?.canonical ?? (serverMatch ? serverKey : metricsKey ? setting.key : undefined);
    if (canonical === undefined) {
      warn(parsed, setting, `unknown key "${setting.key}" is ignored`);
      continue;
    }
    const earlier = parsed.lineOf.get(canonical);
    if (earlier !== undefined) {
      warn(parsed, setting, `${canonical} was already set on line ${earlier}; this line wins`);
    }
    parsed.lineOf.set(canonical, setting.line);
    if (handler) {
      Object.assign(draft, handler.apply(setting, parsed));
    } else if (serverMatch) {
      const server = quorumServer(setting, serverMatch[1]!);
      servers.set(server.id, server);
    } else {
      metricsProvider.set(metricsKey, setting.value);
    }
  }

  if (!parsed.lineOf.has("dataLogDir")) draft.dataLogDir = draft.dataDir;
  draft.metricsProvider = Object.fromEntries(metricsProvider);
  draft.security = [...security.values()];
  draft.servers = [...servers.values()].sort((a, b) => a.id - b.id);
  checkSessionTimeouts(parsed);
  checkEnsemble(parsed);
  return parsed;
}

function checkSessionTimeouts(p: Parsed): void {
  const { minMs, maxMs } = effectiveSessionTimeouts(p.config);
  if (minMs <= maxMs) return;
  const line =
    p.lineOf.get("minSessionTimeout") ?? p.lineOf.get("maxSessionTimeout") ?? p.lineOf.get("tickTime");
  throw new ConfigError(
    p.source,
    line,
    `minSessionTimeout (${minMs} ms) is larger than maxSessionTimeout (${maxMs} ms); ` +
      "minSessionTimeout must be <= maxSessionTimeout (-1 means 2 × tickTime and 20 × tickTime)",
  );
}

// The quorum rules QuorumPeerConfig.parseDynamicConfig applies; ZooKeeper logs the soft ones.
function checkEnsemble(p: Parsed): void {
  const servers = p.config.servers;
  if (servers.length === 0) {
    if (!p.config.standaloneEnabled) {
      throw new ConfigError(
        p.source,
        p.lineOf.get("standaloneEnabled"),
        "standaloneEnabled=false needs server.N lines",
      );
    }
    return;
  }
  const firstLine = p.lineOf.get(`server.${servers[0]!.id}`);
  const participants = servers.filter((server) => server.role === "participant").length;
  if (participants === 0) {
    throw new ConfigError(
      p.source,
      firstLine,
      "server.N lines list only observers; at least one participant is needed",
    );
  }
  if (participants === 1 && p.config.standaloneEnabled) {
    if (participants < servers.length) {
      throw new ConfigError(p.source, firstLine, "observers need a quorum of at least two participants");
    }
    p.warnings.push(
      `${where(p.source, firstLine)}: only one server is listed, so it runs standalone (standaloneEnabled=true)`,
    );
  } else if (participants <= 2) {
    p.warnings.push(
      `${where(p.source, firstLine)}: no server failure will be tolerated; use at least 3 servers`,
    );
  } else if (participants % 2 === 0) {
    p.warnings.push(
      `${where(p.source, firstLine)}: ${participants} participants tolerate no more failures than ${participants - 1} would; ` +
        "use an odd number",
    );
  }
  if (p.config.extendedTypesEnabled) {
    const tooBig = servers.find((server) => server.id > EXTENDED_SERVER_ID_MAX);
    if (tooBig) {
      throw new ConfigError(
        p.source,
        p.lineOf.get(`server.${tooBig.id}`),
        `server.${tooBig.id} is above ${EXTENDED_SERVER_ID_MAX}, the largest id TTL nodes allow (extendedTypesEnabled=true)`,
      );
    }
  }
  const owners = new Map<string, number>();
  for (const server of servers) {
    for (const port of [server.quorumPort, server.electionPort]) {
      const address = `${server.host}:${port}`;
      const owner = owners.get(address);
      if (owner !== undefined) {
        throw new ConfigError(
          p.source,
          p.lineOf.get(`server.${server.id}`),
          `server.${server.id} uses ${address}, which server.${owner} already uses`,
        );
      }
      owners.set(address, server.id);
    }
  }
}

function parseMyid(text: string, path: string, config: Draft): number {
  const first = (text.split(/\r\n|\r|\n/)[0] ?? "").trim();
  const max = config.extendedTypesEnabled ? EXTENDED_SERVER_ID_MAX : SERVER_ID_MAX;
  const range = config.extendedTypesEnabled ? `0..${max}, as extendedTypesEnabled=true` : `0..${max}`;
  if (!/^\d+$/.test(first) || Number(first) > max) {
    throw new ConfigError(
      path,
      1,
      `"${first}" is not a server id (${range}); write this server's N from server.N`,
    );
  }
  return Number(first);
}

// The checks that need myid: an ensemble member must know which server.N it is, and a client port
// written on its server.N line must agree with clientPort/clientPortAddress, then takes effect.
function checkAgainstServerId(p: Parsed): void {
  const config = p.config;
  const id = config.serverId;
  if (isDistributed(config) && id === undefined) {
    throw new ConfigError(
      p.source,
      undefined,
      `server.N lines describe an ensemble but ${join(config.dataDir, "myid")} is missing; ` +
        "write this server's N into it",
    );
  }
  const own = config.servers.find((server) => server.id === id);
  if (isDistributed(config) && own === undefined) {
    throw new ConfigError(p.source, undefined, `myid is ${id} but there is no server.${id} line`);
  }
  if (own === undefined) return;
  const line = p.lineOf.get(`server.${own.id}`);
  if (own.clientPort !== undefined) {
    const portLine = p.lineOf.get("clientPort");
    if (portLine !== undefined && own.clientPort !== config.clientPort) {
      throw new ConfigError(
        p.source,
        line,
        `server.${own.id} gives client port ${own.clientPort} but line ${portLine} sets clientPort=${config.clientPort}; ` +
          "keep one of them",
      );
    }
    config.clientPort = own.clientPort;
  }
  if (own.clientAddress !== undefined) {
    const addressLine = p.lineOf.get("clientPortAddress");
    if (addressLine !== undefined && own.clientAddress !== config.clientPortAddress) {
      throw new ConfigError(
        p.source,
        line,
        `server.${own.id} gives client address ${own.clientAddress} but line ${addressLine} sets ` +
          `clientPortAddress=${config.clientPortAddress}; keep one of them`,
      );
    }
    config.clientPortAddress = own.clientAddress;
  }
}

const SERVER_FORMAT = "host:quorumPort:electionPort[:participant|observer][;[clientAddress:]clientPort]";

function quorumServer(s: Setting, idText: string): QuorumServer {
  if (!/^\d+$/.test(idText) || Number(idText) > SERVER_ID_MAX) {
    throw new ConfigError(s.source, s.line, `${s.key}: "${idText}" is not a server id (0..${SERVER_ID_MAX})`);
  }
  const id = Number(idText);
  const halves = s.value.split(";");
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
  if (role !== undefined) {
    const lower = role.toLowerCase();
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

function whitelist(s: Setting): string[] {
  const names = s.value
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const known: readonly string[] = FOUR_LETTER_WORDS;
  for (const name of names) {
    if (name !== "*" && !known.includes(name)) {
      fail(s, `names "${name}", which is not a four-letter word (valid: ${known.join(" ")}, or * for all)`);
    }
  }
  return names.includes("*") ? [...known] : [...new Set(names)];
}

function integer(s: Setting, min: number, max: number, unit: string, hexAllowed = false): number {
  const hex = hexAllowed ? /^0[xX]([0-9a-fA-F]+)$/.exec(s.value) : null;
  if (!hex && !/^[+-]?\d+$/.test(s.value)) {
    const kind = min === 1 ? "a positive integer" : min === 0 ? "a non-negative integer" : "an integer";
    fail(s, `is not ${kind} (${unit}, ${min}..${max})`);
  }
  const n = hex ? Number.parseInt(hex[1]!, 16) : Number(s.value);
  if (n < min || n > max) fail(s, `is out of range (${unit}, ${min}..${max})`);
  return n;
}

// ZooKeeper raises these counts to their minimum with a log line rather than refusing to start.
function atLeast(s: Setting, p: Parsed, min: number, unit: string): number {
  const n = integer(s, -INT_MAX - 1, INT_MAX, unit);
  if (n < min) warn(p, s, `${s.key}=${s.value} is below ${min}; using ${min}, as ZooKeeper does`);
  return Math.max(min, n);
}

// ZooKeeper treats any interval <= 0 as "never purge".
function purgeInterval(s: Setting, p: Parsed): number {
  const hours = integer(s, -INT_MAX - 1, INT_MAX, "hours, 0 to disable");
  if (hours < 0) warn(p, s, `${s.key}=${s.value} is negative; purging is disabled, as with 0`);
  return Math.max(0, hours);
}

function superDigest(s: Setting): string {
  if (!/^[^:]+:.+$/.test(s.value)) fail(s, "is not user:digest (the digest is base64(sha1(user:password)))");
  return s.value;
}

function sessionTimeout(s: Setting, meaningOfMinusOne: string): number {
  if (s.value === "-1") return -1;
  if (!/^\+?\d+$/.test(s.value) || Number(s.value) < 1 || Number(s.value) > INT_MAX) {
    fail(s, `is not -1 or a positive integer (milliseconds, 1..${INT_MAX}; -1 means ${meaningOfMinusOne})`);
  }
  return Number(s.value);
}

function bool(s: Setting): boolean {
  const lower = s.value.toLowerCase();
  if (lower !== "true" && lower !== "false") fail(s, "is not a boolean (true or false)");
  return lower === "true";
}

function yesNo(s: Setting): boolean {
  const lower = s.value.toLowerCase();
  if (lower !== "yes" && lower !== "no") fail(s, "is not yes or no");
  return lower === "yes";
}

function nonEmpty(s: Setting, expected: string): string {
  if (s.value === "") fail(s, `is empty (${expected})`);
  return s.value;
}

// Relative paths resolve against the working directory, as java.io.File does for ZooKeeper.
function directory(s: Setting): string {
  return resolve(nonEmpty(s, "a directory path"));
}

function fail(s: Setting, problem: string): never {
  throw new ConfigError(s.source, s.line, `${s.key}=${s.value} ${problem}`);
}

function warn(p: Parsed, s: Setting, message: string): void {
  p.warnings.push(`${where(s.source, s.line)}: ${message}`);
}

function where(source: string, line: number | undefined): string {
  return line === undefined ? source : `${source} line ${line}`;
}

function freeze(config: Draft | ServerConfig): ServerConfig {
  return Object.freeze({
    ...config,
    fourLetterWordWhitelist: Object.freeze([...config.fourLetterWordWhitelist]),
    servers: Object.freeze(config.servers.map((server) => Object.freeze({ ...server }))),
    metricsProvider: Object.freeze({ ...config.metricsProvider }),
    security: Object.freeze(config.security.map((setting) => Object.freeze({ ...setting }))),
  });
}

/**
 * java.util.Properties.load: a logical line continues while it ends in an odd number of
 * backslashes, `#`/`!` start comment lines, the key ends at the first unescaped `=`, `:` or
 * whitespace, and backslash escapes are decoded. Keys and values are then trimmed, as ZooKeeper does.
 */
function readProperties(text: string, source: string): Setting[] {
  const lines = text.split(/\r\n|\r|\n/);
  const settings: Setting[] = [];
  for (let i = 0; i < lines.length; i++) {
    let natural = stripLeading(lines[i]!);
    if (natural === "" || natural.startsWith("#") || natural.startsWith("!")) continue;
    const startLine = i + 1;
    let logical = "";
    while (endsInContinuation(natural) && i + 1 < lines.length) {
      logical += natural.slice(0, -1);
      natural = stripLeading(lines[++i]!);
    }
    logical += endsInContinuation(natural) ? natural.slice(0, -1) : natural;
    const { key, value } = splitKeyValue(logical);
    settings.push({
      key: decodeEscapes(key, source, startLine).trim(),
      value: decodeEscapes(value, source, startLine).trim(),
      line: startLine,
      source,
    });
  }
  return settings;
}

function stripLeading(line: string): string {
  return line.replace(/^[ \t\f]+/, "");
}

function endsInContinuation(line: string): boolean {
  let backslashes = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === "\\"; i--) backslashes++;
  return backslashes % 2 === 1;
}

function splitKeyValue(logical: string): { key: string; value: string } {
  let end = 0;
  while (end < logical.length && !"=: \t\f".includes(logical[end]!)) end += logical[end] === "\\" ? 2 : 1;
  end = Math.min(end, logical.length);
  let start = end;
  while (start < logical.length && " \t\f".includes(logical[start]!)) start++;
  if (start < logical.length && "=:".includes(logical[start]!)) start++;
  while (start < logical.length && " \t\f".includes(logical[start]!)) start++;
  return { key: logical.slice(0, end), value: logical.slice(start) };
}

const ESCAPES: Record<string, string> = { t: "\t", n: "\n", r: "\r", f: "\f" };

function decodeEscapes(text: string, source: string, line: number): string {
  return text.replace(/\\(u(.{0,4})|[\s\S]?)/g, (_match, escaped: string, hex: string | undefined) => {
    if (hex === undefined) return ESCAPES[escaped] ?? escaped;
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
      throw new ConfigError(source, line, `malformed \\uXXXX escape "\\u${hex}" (four hex digits expected)`);
    }
    return String.fromCharCode(Number.parseInt(hex, 16));
  });
}
