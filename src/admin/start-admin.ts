// Starts what the server shows of itself over HTTP: the AdminServer (admin.* keys, on by default at
// 127.0.0.1:8080), Prometheus /metrics when metricsProvider.className names ZooKeeper's
// PrometheusMetricsProvider, and the console on the admin port. A port that is taken is logged and
// skipped, as ZooKeeper does, so three members on one host with default settings still serve
// clients. The server command calls startAdmin once serving and `stop()` when shutting down.

import { readFileSync } from "node:fs";
import { stat } from "node:fs/promises";
import type { Server } from "node:http";
import { join } from "node:path";
import type { ServerConfig } from "../server/config.js";
import type { ZooKeeperService } from "../server/service.js";
import { NodeFileSystem } from "../storage/node-file-system.js";
import type { OpenedStorage } from "../storage/open-storage.js";
import { listSnapshots, snapshotName } from "../storage/snapshot-file.js";
import { ChangeFeed } from "./console/change-feed.js";
import { ChartSampler } from "./console/chart-sampler.js";
import { ConsoleIdentities } from "./console/console-identities.js";
import { CONSOLE_PREFIX, ConsoleServer } from "./console/console-server.js";
import { type EnsembleView, StandaloneEnsembleView } from "./ensemble-view.js";
import type { FourLetterWords } from "./four-letter-words.js";
import { fullVersion } from "./http/admin-commands.js";
import type { AdminContext } from "./http/admin-context.js";
import { AdminHttpServer } from "./http/admin-server.js";
import { monitorCommandEntries } from "./metrics/monitor-entries.js";
import { listenMetrics, PROMETHEUS_PROVIDER_CLASS, prometheusRegistry } from "./metrics/prometheus.js";
import { ServerMetrics } from "./metrics/server-metrics.js";

export interface AdminLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface AdminParts {
  readonly config: ServerConfig;
  /** The zoo.cfg given with --config, for initial_configuration; undefined on defaults. */
  readonly configPath: string | undefined;
  readonly service: ZooKeeperService;
  readonly storage: OpenedStorage;
  readonly dirSizes: () => { dataDirBytes: number; dataLogDirBytes: number };
  /** The four-letter words, whose mntr gets the same keys as the monitor command. */
  readonly words?: FourLetterWords;
  /** The ensemble as this server sees it; standalone until the ensemble driver provides one. */
  readonly ensemble?: EnsembleView;
  readonly log: AdminLogger;
}

export interface RunningAdmin {
  readonly metrics: ServerMetrics;
  /** Where the admin server and /metrics listen; undefined when off or their port was taken. */
  readonly adminAddress: { host: string; port: number } | undefined;
  readonly metricsAddress: { host: string; port: number } | undefined;
  stop(): Promise<void>;
}

const METRICS_HOST_DEFAULT = "127.0.0.1";
const METRICS_PORT_DEFAULT = 7000;

function readConfigText(path: string | undefined): string {
  if (path === undefined) return "";
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function portOf(text: string | undefined, fallback: number, log: AdminLogger): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (Number.isInteger(port) && port >= 0 && port <= 65535) return port;
  log.warn(`metricsProvider.httpPort=${text} is not a TCP port; /metrics uses ${fallback}`);
  return fallback;
}

function listenFailure(what: string, key: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === "EADDRINUSE" ? "the port is in use" : (error as Error).message;
  return `${what} is not started: ${why}. Clients are served anyway; set ${key} to a free port to get it.`;
}

