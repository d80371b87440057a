// ZooKeeper's four-letter words (ruok, srvr, stat, mntr, conf, ...), answered in ZooKeeper's output
// shapes because monitoring scripts, zkServer.sh and client libraries parse them. A known command
// that is not whitelisted gets ZooKeeper's refusal line.

import { hostname, userInfo } from "node:os";
import { fourLetterWordEnabled, isDistributed, type ServerConfig } from "../server/config.js";
import type { Connection } from "../server/connection.js";
import { formatQuorumConfig } from "../server/quorum-config-text.js";
import type { ZooKeeperService } from "../server/service.js";
import { JavaDouble, type JsonValue, jacksonText } from "./http/jackson-json.js";
import { getTraceMask, setTraceMask } from "./trace-mask.js";
import { PADDOCK_VERSION, zookeeperVersionLine } from "./version.js";

const hex = (v: bigint) => `0x${BigInt.asUintN(64, v).toString(16)}`;

/** Java prints doubles with at least one decimal; ZooKeeper rounds latency averages to 4 places. */
function javaDouble(v: number): string {
  const rounded = Math.round(v * 10000) / 10000;
  return Number.isInteger(rounded) ? `${rounded}.0` : String(rounded);
}

/** What ZooKeeper's srvr and stat answer while the server has no quorum (zkServer.sh then says so). */
const NOT_SERVING = "This ZooKeeper instance is not currently serving requests\n";

/** A monitor value as ZooKeeper's mntr prints it (Java's toString). */
function mntrValue(v: JsonValue): string {
  return v instanceof JavaDouble ? jacksonText(v) : String(v);
}

export class FourLetterWords {
  /** The monitor command's entries (start-admin.ts sets it); without it mntr reports the core keys. */
  monitorSource: (() => Array<[string, JsonValue]>) | undefined;

  constructor(
    private readonly service: ZooKeeperService,
    private readonly config: ServerConfig,
    private readonly dirSizes: () => { dataDirBytes: number; dataLogDirBytes: number },
    /** Starts a snapshot now (or finds the one being written) and returns its zxid. */
    private readonly startSnapshot: () => bigint,
    /**
     * The version of the membership the ensemble runs with (the zxid that committed it), shown after
     * `membership:` in conf. Only the running ensemble knows it; until the server is wired to one,
     * the config's own version (0 for a config never committed) stands in.
     */
    private readonly membershipVersion: () => bigint = () => config.configVersion,
  ) {}

  answer(word: string, payload: Buffer, self: Connection): string {
    if (!fourLetterWordEnabled(this.config, word)) {
      return `${word} is not executed because it is not in the whitelist.\n`;
    }
    switch (word) {
      case "ruok":
        return "imok";
      case "isro":
        return "rw";
      case "srvr":
        return this.service.serving ? this.srvr() : NOT_SERVING;
      case "stat":
        return this.service.serving ? this.stat(self) : NOT_SERVING;
      case "conf":
        return this.conf();
      case "cons":
        return `${this.connectionLines(self, true)}\n`;
      case "crst":
        for (const conn of this.service.connections) conn.resetStats();
        return "Connection stats reset.\n";
      case "srst":
        this.service.stats.reset();
        return "Server stats reset.\n";
      case "envi":
        return this.envi();
      case "mntr":
        return this.mntr();
      case "wchs":
        return this.wchs();
      case "wchc":
        return this.wchc();
      case "wchp":
        return this.wchp();
      case "dirs": {
        const sizes = this.dirSizes();
        return `datadir_size: ${sizes.dataDirBytes}\nlogdir_size: ${sizes.dataLogDirBytes}\n`;
      }
      case "dump":
        return this.dump();
      case "hash":
        return `${hex(this.service.state.lastZxid)}: ${this.service.state.digest()}\n`;
      case "gtmk":
        return String(getTraceMask());
      case "stmk":
        if (payload.length >= 8) setTraceMask(payload.readBigInt64BE(0));
        return String(getTraceMask());
      case "csnp":
        return `${hex(this.startSnapshot())}\n`;
      default:
        return "";
    }
  }

