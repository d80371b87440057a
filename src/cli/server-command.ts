// `paddock server`: reads zoo.cfg (or runs on defaults), wires the service to its listener and
// four-letter words, logs where it serves, and shuts down cleanly on SIGINT/SIGTERM.

import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { FourLetterWords } from "../admin/four-letter-words.js";
import { PADDOCK_VERSION } from "../admin/version.js";
import {
  defaultConfig,
  effectiveSessionTimeouts,
  isDistributed,
  loadZooCfg,
  type ServerConfig,
} from "../server/config.js";
import { ClientListener } from "../server/listener.js";
import { type ClientSecurity, startClientSecurity } from "../server/security/client-security.js";
import { readSecurityConfig, type SecurityConfig } from "../server/security/security-config.js";
import { ZooKeeperService } from "../server/service.js";
import { loadOrCreateSessionSecret } from "../server/session-credentials.js";
import { NodeFileSystem } from "../storage/node-file-system.js";
import { openStorage } from "../storage/open-storage.js";

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

export async function runServer(configPath: string | undefined): Promise<void> {
  const log = pino({ name: "paddock" }, pino.destination(2));
  let config: ServerConfig;
  if (configPath === undefined) {
    config = defaultConfig();
  } else {
    const loaded = loadZooCfg(configPath);
    config = loaded.config;
    for (const warning of loaded.warnings) log.warn(warning);
  }
  let securityConfig: SecurityConfig;
  let security: ClientSecurity;
  try {
    securityConfig = readSecurityConfig(config, configPath ?? "the default configuration");
    for (const warning of securityConfig.warnings) log.warn(warning);
    security = startClientSecurity(securityConfig, {
      info: (m) => log.info(m),
      warn: (m) => log.warn(m),
    });
  } catch (error) {
    log.fatal(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
    return;
  }
  if (isDistributed(config)) {
    log.warn("server.N lines name an ensemble; this version serves standalone and ignores them");
  }
  const { minMs, maxMs } = effectiveSessionTimeouts(config);
  const storageLogger = { info: (m: string) => log.info(m), warn: (m: string) => log.warn(m) };
  let storage: Awaited<ReturnType<typeof openStorage>>;
  try {
    storage = await openStorage(
      new NodeFileSystem(),
      {
        ...config,
        machineOptions: {
          skipACL: config.skipAcl,
          extendedTypesEnabled: config.extendedTypesEnabled,
          enforceQuota: config.enforceQuota,
        },
      },
      storageLogger,
      (error) => {
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
  const service = new ZooKeeperService(
    {
      serverId: config.serverId ?? 1,
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
      sasl: security.sasl,
      enforcedAuthSchemes: security.enforcedAuthSchemes,
    },
    storage.log,
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
    {
      host: config.clientPortAddress,
      port: config.clientPort,
      maxClientCnxns: config.maxClientCnxns,
      prepare: security.plainPortPreparer,
    },
    (message) => log.warn(message),
  );
  const secureListener =
    securityConfig.secureClientPort === undefined
      ? undefined
      : new ClientListener(
          service,
          {
            host: securityConfig.secureClientPortAddress,
            port: securityConfig.secureClientPort,
            maxClientCnxns: config.maxClientCnxns,
            prepare: security.securePortPreparer,
          },
          (message) => log.warn(message),
        );
  const address = await listener.listen();
  const secureAddress = await secureListener?.listen();
  service.start();
  log.info(
    { version: PADDOCK_VERSION, host: address.host, port: address.port, dataDir: config.dataDir },
    `paddock serving ZooKeeper clients on ${address.host}:${address.port}` +
      (securityConfig.portUnification ? " (TLS and plaintext)" : "") +
      (secureAddress ? `, TLS on ${secureAddress.host}:${secureAddress.port}` : ""),
  );
  const shutdown = async (signal: string) => {
    log.info(`${signal}: shutting down`);
    security.close();
    await secureListener?.close();
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
