// Reads zoo.cfg into a typed, frozen ServerConfig so that existing ZooKeeper deployments start
// Paddock with the file they already have. The file is java.util.Properties text, each key keeps
// ZooKeeper's meaning and default (except where noted), unknown keys only warn, and every invalid
// value stops start-up with an error naming the file, line, value and what is accepted.

import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { COMMAND_LINE, ConfigError, errorAt, fail, lineOf, type Setting, where } from "./config-error.js";
import {
  addServerLine,
  checkClientEndpointFree,
  checkEnsemble,
  EXTENDED_SERVER_ID_MAX,
  type ListedServer,
  type QuorumServer,
  SERVER_ID_MAX,
  versionFromFileName,
} from "./ensemble-config.js";
import { readProperties } from "./java-properties.js";
import { securityKeyOf } from "./security/security-keys.js";

export { ConfigError } from "./config-error.js";
export type { QuorumServer } from "./ensemble-config.js";

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
  /** `server.N` lines of zoo.cfg or of its dynamicConfigFile, ordered by id. */
  readonly servers: readonly QuorumServer[];
  /**
   * `dynamicConfigFile`, resolved against the working directory as ZooKeeper opens it; the servers
   * were read from it. Undefined when zoo.cfg holds the server lines itself.
   */
  readonly dynamicConfigFile: string | undefined;
  /**
   * The membership's version as written: the hex suffix of the dynamic file's name
   * (`zoo.cfg.dynamic.100000000`) or a static `version=` line, else 0 (a config never committed).
   */
  readonly configVersion: bigint;
  /**
   * `peerType`, reconciled with this server's own server.N line once myid is known: when the two
   * disagree ZooKeeper warns and the server list wins, and so does loadZooCfg.
   */
  readonly peerType: "participant" | "observer";
  /** `standaloneEnabled`: a single listed participant runs standalone rather than as a quorum of one. */
  readonly standaloneEnabled: boolean;
  /** `reconfigEnabled`: allow the reconfig operation. */
  readonly reconfigEnabled: boolean;
  /** `quorumListenOnAllIPs`: bind the quorum and election ports on every interface, not only the server.N host. */
  readonly quorumListenOnAllIPs: boolean;
  /** `readonlymode.enabled`: keep serving reads while partitioned from the quorum. */
  readonly readOnlyModeEnabled: boolean;
  /** `localSessionsEnabled`: sessions that live on one server only until they need to write ephemerals. */
  readonly localSessionsEnabled: boolean;
  /** `admin.enableServer`: run the HTTP admin server. */
  readonly adminServerEnabled: boolean;
  /** `admin.serverPort`: TCP port of the HTTP admin server. */
  readonly adminServerPort: number;
  /** `admin.serverAddress`: address the HTTP admin server binds (ZooKeeper: 0.0.0.0; here 127.0.0.1). */
  readonly adminServerAddress: string;
  /** `admin.commandURL`: path under which admin commands are served. */
  readonly adminCommandUrl: string;
  /** `admin.idleTimeout`: milliseconds an idle admin connection is kept open. */
  readonly adminIdleTimeoutMs: number;
  /** `admin.snapshot.enabled`: allow the snapshot admin command. */
  readonly adminSnapshotEnabled: boolean;
  /** `admin.restore.enabled`: allow the restore admin command. */
  readonly adminRestoreEnabled: boolean;
  /** `admin.rateLimiterIntervalInMS`: one snapshot (and one restore) per this many milliseconds. */
  readonly adminRateLimiterIntervalMs: number;
  /** `metricsProvider.*` keys without the prefix (className, httpPort, ...), values as written. */
  readonly metricsProvider: Readonly<Record<string, string>>;
  /**
   * `java.security.auth.login.config` (a JVM system property in ZooKeeper, `-D` or zoo.cfg here): the
   * JAAS file SASL authentication will read, resolved against the working directory. Kept, not yet used.
   */
  readonly jaasLoginConfig: string | undefined;
  /** This server's id from `dataDir/myid`; undefined when there is no myid file. */
  readonly serverId: number | undefined;
  /** TLS, SASL and enforcement keys as written (without `zookeeper.`); security/security-config.ts reads them. */
  readonly security: readonly SecuritySetting[];
}

