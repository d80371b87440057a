// `paddock server`: reads zoo.cfg (or runs on defaults), wires the service to its listener and
// four-letter words, logs where it serves, and shuts down cleanly on SIGINT/SIGTERM.

import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { FourLetterWords } from "../admin/four-letter-words.js";
import { startAdmin } from "../admin/start-admin.js";
import { PADDOCK_VERSION } from "../admin/version.js";
import { defaultRaftTuning } from "../consensus/index.js";
import { effectiveSessionTimeouts, isDistributed, loadZooCfg } from "../server/config.js";
import { ClientListener } from "../server/listener.js";
import { Replica, ReplicaHooks } from "../server/replica.js";
import { ZooKeeperService } from "../server/service.js";
import { loadOrCreateSessionSecret } from "../server/session-credentials.js";
import type { StorageError } from "../storage/errors.js";
import { NodeFileSystem } from "../storage/node-file-system.js";
import { openStorage } from "../storage/open-storage.js";
import { ignoredArgumentsWarning, type ServerArguments } from "./server-arguments.js";

/**
 * The consensus core's tick: a tenth of tickTime, so the default election timeout (10 to 20 ticks)
 * is one to two tickTimes, about ZooKeeper's own failure detection, and heartbeats go out five times
 * as often as ZooKeeper's leader pings (tickTime / 2).
 */
function replicaTickMs(tickTimeMs: number): number {
  return Math.max(10, Math.floor(tickTimeMs / 10));
}

/** Watches a single connection may register; ZooKeeper has no limit, we keep memory bounded. */
const WATCHES_PER_CONNECTION_MAX = 1_000_000;

function directoryBytes(dir: string, depth = 0): number {
  if (depth > 8) return 0;
  let total = 0;
  try {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = statSync(path);
      total += st.isDirectory() ? directoryBytes(path, depth + 1) : st.size;
    }
  } catch {
    return total;
  }
  return total;
}

export async function runServer(args: ServerArguments): Promise<void> {
  const log = pino({ name: "paddock" }, pino.destination(2));
  const ignored = ignoredArgumentsWarning(args.ignored);
  if (ignored !== undefined) log.warn(ignored);
  const { config, warnings } = loadZooCfg(args.configPath, args.systemProperties);
  for (const warning of warnings) log.warn(warning);
  if (isDistributed(config)) {
    log.warn("server.N lines name an ensemble; this version serves standalone and ignores them");
  }
  const { minMs, maxMs } = effectiveSessionTimeouts(config);
  const storageLogger = { info: (m: string) => log.info(m), warn: (m: string) => log.warn(m) };
  const serverId = config.serverId ?? 1;
  const fs = new NodeFileSystem();
  const hooks = new ReplicaHooks();
  let storage: Awaited<ReturnType<typeof openStorage>>;
  try {
    storage = await openStorage(
      fs,
      {
        ...config,
        machineOptions: {
          skipACL: config.skipAcl,
          extendedTypesEnabled: config.extendedTypesEnabled,
          enforceQuota: config.enforceQuota,
        },
      },
      { id: serverId, initialConf: { voters: [serverId], learners: [] } },
      hooks,
      storageLogger,
      (error: StorageError) => {
        // The disk failed under the log: nothing past the durable log may be applied or answered.
        // Exit; a restart recovers from what is on disk.
        log.fatal(error.message);
        process.exit(1);
      },
    );
  } catch (error) {
    log.fatal(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
    return;
  }
  const replica = new Replica(storage, hooks, {
    id: serverId,
    fs,
    dataLogDir: config.dataLogDir,
    tickMs: replicaTickMs(config.tickTimeMs),
    tuning: defaultRaftTuning,
    random: Math.random,
    now: Date.now,
    log: storageLogger,
  });
  const service = new ZooKeeperService(
    {
      serverId,
      tickTimeMs: config.tickTimeMs,
      minSessionTimeoutMs: minMs,
      maxSessionTimeoutMs: maxMs,
      frameBytesMax: config.juteMaxBufferBytes,
      outstandingPerConnectionMax: config.globalOutstandingLimit,
      outstandingMax: config.globalOutstandingLimit,
      sessionSecret: loadOrCreateSessionSecret(config.dataDir),
      skipACL: config.skipAcl,
      superDigest: config.superDigest,
      extendedTypesEnabled: config.extendedTypesEnabled,
      enforceQuota: config.enforceQuota,
      reconfigEnabled: config.reconfigEnabled,
      watchesPerConnectionMax: WATCHES_PER_CONNECTION_MAX,
      containerCheckIntervalMs: config.containerCheckIntervalMs,
      containerMaxPerMinute: config.containerMaxPerMinute,
      now: Date.now,
      log: { warn: (message) => log.warn(message) },
    },
    replica,
    storage.machine,
  );
  const words = new FourLetterWords(
    service,
    config,
    () => ({
      dataDirBytes: directoryBytes(config.dataDir),
      dataLogDirBytes: directoryBytes(config.dataLogDir),
    }),
    () => storage.snapshotter.startNow(),
  );
  service.fourLetterWordHandler = (word, payload, conn) => words.answer(word, payload, conn);
  const listener = new ClientListener(
    service,
    { host: config.clientPortAddress, port: config.clientPort, maxClientCnxns: config.maxClientCnxns },
    (message) => log.warn(message),
  );
  replica.onRoleChange = (role) => service.roleChanged(role);
  replica.onTouches = (sessions) => service.liveness.applyTouches(sessions, Date.now());
  service.reportTouches = (sessions) => replica.reportTouches(sessions);
  replica.start();
  // Alone in its membership, the replica leads within a turn or two; clients wait for that.
  await replica.firstLeadership();
  const address = await listener.listen();
  service.start();
  log.info(
    { version: PADDOCK_VERSION, host: address.host, port: address.port, dataDir: config.dataDir },
    `paddock serving ZooKeeper clients on ${address.host}:${address.port}`,
  );
  const dirSizes = () => ({
    dataDirBytes: directoryBytes(config.dataDir),
    dataLogDirBytes: directoryBytes(config.dataLogDir),
  });
  const admin = await startAdmin({
    config,
    configPath: args.configPath,
    service,
    storage,
    dirSizes,
    words,
    log,
  });
  const shutdown = async (signal: string) => {
    log.info(`${signal}: shutting down`);
    await admin.stop();
    await listener.close();
    await service.stop();
    try {
      const zxid = await storage.snapshotter.final();
      if (zxid !== undefined) {
        log.info(`shutdown snapshot at zxid 0x${zxid.toString(16)} written`);
        await storage.log.startEmptySegment();
      }
    } catch (error) {
      // Nothing is lost: every acknowledged write is in the log, which the next start replays.
      log.warn(`the shutdown snapshot failed (${(error as Error).message}); the next start replays the log`);
    }
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}