  private latencyLines(): string {
    const s = this.service.stats;
    const state = this.service.state;
    return [
      `Latency min/avg/max: ${s.reportedMinLatencyMs}/${javaDouble(s.avgLatencyMs)}/${s.maxLatencyMs}`,
      `Received: ${s.packetsReceived}`,
      `Sent: ${s.packetsSent}`,
      `Connections: ${this.service.connections.size}`,
      `Outstanding: ${this.outstanding()}`,
      `Zxid: ${hex(state.lastZxid)}`,
      `Mode: ${this.service.mode}`,
      `Node count: ${state.znodeCount}`,
      "",
    ].join("\n");
  }

  private outstanding(): number {
    return this.service.outstanding;
  }

  private srvr(): string {
    return `${zookeeperVersionLine()}\n${this.latencyLines()}`;
  }

  private stat(self: Connection): string {
    return `${zookeeperVersionLine()}\nClients:\n${this.connectionLines(self, false)}\n${this.latencyLines()}`;
  }

  private connectionLines(self: Connection, full: boolean): string {
    const lines: string[] = [];
    for (const conn of [...this.service.connections, self]) {
      const s = conn.stats;
      const address = `/${conn.transport.remoteAddress}:${conn.transport.remotePort}`;
      const base = `queued=${conn.outstanding},recved=${s.packetsReceived},sent=${s.packetsSent}`;
      if (!full || conn.sessionId === 0n) {
        lines.push(` ${address}[${conn === self ? 0 : 1}](${base})`);
        continue;
      }
      const avg = s.latencyCount === 0 ? 0 : Math.floor(s.totalLatencyMs / s.latencyCount);
      // As ZooKeeper, no lcxid until the client sent a request under an ordinary (non-negative) xid.
      const lcxid = s.lastCxid >= 0 ? `,lcxid=${hex(BigInt(s.lastCxid))}` : "";
      const min = s.latencyCount === 0 ? 0 : s.minLatencyMs;
      lines.push(
        ` ${address}[1](${base},sid=${hex(conn.sessionId)},lop=${s.lastOp},est=${s.establishedAtMs},` +
          `to=${conn.sessionTimeoutMs}${lcxid},lzxid=${hex(s.lastZxid)},` +
          `lresp=${s.lastResponseTimeMs},llat=${s.lastLatencyMs},minlat=${min},avglat=${avg},maxlat=${s.maxLatencyMs})`,
      );
    }
    return `${lines.join("\n")}\n`;
  }

  private conf(): string {
    const c = this.config;
    const sizes = this.dirSizes();
    const timeouts = this.service.options;
    return (
      [
        `clientPort=${c.clientPort}`,
        `secureClientPort=${c.security.find((setting) => setting.key === "secureClientPort")?.value ?? -1}`,
        `dataDir=${c.dataDir}`,
        `dataDirSize=${sizes.dataDirBytes}`,
        `dataLogDir=${c.dataLogDir}`,
        `dataLogSize=${sizes.dataLogDirBytes}`,
        `tickTime=${c.tickTimeMs}`,
        `maxClientCnxns=${c.maxClientCnxns}`,
        `minSessionTimeout=${timeouts.minSessionTimeoutMs}`,
        `maxSessionTimeout=${timeouts.maxSessionTimeoutMs}`,
        "clientPortListenBacklog=-1",
        `serverId=${c.serverId ?? 0}`,
        "",
      ].join("\n") + this.quorumConf()
    );
  }

  /** The lines QuorumZooKeeperServer.dumpConf adds when the server is an ensemble member. */
  private quorumConf(): string {
    const c = this.config;
    const own = c.servers.find((server) => server.id === c.serverId);
    if (!isDistributed(c) || own === undefined) return "";
    return [
      `initLimit=${c.initLimitTicks}`,
      `syncLimit=${c.syncLimitTicks}`,
      // Fast leader election, the only algorithm ZooKeeper 3.8 has, is what operators expect here.
      "electionAlg=3",
      `electionPort=${own.electionPort}`,
      `quorumPort=${own.quorumPort}`,
      // LearnerType's ordinal: PARTICIPANT=0, OBSERVER=1.
      `peerType=${c.peerType === "observer" ? 1 : 0}`,
      "membership: ",
      formatQuorumConfig(c.servers, this.membershipVersion()),
    ].join("\n");
  }

