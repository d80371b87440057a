// ZooKeeper 3.9's 28 AdminServer commands (Commands.java): names and aliases, whether they need a
// serving server, which need authentication, and the data each answers, key for key. Ensemble
// commands read the EnsembleView, so a standalone server answers as a standalone ZooKeeper does.

import { hostname, release, tmpdir, userInfo } from "node:os";
import { getHeapStatistics } from "node:v8";
import { Perms } from "../../protocol/constants.js";
import { monitorCommandEntries } from "../metrics/monitor-entries.js";
import { getTraceMask, setTraceMask } from "../trace-mask.js";
import { PADDOCK_VERSION, ZOOKEEPER_COMPAT_VERSION, zookeeperVersionLine } from "../version.js";
import type { AdminContext } from "./admin-context.js";
import { bufferStats, connectionInfo, serverStatsBean } from "./connection-info.js";
import type { JsonValue } from "./jackson-json.js";

export interface CommandRequest {
  /** Query parameters, first value of each. */
  readonly kwargs: ReadonlyMap<string, string>;
  /** POST body, for restore; undefined on GET. */
  readonly body: Buffer | undefined;
}

/** A command's answer: data map, status, extra headers, and a file to stream instead of JSON. */
export interface CommandOutcome {
  readonly data: Map<string, JsonValue>;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly file?: { readonly path: string; readonly size: number };
}

export interface AdminCommand {
  /** Primary name first, then aliases. */
  readonly names: readonly string[];
  readonly method: "GET" | "POST";
  readonly serverRequired: boolean;
  /** Permission needed on "/" (ZooKeeper's AuthRequest), for snapshot and restore. */
  readonly perm?: number;
  run(ctx: AdminContext, req: CommandRequest): CommandOutcome | Promise<CommandOutcome>;
}

export const fullVersion = (): string => zookeeperVersionLine().slice("Zookeeper version: ".length);

const hex = (v: bigint): string => BigInt.asUintN(64, v).toString(16);

function ok(entries: Array<[string, JsonValue]> = []): CommandOutcome {
  return { data: new Map(entries), status: 200, headers: {} };
}

function statusOnly(status: number, headers: Record<string, string> = {}): CommandOutcome {
  return { data: new Map(), status, headers };
}