/** One security key as written (in zoo.cfg or as -D), its key without `zookeeper.`. */
export type SecuritySetting = Setting;

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
    dynamicConfigFile: undefined,
    configVersion: 0n,
    peerType: "participant",
    standaloneEnabled: true,
    reconfigEnabled: false,
    quorumListenOnAllIPs: false,
    readOnlyModeEnabled: false,
    localSessionsEnabled: false,
    adminServerEnabled: true,
    adminServerPort: 8080,
    // ZooKeeper binds every interface, exposing snapshot and server internals to the network.
    adminServerAddress: "127.0.0.1",
    adminCommandUrl: "/commands",
    adminIdleTimeoutMs: 30000,
    adminSnapshotEnabled: true,
    adminRestoreEnabled: true,
    adminRateLimiterIntervalMs: 300000,
    metricsProvider: {},
    jaasLoginConfig: undefined,
    serverId: undefined,
    security: [],
  });
}

/** A JVM system property given on the command line as -Dname=value. */
export interface SystemProperty {
  readonly name: string;
  readonly value: string;
}

export interface ParseOptions {
  /**
   * -D properties that name a zoo.cfg key (see zooCfgKeyFor). A zoo.cfg line for the same key wins,
   * as in ZooKeeper, whose QuorumPeerConfig copies zoo.cfg keys it does not parse itself into
   * `zookeeper.<key>` system properties over any -D value.
   */
  readonly systemProperties?: readonly SystemProperty[];
  /** Reads the dynamicConfigFile zoo.cfg names; defaults to the file system. */
  readonly readFile?: (path: string) => string;
}

/** Parses zoo.cfg text; `source` names the file in messages. Does not read myid (see loadZooCfg). */
export function parseZooCfg(
  text: string,
  source: string,
  options: ParseOptions = {},
): { config: ServerConfig; warnings: string[] } {
  const { config, warnings } = parse(text, source, options);
  return { config: freeze(config), warnings };
}

/**
 * Reads zoo.cfg at `path` (no file: the defaults), its dynamicConfigFile, then `dataDir/myid` if
 * present, and checks the ensemble settings against this server's id.
 */
export function loadZooCfg(
  path: string | undefined,
  systemProperties: readonly SystemProperty[] = [],
): { config: ServerConfig; warnings: string[] } {
  const text = path === undefined ? "" : readConfigFile(path, "the configuration file");
  const parsed = parse(text, path ?? COMMAND_LINE, {
    systemProperties,
    readFile: (file) => readConfigFile(file, "the dynamic configuration file (dynamicConfigFile)"),
  });
  const myidPath = join(parsed.config.dataDir, "myid");
  if (existsSync(myidPath) && statSync(myidPath).isFile()) {
    parsed.config.serverId = parseMyid(readFileSync(myidPath, "utf8"), myidPath, parsed.config);
  }
  checkAgainstServerId(parsed, myidPath);
  return { config: freeze(parsed.config), warnings: parsed.warnings };
}

function readConfigFile(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(path, undefined, `cannot read ${what} (${(error as Error).message})`);
  }
}

/**
 * The zoo.cfg key a JVM system property stands for, or undefined when it means nothing to Paddock.
 * ZooKeeper reads many settings as `zookeeper.<key>` properties, so the prefix is optional.
 */
export function zooCfgKeyFor(propertyName: string): string | undefined {
  const unprefixed = propertyName.startsWith("zookeeper.") ? propertyName.slice("zookeeper.".length) : "";
  const key = HANDLERS.has(propertyName) ? propertyName : HANDLERS.has(unprefixed) ? unprefixed : undefined;
  // The membership is written in files only; zookeeper.version is ZooKeeper's own build property.
  return key === undefined || MEMBERSHIP_KEYS.has(key) ? undefined : key;
}

const MEMBERSHIP_KEYS = new Set(["version", "dynamicConfigFile"]);

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
  /** zoo.cfg as the operator named it, or "command line" when there is none. */
  readonly source: string;
  /** Where each setting (by canonical key) was last set. */
  readonly settingOf: Map<string, Setting>;
  /** The server.N lines, by id, from zoo.cfg or its dynamic file. */
  readonly listed: Map<number, ListedServer>;
  /** Security keys by their unprefixed name (security/security-keys.ts). */
  readonly security: Map<string, SecuritySetting>;
}

const INT_MAX = 2147483647;

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
handle(["admin.commandURL"], (s) => ({ adminCommandUrl: commandUrl(s) }));
handle(["admin.idleTimeout"], (s) => ({ adminIdleTimeoutMs: integer(s, 1, INT_MAX, "milliseconds") }));
handle(["admin.snapshot.enabled"], (s) => ({ adminSnapshotEnabled: bool(s) }));
handle(["admin.restore.enabled"], (s) => ({ adminRestoreEnabled: bool(s) }));
handle(["admin.rateLimiterIntervalInMS"], (s) => ({
  adminRateLimiterIntervalMs: integer(s, 0, INT_MAX, "milliseconds"),
}));