export async function startAdmin(parts: AdminParts): Promise<RunningAdmin> {
  const { config, service, storage, log } = parts;
  const ensemble = parts.ensemble ?? new StandaloneEnsembleView(config.serverId ?? 0);
  const metrics = new ServerMetrics(service, ensemble);
  // Timings the storage layer reports become ZooKeeper's fsynctime and snapshottime summaries.
  storage.log.onSynced = (ms) => service.stats.fsyncTimeMs.observe(ms);
  storage.snapshotter.onTimed = (_zxid, ms) => service.stats.snapshotTimeMs.observe(ms);
  if (parts.words !== undefined) {
    parts.words.monitorSource = () => monitorCommandEntries(fullVersion(), ensemble, metrics.all());
  }

  const fs = new NodeFileSystem();
  let running = true;
  const ctx: AdminContext = {
    service,
    config,
    configText: readConfigText(parts.configPath),
    ensemble,
    metrics,
    dirSizes: parts.dirSizes,
    snapshots: {
      take: async () => {
        const zxid = await storage.snapshotter.snapshotNow();
        return { zxid, path: join(config.dataDir, snapshotName(zxid)) };
      },
      latest: async () => {
        const newest = (await listSnapshots(fs, config.dataDir))[0];
        if (newest === undefined) return undefined;
        const info = await stat(join(config.dataDir, newest.name));
        return { zxid: newest.zxid, modifiedMs: info.mtimeMs };
      },
    },
    settings: {
      snapshotEnabled: config.adminSnapshotEnabled,
      restoreEnabled: config.adminRestoreEnabled,
      rateLimiterIntervalMs: config.adminRateLimiterIntervalMs,
    },
    running: () => running,
    nowMs: Date.now,
    log,
  };

  // The console reads the commit stream and samples the counters whether or not a browser looks.
  const feed = new ChangeFeed();
  service.onApplied = (entry, outcome) => feed.record(entry, outcome);
  const sampler = new ChartSampler(service, Date.now);
  const clientHost = config.clientPortAddress === "0.0.0.0" ? "127.0.0.1" : config.clientPortAddress;
  const identities = new ConsoleIdentities(`${clientHost}:${config.clientPort}`, config.superDigest);
  const consoleServer = new ConsoleServer(ctx, identities, feed, sampler);

  let admin: AdminHttpServer | undefined;
  let adminAddress: RunningAdmin["adminAddress"];
  if (config.adminServerEnabled) {
    sampler.start();
    const candidate = new AdminHttpServer(
      ctx,
      config.adminCommandUrl,
      config.adminIdleTimeoutMs,
      (req, res, path) => consoleServer.handle(req, res, path),
    );
    try {
      adminAddress = await candidate.listen(config.adminServerAddress, config.adminServerPort);
      admin = candidate;
      log.info(`admin server on http://${adminAddress.host}:${adminAddress.port}${config.adminCommandUrl}`);
      log.info(`web console on http://${adminAddress.host}:${adminAddress.port}${CONSOLE_PREFIX}/`);
    } catch (error) {
      log.warn(
        listenFailure(
          `the admin server (${config.adminServerAddress}:${config.adminServerPort})`,
          "admin.serverPort",
          error,
        ),
      );
    }
  }

  let metricsServer: Server | undefined;
  let metricsAddress: RunningAdmin["metricsAddress"];
  const provider = config.metricsProvider;
  if (provider.className === PROMETHEUS_PROVIDER_CLASS) {
    const host = provider.httpHost ?? METRICS_HOST_DEFAULT;
    const port = portOf(provider.httpPort, METRICS_PORT_DEFAULT, log);
    const registry = prometheusRegistry(metrics.all(), provider.exportJvmInfo !== "false");
    try {
      metricsServer = await listenMetrics(registry, { host, port });
      const address = metricsServer.address();
      if (address !== null && typeof address !== "string")
        metricsAddress = { host: address.address, port: address.port };
      log.info(`Prometheus metrics on http://${host}:${metricsAddress?.port ?? port}/metrics`);
    } catch (error) {
      log.warn(listenFailure(`Prometheus /metrics (${host}:${port})`, "metricsProvider.httpPort", error));
    }
  } else if (provider.className !== undefined && provider.className !== "") {
    log.warn(
      `metricsProvider.className=${provider.className} is not supported; only ${PROMETHEUS_PROVIDER_CLASS} is`,
    );
  }

  return {
    metrics,
    adminAddress,
    metricsAddress,
    stop: async () => {
      running = false;
      sampler.stop();
      await admin?.close();
      await identities.closeAll();
      if (metricsServer !== undefined) {
        const server = metricsServer;
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      }
    },
  };
}