  private envi(): string {
    const mb = (bytes: number) => `${Math.round(bytes / (1024 * 1024))}MB`;
    const memory = process.memoryUsage();
    let user = "";
    let home = "";
    try {
      const info = userInfo();
      user = info.username;
      home = info.homedir;
    } catch {
      // No passwd entry for this uid: leave the fields empty, as Java prints "?" for unknowns.
    }
    return [
      "Environment:",
      `zookeeper.version=${zookeeperVersionLine().slice("Zookeeper version: ".length)}`,
      `host.name=${hostname()}`,
      `paddock.version=${PADDOCK_VERSION}`,
      `node.version=${process.version}`,
      `os.name=${process.platform}`,
      `os.arch=${process.arch}`,
      `os.version=${process.release.name}`,
      `user.name=${user}`,
      `user.home=${home}`,
      `user.dir=${process.cwd()}`,
      `os.memory.free=${mb(memory.heapTotal - memory.heapUsed)}`,
      `os.memory.max=${mb(memory.rss)}`,
      `os.memory.total=${mb(memory.heapTotal)}`,
      "",
    ].join("\n");
  }

  private mntr(): string {
    if (this.monitorSource !== undefined) {
      return this.monitorSource()
        .map(([k, v]) => `zk_${k}\t${mntrValue(v)}\n`)
        .join("");
    }
    const s = this.service.stats;
    const state = this.service.state;
    const rows: Array<[string, string | number]> = [
      ["zk_version", zookeeperVersionLine().slice("Zookeeper version: ".length)],
      ["zk_server_state", this.service.mode],
      ["zk_ephemerals_count", state.ephemeralsCount],
      ["zk_num_alive_connections", this.service.connections.size],
      ["zk_avg_latency", javaDouble(s.avgLatencyMs)],
      ["zk_outstanding_requests", this.outstanding()],
      ["zk_znode_count", state.znodeCount],
      ["zk_global_sessions", state.sessions().size],
      ["zk_local_sessions", 0],
      ["zk_uptime", Date.now() - this.service.startedAtMs],
      ["zk_approximate_data_size", state.approximateDataSize],
      ["zk_max_latency", s.maxLatencyMs],
      ["zk_min_latency", s.reportedMinLatencyMs],
      ["zk_packets_received", s.packetsReceived],
      ["zk_packets_sent", s.packetsSent],
      ["zk_watch_count", this.service.watches.watchCount],
      ["zk_connection_drop_probability", "0.0"],
      ["zk_auth_failed_count", this.service.authFailedCount],
    ];
    return rows.map(([k, v]) => `${k}\t${v}\n`).join("");
  }

  private wchs(): string {
    const byWatcher = this.service.watches.dataWatchesByWatcher();
    const byPath = this.service.watches.dataWatchesByPath();
    let total = 0;
    for (const paths of byWatcher.values()) total += paths.length;
    return `${byWatcher.size} connections watching ${byPath.size} paths\nTotal watches:${total}\n`;
  }

  private wchc(): string {
    const lines: string[] = [];
    for (const [conn, paths] of this.service.watches.dataWatchesByWatcher()) {
      lines.push(hex(conn.sessionId), ...paths.map((p) => `\t${p}`));
    }
    return lines.map((l) => `${l}\n`).join("");
  }

  private wchp(): string {
    const lines: string[] = [];
    for (const [path, conns] of this.service.watches.dataWatchesByPath()) {
      lines.push(path, ...conns.map((c) => `\t${hex(c.sessionId)}`));
    }
    return lines.map((l) => `${l}\n`).join("");
  }

  private dump(): string {
    const tracker = this.service.tracker;
    const buckets = tracker.byDeadline();
    const out = ["SessionTracker dump:", `Session Sets (${buckets.length})/(${tracker.size}):`];
    for (const bucket of buckets) {
      out.push(`${bucket.sessions.length} expire at ${new Date(bucket.deadlineMs).toUTCString()}:`);
      for (const id of bucket.sessions) out.push(`\t${hex(id)}`);
    }
    out.push("ephemeral nodes dump:");
    const withEphemerals = [...this.service.state.sessions()].filter(([, s]) => s.ephemerals.size > 0);
    out.push(`Sessions with Ephemerals (${withEphemerals.length}):`);
    for (const [id, session] of withEphemerals) {
      out.push(`${hex(id)}:`);
      for (const path of [...session.ephemerals].sort()) out.push(`\t${path}`);
    }
    out.push("Connections dump:", `Connections Sets (0)/(${this.service.connections.size}):`);
    return `${out.join("\n")}\n`;
  }
}