function commandUrl(s: Setting): string {
  const url = nonEmpty(s, "a path such as /commands");
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(url) || url.includes("..")) {
    fail(s, "is not a URL path (expected e.g. /commands)");
  }
  return url.length > 1 && url.endsWith("/") ? url.slice(0, -1) : url;
}

handle(["peerType"], (s) => ({ peerType: peerType(s) }));
handle(["quorumListenOnAllIPs"], (s) => ({ quorumListenOnAllIPs: bool(s) }));
// Fast leader election is the only algorithm ZooKeeper 3.8 has; Paddock keeps the key for its files.
handle(["electionAlg"], (s) => {
  if (s.value !== "3")
    fail(s, "is not supported: only 3 (fast leader election) exists; remove the line or set 3");
  return {};
});
handle(["dynamicConfigFile"], (s) => ({ dynamicConfigFile: resolve(nonEmpty(s, "a file path")) }));
// The version line a static zoo.cfg may carry beside its server lines (QuorumMaj reads it, in hex).
handle(["version"], (s) => ({ configVersion: hexVersion(s) }));
handle(["java.security.auth.login.config"], (s) => ({
  jaasLoginConfig: resolve(nonEmpty(s, "a file path")),
}));

function parse(text: string, source: string, options: ParseOptions): Parsed {
  const draft: Draft = { ...defaultConfig() };
  const parsed: Parsed = {
    config: draft,
    warnings: [],
    source,
    settingOf: new Map(),
    listed: new Map(),
    security: new Map(),
  };
  const metricsProvider = new Map<string, string>();
  const fileSettings = readProperties(text, source);
  // ZooKeeper refuses member lines in zoo.cfg once it names a dynamic file, whatever their order.
  const dynamic = fileSettings.find((s) => s.key === "dynamicConfigFile");

  for (const setting of fileSettings) {
    if (takeSecuritySetting(parsed, setting, securityKeyOf(setting.key))) continue;
    const handler = HANDLERS.get(setting.key);
    const serverMatch = /^server\.(.*)$/.exec(setting.key);
    if (!handler && (serverMatch || isHierarchicalKey(setting.key))) {
      if (dynamic) {
        throw errorAt(
          setting,
          `${setting.key} must be in the dynamic configuration file (${lineOf(dynamic, source)} sets ` +
            "dynamicConfigFile); move the server lines there, as ZooKeeper requires",
        );
      }
      if (serverMatch) addServerLine(parsed.listed, setting, serverMatch[1]!, parsed.warnings);
      else refuseHierarchical(setting);
      continue;
    }
    const metricsKey = setting.key.startsWith("metricsProvider.") ? setting.key.slice(16) : "";
    const canonical = handler?.canonical ?? (metricsKey ? setting.key : undefined);
    if (canonical === undefined) {
      warn(parsed, setting, `unknown key "${setting.key}" is ignored`);
      continue;
    }
    const earlier = parsed.settingOf.get(canonical);
    if (earlier !== undefined) {
      warn(parsed, setting, `${canonical} was already set on ${lineOf(earlier, source)}; this line wins`);
    }
    parsed.settingOf.set(canonical, setting);
    if (handler) Object.assign(draft, handler.apply(setting, parsed));
    else metricsProvider.set(metricsKey, setting.value);
  }
  applySystemProperties(parsed, options.systemProperties ?? []);

  if (!parsed.settingOf.has("dataLogDir")) draft.dataLogDir = draft.dataDir;
  draft.metricsProvider = Object.fromEntries(metricsProvider);
  draft.security = [...parsed.security.values()];
  if (draft.dynamicConfigFile !== undefined) readDynamicConfig(parsed, draft.dynamicConfigFile, options);
  const listed = [...parsed.listed.values()].sort((a, b) => a.server.id - b.server.id);
  draft.servers = listed.map((l) => l.server);
  checkSessionTimeouts(parsed);
  checkEnsemble(
    listed,
    {
      standaloneEnabled: draft.standaloneEnabled,
      standaloneSetting: parsed.settingOf.get("standaloneEnabled"),
      extendedTypesEnabled: draft.extendedTypesEnabled,
      source: draft.dynamicConfigFile ?? source,
    },
    parsed.warnings,
  );
  return parsed;
}