const sorted = <T>(items: Iterable<T>, key: (t: T) => string): T[] =>
  [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

function javaOsArch(): string {
  return process.arch === "x64" ? "amd64" : process.arch === "arm64" ? "aarch64" : process.arch;
}

function javaOsName(): string {
  return process.platform === "linux"
    ? "Linux"
    : process.platform === "darwin"
      ? "Mac OS X"
      : process.platform;
}

function user(): { name: string; home: string } {
  try {
    const info = userInfo();
    return { name: info.username, home: info.homedir };
  } catch {
    return { name: "<NA>", home: "<NA>" };
  }
}

/** ZooKeeper's Environment.list(): the JVM's facts, here the Node process's, under the same keys. */
function environment(): Array<[string, JsonValue]> {
  const mb = (bytes: number) => `${Math.floor(bytes / (1024 * 1024))}MB`;
  const memory = process.memoryUsage();
  const u = user();
  return [
    ["zookeeper.version", fullVersion()],
    ["host.name", hostname()],
    // There is no JVM: the java.* keys stay, with ZooKeeper's marker for a missing property.
    ["java.version", "<NA>"],
    ["java.vendor", "<NA>"],
    ["java.home", "<NA>"],
    ["java.class.path", "<NA>"],
    ["java.library.path", "<NA>"],
    ["java.io.tmpdir", tmpdir()],
    ["java.compiler", "<NA>"],
    ["os.name", javaOsName()],
    ["os.arch", javaOsArch()],
    ["os.version", release()],
    ["user.name", u.name],
    ["user.home", u.home],
    ["user.dir", process.cwd()],
    ["os.memory.free", mb(memory.heapTotal - memory.heapUsed)],
    ["os.memory.max", mb(getHeapStatistics().heap_size_limit)],
    ["os.memory.total", mb(memory.heapTotal)],
    ["paddock.version", PADDOCK_VERSION],
    ["node.version", process.version],
  ];
}

/** The system properties a JVM running ZooKeeper would show that have a meaning here, sorted. */
function systemProperties(ctx: AdminContext): Array<[string, JsonValue]> {
  const u = user();
  const c = ctx.config;
  const props: Record<string, string> = {
    "file.encoding": "UTF-8",
    "file.separator": "/",
    "java.io.tmpdir": tmpdir(),
    "line.separator": "\n",
    "os.arch": javaOsArch(),
    "os.name": javaOsName(),
    "os.version": release(),
    "path.separator": ":",
    "user.dir": process.cwd(),
    "user.home": u.home,
    "user.name": u.name,
    // ZooKeeper turns zoo.cfg keys it does not know into zookeeper.<key> properties.
    "zookeeper.admin.enableServer": String(c.adminServerEnabled),
    "zookeeper.admin.serverAddress": c.adminServerAddress,
    "zookeeper.admin.serverPort": String(c.adminServerPort),
    "zookeeper.admin.commandURL": c.adminCommandUrl,
    "zookeeper.admin.idleTimeout": String(c.adminIdleTimeoutMs),
    "zookeeper.admin.snapshot.enabled": String(c.adminSnapshotEnabled),
    "zookeeper.admin.restore.enabled": String(c.adminRestoreEnabled),
    "zookeeper.admin.rateLimiterIntervalInMS": String(c.adminRateLimiterIntervalMs),
    "zookeeper.version": ZOOKEEPER_COMPAT_VERSION,
  };
  for (const [key, value] of Object.entries(c.metricsProvider)) props[`metricsProvider.${key}`] = value;
  return sorted(Object.entries(props), ([k]) => k);
}

function serverStats(ctx: AdminContext): Array<[string, JsonValue]> {
  const s = ctx.service.stats;
  const entries: Array<[string, JsonValue]> = [
    ["version", fullVersion()],
    ["read_only", false],
    [
      "server_stats",
      serverStatsBean(
        ctx.service,
        ctx.ensemble.role,
        ctx.dirSizes(),
        ctx.nowMs(),
        s.fsyncTimeMs.countAtLeast(1000),
      ),
    ],
    ["client_response", bufferStats(s.lastResponseBytes, s.minResponseBytes, s.maxResponseBytes)],
  ];
  entries.push(["node_count", ctx.service.state.znodeCount]);
  return entries;
}

function learnerInfo(l: AdminContext["ensemble"]["learners"][number]): Map<string, JsonValue> {
  return new Map<string, JsonValue>([
    ["remote_socket_address", l.remoteSocketAddress],
    ["sid", l.sid],
    ["established", l.establishedMs],
    ["queued_packets", l.queuedPackets],
    ["queued_packets_size", l.queuedPacketsBytes],
    ["packets_received", l.packetsReceived],
    ["packets_sent", l.packetsSent],
    ["requests", l.requests],
    ["last_zxid", l.lastZxid],
  ]);
}

function snapshotCommand(ctx: AdminContext, req: CommandRequest, limiterAllows: () => boolean) {
  return async (): Promise<CommandOutcome> => {
    if (!ctx.settings.snapshotEnabled) {
      ctx.log.warn("admin snapshot refused: admin.snapshot.enabled is false");
      return statusOnly(503);
    }
    if (!limiterAllows()) {
      ctx.metrics.extra.snapshot_rate_limited_count++;
      ctx.log.warn("admin snapshot refused: one per admin.rateLimiterIntervalInMS");
      return statusOnly(429);
    }
    const streaming = req.kwargs.has("streaming")
      ? req.kwargs.get("streaming")!.toLowerCase() === "true"
      : true;
    try {
      const { zxid, path } = await ctx.snapshots.take();
      const { size } = await import("node:fs/promises").then((fs) => fs.stat(path));
      const headers = { last_zxid: `0x${hex(zxid)}`, snapshot_size: String(size) };
      if (size === 0) {
        ctx.metrics.extra.snapshot_error_count++;
        return statusOnly(500, headers);
      }
      return streaming ? { ...statusOnly(200, headers), file: { path, size } } : statusOnly(200, headers);
    } catch (error) {
      ctx.metrics.extra.snapshot_error_count++;
      ctx.log.warn(`admin snapshot failed: ${(error as Error).message}`);
      return statusOnly(500);
    }
  };
}

/** Builds the command table; the snapshot and restore rate limiters live as long as the table. */
export function adminCommands(limiters: { snapshot: () => boolean; restore: () => boolean }): AdminCommand[] {
  const get = (
    names: string[],
    run: AdminCommand["run"],
    serverRequired = true,
    perm?: number,
  ): AdminCommand => ({ names, method: "GET", serverRequired, perm, run });
  return [
    get(["connection_stat_reset", "crst"], (ctx) => {
      for (const conn of ctx.service.connections) conn.resetStats();
      return ok();
    }),
    get(["configuration", "conf", "config"], (ctx) => {
      const c = ctx.config;
      const o = ctx.service.options;
      return ok([
        ["client_port", c.clientPort],
        ["data_dir", c.dataDir],
        ["data_log_dir", c.dataLogDir],
        ["tick_time", c.tickTimeMs],
        ["max_client_cnxns", c.maxClientCnxns],
        ["min_session_timeout", o.minSessionTimeoutMs],
        ["max_session_timeout", o.maxSessionTimeoutMs],
        ["server_id", c.serverId ?? 0],
        // Node's default listen backlog; ZooKeeper prints -1 for "the OS default" too.
        ["client_port_listen_backlog", -1],
      ]);
    }),
    get(["connections", "cons"], (ctx) =>
      ok([
        ["connections", [...ctx.service.connections].map((c) => connectionInfo(c, false))],
        ["secure_connections", []],
      ]),
    ),
    get(["hash"], (ctx) =>
      ok([
        [
          "digests",
          ctx.service.digestLog.list().map(
            (d) =>
              new Map<string, JsonValue>([
                ["zxid", d.zxid],
                // ZooKeeper's DigestCalculator.DIGEST_VERSION; Paddock's digest is its own hash.
                ["digest_version", 2],
                ["digest", d.digest],
              ]),
          ),
        ],
      ]),
    ),
    get(["dirs"], (ctx) => {
      const d = ctx.dirSizes();
      return ok([
        ["datadir_size", d.dataDirBytes],
        ["logdir_size", d.dataLogDirBytes],
      ]);
    }),
    get(["dump"], (ctx) => {
      const expiry = new Map<string, JsonValue>();
      for (const bucket of ctx.service.tracker.byDeadline())
        expiry.set(String(bucket.deadlineMs), bucket.sessions);
      const ephemerals = new Map<string, JsonValue>();
      for (const [id, session] of ctx.service.state.sessions()) {
        if (session.ephemerals.size > 0) ephemerals.set(id.toString(), [...session.ephemerals].sort());
      }
      return ok([
        ["expiry_time_to_session_ids", expiry],
        ["session_id_to_ephemeral_paths", ephemerals],
      ]);
    }),
    get(["environment", "env", "envi"], () => ok(environment()), false),
    get(["get_trace_mask", "gtmk"], () => ok([["tracemask", getTraceMask()]]), false),
    get(["initial_configuration", "icfg"], (ctx) => ok([["initial_configuration", ctx.configText]])),
    get(["is_read_only", "isro"], () => ok([["read_only", false]])),
    get(["last_snapshot", "lsnp"], async (ctx) => {
      const latest = await ctx.snapshots.latest();
      return ok([
        ["zxid", hex(latest?.zxid ?? -1n)],
        ["timestamp", latest === undefined ? -1 : Math.floor(latest.modifiedMs / 1000)],
      ]);
    }),
    get(["leader", "lead"], (ctx) => {
      const e = ctx.ensemble;
      if (!e.inQuorum) return ok([["error", "server is not initialized"]]);
      return ok([
        ["is_leader", e.role === "leader"],
        ["leader_id", e.leaderId],
        ["leader_ip", e.leaderAddress],
      ]);
    }),
    get(
      ["monitor", "mntr"],
      (ctx) => ok(monitorCommandEntries(fullVersion(), ctx.ensemble, ctx.metrics.all())),
      false,
    ),
    get(["observer_connection_stat_reset", "orst"], (ctx) => {
      ctx.ensemble.resetObserverStats();
      return ok();
    }),
    {
      names: ["restore", "rest"],
      method: "POST",
      serverRequired: true,
      perm: Perms.ALL,
      run: (ctx, req) => {
        if (!ctx.settings.restoreEnabled) {
          ctx.log.warn("admin restore refused: admin.restore.enabled is false");
          return statusOnly(503);
        }
        if (req.body === undefined || req.body.length === 0) return statusOnly(400);
        if (!limiters.restore()) {
          ctx.metrics.extra.restore_rate_limited_count++;
          return statusOnly(429);
        }
        ctx.metrics.extra.restore_error_count++;
        return {
          ...statusOnly(501),
          data: new Map([
            [
              "error",
              "restore into a running Paddock server is not supported yet; stop the server, put the snapshot file in dataDir and start it",
            ],
          ]),
        };
      },
    },
    get(["ruok"], () => ok()),
    get(
      ["set_trace_mask", "stmk"],
      (_ctx, req) => {
        const text = req.kwargs.get("traceMask");
        if (text === undefined) return ok([["error", "setTraceMask requires long traceMask argument"]]);
        // Java's Long.parseLong: an optional sign and decimal digits, within 64 bits.
        if (!/^[+-]?\d+$/.test(text) || BigInt.asIntN(64, BigInt(text)) !== BigInt(text)) {
          return ok([["error", `setTraceMask requires long traceMask argument, got ${text}`]]);
        }
        setTraceMask(BigInt(text));
        return ok([["tracemask", getTraceMask()]]);
      },
      false,
    ),
    get(["snapshot", "snap"], (ctx, req) => snapshotCommand(ctx, req, limiters.snapshot)(), true, Perms.ALL),
    get(["server_stats", "srvr"], (ctx) => ok(serverStats(ctx))),
    get(["stats", "stat"], (ctx) =>
      ok([
        ...serverStats(ctx),
        ["connections", [...ctx.service.connections].map((c) => connectionInfo(c, true))],
        ["secure_connections", []],
      ]),
    ),
    get(["stat_reset", "srst"], (ctx) => {
      ctx.service.stats.reset();
      return ok();
    }),
    get(["observers", "obsr"], (ctx) => {
      const observers = ctx.ensemble.syncedObservers;
      return ok([
        ["synced_observers", observers.length],
        ["observers", observers.map(learnerInfo)],
      ]);
    }),
    get(["system_properties", "sysp"], (ctx) => ok(systemProperties(ctx)), false),
    get(["voting_view"], (ctx) => {
      const view = new Map<string, JsonValue>();
      for (const m of ctx.ensemble.inQuorum ? ctx.ensemble.members : []) {
        view.set(
          String(m.id),
          new Map<string, JsonValue>([
            ["server_addresses", m.serverAddresses],
            ["election_addresses", m.electionAddresses],
            ["client_address", m.clientAddress],
            ["learner_type", m.learnerType],
          ]),
        );
      }
      return ok([["current_config", view]]);
    }),
    get(["watches", "wchc"], (ctx) => {
      const byWatcher = new Map<string, JsonValue>();
      for (const [conn, paths] of ctx.service.watches.dataWatchesByWatcher()) {
        byWatcher.set(conn.sessionId.toString(), paths);
      }
      return ok([["session_id_to_watched_paths", byWatcher]]);
    }),
    get(["watches_by_path", "wchp"], (ctx) => {
      const byPath = new Map<string, JsonValue>();
      for (const [path, conns] of ctx.service.watches.dataWatchesByPath()) {
        byPath.set(
          path,
          conns.map((c) => c.sessionId),
        );
      }
      return ok([["path_to_session_ids", byPath]]);
    }),
    get(["watch_summary", "wchs"], (ctx) => {
      const byWatcher = ctx.service.watches.dataWatchesByWatcher();
      let total = 0;
      for (const paths of byWatcher.values()) total += paths.length;
      return ok([
        ["num_connections", byWatcher.size],
        ["num_paths", ctx.service.watches.dataWatchesByPath().size],
        ["num_total_watches", total],
      ]);
    }),
    get(
      ["zabstate"],
      (ctx) => {
        const e = ctx.ensemble;
        if (!e.inQuorum) {
          return ok([
            ["voting", false],
            ["zabstate", ""],
          ]);
        }
        const zxid = ctx.service.state.lastZxid;
        const me = e.members.find((m) => m.id === e.myId);
        return ok([
          ["myid", e.myId],
          ["is_leader", e.role === "leader"],
          ["quorum_address", me?.serverAddresses[0] ?? ""],
          ["election_address", me?.electionAddresses[0] ?? ""],
          ["client_address", me?.clientAddress ?? ""],
          ["voting", me?.learnerType === "participant"],
          ["last_zxid", `0x${hex(zxid)}`],
          ["zab_epoch", Number(zxid >> 32n)],
          ["zab_counter", Number(zxid & 0xffffffffn)],
          ["zabstate", e.zabPhase ?? ""],
        ]);
      },
      false,
    ),
  ];
}