// -D values apply only where zoo.cfg is silent: ZooKeeper copies zoo.cfg keys into the same
// system properties after the JVM has read the -D flags, so the file's line is what it uses.
function applySystemProperties(p: Parsed, properties: readonly SystemProperty[]): void {
  for (const property of properties) {
    const securityKey = securityKeyOf(property.name);
    if (securityKey !== undefined && !p.security.has(securityKey)) {
      const setting = {
        key: `-D${property.name}`,
        value: property.value,
        line: undefined,
        source: COMMAND_LINE,
      };
      takeSecuritySetting(p, setting, securityKey);
      continue;
    }
    if (securityKey !== undefined) continue; // a zoo.cfg line for the same key wins, as for other keys
    const key = zooCfgKeyFor(property.name);
    if (key === undefined) {
      throw new ConfigError(COMMAND_LINE, undefined, `-D${property.name} is not a setting Paddock reads`);
    }
    const { canonical, apply } = HANDLERS.get(key)!;
    const setting: Setting = {
      key: `-D${property.name}`,
      value: property.value,
      line: undefined,
      source: COMMAND_LINE,
    };
    const earlier = p.settingOf.get(canonical);
    if (earlier?.source === COMMAND_LINE) {
      p.warnings.push(
        `${COMMAND_LINE}: ${setting.key} repeats ${earlier.key}=${earlier.value}; the later one wins`,
      );
    } else if (earlier !== undefined) {
      p.warnings.push(
        `${COMMAND_LINE}: ${setting.key}=${setting.value} is overridden by ${where(earlier.source, earlier.line)} ` +
          `(${earlier.key}=${earlier.value}): as in ZooKeeper, a zoo.cfg setting replaces the system property`,
      );
      continue;
    }
    p.settingOf.set(canonical, setting);
    Object.assign(p.config, apply(setting, p));
  }
}

/** Keeps a security key for security/security-config.ts; false when `key` is not one. */
function takeSecuritySetting(p: Parsed, setting: Setting, key: string | undefined): boolean {
  if (key === undefined) return false;
  const earlier = p.security.get(key);
  if (earlier !== undefined) {
    warn(p, setting, `${key} was already set on ${lineOf(earlier, p.source)}; this line wins`);
  }
  p.security.set(key, { ...setting, key });
  return true;
}

function isHierarchicalKey(key: string): boolean {
  return key.startsWith("group") || key.startsWith("weight");
}

function refuseHierarchical(s: Setting): never {
  throw errorAt(
    s,
    `${s.key}: hierarchical quorums (group.N and weight.N lines) are not supported; ` +
      "Paddock counts votes by majority, so remove the group and weight lines",
  );
}

/**
 * The dynamic file holds the member list only: server.N lines (group/weight for hierarchical
 * quorums, refused here). Its version comes from its name, never from a line, as in ZooKeeper.
 */
function readDynamicConfig(p: Parsed, path: string, options: ParseOptions): void {
  const read = options.readFile ?? ((file: string) => readFileSync(file, "utf8"));
  for (const setting of readProperties(read(path), path)) {
    const serverMatch = /^server\.(.*)$/.exec(setting.key);
    if (serverMatch) {
      addServerLine(p.listed, setting, serverMatch[1]!, p.warnings);
    } else if (isHierarchicalKey(setting.key)) {
      refuseHierarchical(setting);
    } else if (setting.key === "version") {
      throw errorAt(
        setting,
        "a dynamic configuration file must not contain version=; ZooKeeper takes the version from the " +
          "file name's hex suffix (zoo.cfg.dynamic.100000000), so remove the line or rename the file",
      );
    } else {
      throw errorAt(
        setting,
        `${setting.key} does not belong in a dynamic configuration file, which holds only server.N lines; ` +
          "move it to zoo.cfg",
      );
    }
  }
  p.config.configVersion = versionFromFileName(path);
}

function checkSessionTimeouts(p: Parsed): void {
  const { minMs, maxMs } = effectiveSessionTimeouts(p.config);
  if (minMs <= maxMs) return;
  const at =
    p.settingOf.get("minSessionTimeout") ??
    p.settingOf.get("maxSessionTimeout") ??
    p.settingOf.get("tickTime");
  throw new ConfigError(
    at?.source ?? p.source,
    at?.line,
    `minSessionTimeout (${minMs} ms) is larger than maxSessionTimeout (${maxMs} ms); ` +
      "minSessionTimeout must be <= maxSessionTimeout (-1 means 2 × tickTime and 20 × tickTime)",
  );
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

// The checks that need myid: an ensemble member must know which server.N it is, its peerType must
// match that line, and a client port written on the line must agree with clientPort/clientPortAddress
// (QuorumPeerConfig.setupClientPort), then takes effect.
function checkAgainstServerId(p: Parsed, myidPath: string): void {
  const config = p.config;
  const id = config.serverId;
  const serversSource = config.dynamicConfigFile ?? p.source;
  if (isDistributed(config) && id === undefined) {
    throw new ConfigError(
      myidPath,
      undefined,
      `the server.N lines in ${serversSource} describe an ensemble but this myid file is missing; ` +
        `write this server's N into it (echo N > ${myidPath})`,
    );
  }
  const own = id === undefined ? undefined : p.listed.get(id);
  if (isDistributed(config) && own === undefined) {
    const ids = config.servers.map((server) => server.id).join(", ");
    throw new ConfigError(
      myidPath,
      1,
      `myid is ${id} but ${serversSource} has no server.${id} line (it lists ${ids}); ` +
        `write this server's N into ${myidPath}, or add a server.${id} line on every member`,
    );
  }
  reconcilePeerType(p, own);
  if (own === undefined) return;
  const { server, setting } = own;
  const portSetting = p.settingOf.get("clientPort");
  const addressSetting = p.settingOf.get("clientPortAddress");
  if (server.clientPort === undefined) {
    if (isDistributed(config)) {
      checkClientEndpointFree([...p.listed.values()], server, {
        host: config.clientPortAddress,
        port: config.clientPort,
        setting: portSetting ?? {
          key: "clientPort",
          value: String(config.clientPort),
          line: undefined,
          source: "default",
        },
      });
    }
    return;
  }
  if (portSetting !== undefined && server.clientPort !== config.clientPort) {
    throw errorAt(
      setting,
      `server.${server.id} gives client port ${server.clientPort} but ${lineOf(portSetting, setting.source)} sets ` +
        `clientPort=${config.clientPort}; keep one of them`,
    );
  }
  config.clientPort = server.clientPort;
  if (server.clientAddress === undefined) return;
  // A wildcard clientPortAddress only fixes the port, which was compared above (setupClientPort).
  const wildcard = config.clientPortAddress === "0.0.0.0" || config.clientPortAddress === "::";
  if (addressSetting !== undefined && !wildcard && server.clientAddress !== config.clientPortAddress) {
    throw errorAt(
      setting,
      `server.${server.id} gives client address ${server.clientAddress} but ${lineOf(addressSetting, setting.source)} sets ` +
        `clientPortAddress=${config.clientPortAddress}; keep one of them`,
    );
  }
  config.clientPortAddress = server.clientAddress;
}

// QuorumPeerConfig.setupPeerType: the role on this server's own line decides; a peerType that
// disagrees is a warning. A server not in the list (standalone) is a participant.
function reconcilePeerType(p: Parsed, own: ListedServer | undefined): void {
  const config = p.config;
  const listRole = own?.server.role ?? "participant";
  if (config.peerType === listRole) return;
  const written = p.settingOf.get("peerType");
  const where = written
    ? `${written.key}=${written.value} (${lineOf(written, p.source)})`
    : "peerType (not set)";
  const listed = own
    ? `server.${own.server.id} is ${listRole === "observer" ? "an observer" : "a participant"} in the server list`
    : "this server is not in a server list";
  p.warnings.push(
    `${p.source}: ${where} does not match: ${listed}; using ${listRole}, as ZooKeeper does. ` +
      `Set peerType=${listRole} to silence this`,
  );
  config.peerType = listRole;
}

function peerType(s: Setting): "participant" | "observer" {
  const lower = s.value.toLowerCase();
  if (lower !== "participant" && lower !== "observer") fail(s, "is not participant or observer");
  return lower;
}

function hexVersion(s: Setting): bigint {
  if (!/^[0-9a-fA-F]{1,16}$/.test(s.value) || BigInt(`0x${s.value}`) > 0x7fffffffffffffffn) {
    fail(s, "is not a configuration version (hex digits, as in version=100000000)");
  }
  return BigInt(`0x${s.value}`);
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

function warn(p: Parsed, s: Setting, message: string): void {
  p.warnings.push(`${where(s.source, s.line)}: ${message}`);
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
