// One member of an ensemble (a standalone server is an ensemble of one), assembled from its
// configuration: storage recovered, the replica over it, the request pipeline, the four-letter words
// and the client listener. `paddock server` starts one; tests start several in one process. A member
// that leads alone waits for its first leadership before it listens; a member of several listens at
// once and, as ZooKeeper does, turns clients away until it has a leader.

import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { FourLetterWords } from "../admin/four-letter-words.js";
import { type ConfState, defaultRaftTuning } from "../consensus/index.js";
import type { FileSystem } from "../storage/file-system.js";
import { NodeFileSystem } from "../storage/node-file-system.js";
import { type OpenedStorage, openStorage } from "../storage/open-storage.js";
import { effectiveSessionTimeouts, isDistributed, type ServerConfig } from "./config.js";
import { ClientListener } from "./listener.js";
import { TransportNetwork } from "./peer/network.js";
import { type PeerNetwork, Replica, ReplicaHooks } from "./replica.js";
import { startClientSecurity } from "./security/client-security.js";
import { readSecurityConfig } from "./security/security-config.js";
import { ZooKeeperService } from "./service.js";
import { loadOrCreateSessionSecret } from "./session-credentials.js";

/** Watches a single connection may register; ZooKeeper has no limit, we keep memory bounded. */
const WATCHES_PER_CONNECTION_MAX = 1_000_000;

export interface MemberLogger {
  info(message: string): void;
  warn(message: string): void;
  fatal(message: string): void;
}

export interface MemberOptions {
  readonly log: MemberLogger;
  /** The peer network; by default, for an ensemble, the peer transport on the server.N ports. */
  readonly network?: PeerNetwork;
  readonly fs?: FileSystem;
  /**
   * The member cannot go on: a disk failed under the log, or its log cannot follow the leader's. It
   * must stop (the server exits; a restart recovers from what is on disk).
   */
  readonly onFatal: (error: Error) => void;
}

export interface Member {
  readonly config: ServerConfig;
  readonly service: ZooKeeperService;
  readonly replica: Replica;
  readonly storage: OpenedStorage;
  readonly address: { host: string; port: number };
  readonly words: FourLetterWords;
  /** Bytes under dataDir and dataLogDir, for status pages. */
  readonly dirSizes: () => { dataDirBytes: number; dataLogDirBytes: number };
  /** secureClientPort's address, when one is configured. */
  readonly secureAddress: { host: string; port: number } | undefined;
  /** A clean stop: no new clients, pending writes committed, a final snapshot. */
  stop(): Promise<void>;
}

/**
 * The consensus core's tick: a tenth of tickTime, so the default election timeout (10 to 20 ticks)
 * is one to two tickTimes, about ZooKeeper's own failure detection, and heartbeats go out five times
 * as often as ZooKeeper's leader pings (tickTime / 2).
 */
export function replicaTickMs(tickTimeMs: number): number {
  return Math.max(10, Math.floor(tickTimeMs / 10));
}

/** The voting members and the observers the configuration lists; this server alone when standalone. */
export function configuredMembership(config: ServerConfig): ConfState {
  const self = config.serverId ?? 1;
  if (!isDistributed(config)) return { voters: [self], learners: [] };
  return {
    voters: config.servers.filter((s) => s.role === "participant").map((s) => s.id),
    learners: config.servers.filter((s) => s.role === "observer").map((s) => s.id),
  };
}

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

export async function startMember(config: ServerConfig, options: MemberOptions): Promise<Member> {
  const { log } = options;
  const distributed = isDistributed(config);
  let network = options.network;
  if (distributed && network === undefined) {
    const transport = new TransportNetwork(config, log);
    await transport.start();
    network = transport;
  }
  // TLS stores and the JAAS file are read first: a mistake in them stops start-up before storage opens.
  const securityConfig = readSecurityConfig(config, "the configuration");
  for (const warning of securityConfig.warnings) log.warn(warning);
  const security = startClientSecurity(securityConfig, log);
  const { minMs, maxMs } = effectiveSessionTimeouts(config);
  const serverId = config.serverId ?? 1;
  const fs = options.fs ?? new NodeFileSystem();
  const hooks = new ReplicaHooks();
  const machineOptions = {
    skipACL: config.skipAcl,
    extendedTypesEnabled: config.extendedTypesEnabled,
    enforceQuota: config.enforceQuota,
  };
  const storage = await openStorage(
    fs,
    { ...config, machineOptions },
    { id: serverId, initialConf: configuredMembership(config) },
    hooks,
    log,
    options.onFatal,
  );
  const replica = new Replica(storage, hooks, {
    id: serverId,
    fs,
    dataLogDir: config.dataLogDir,
    dataDir: config.dataDir,
    machineOptions,
    tickMs: replicaTickMs(config.tickTimeMs),
    tuning: defaultRaftTuning,
    random: Math.random,
    now: Date.now,
    log,
    onFatal: options.onFatal,
    ...(network === undefined ? {} : { network }),
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
      sasl: security.sasl,
      enforcedAuthSchemes: security.enforcedAuthSchemes,
    },
    replica,
    storage.machine,
  );
  const dirSizes = () => ({
    dataDirBytes: directoryBytes(config.dataDir),
    dataLogDirBytes: directoryBytes(config.dataLogDir),
  });
  const words = new FourLetterWords(service, config, dirSizes, () => storage.snapshotter.startNow());
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
  const own = config.servers.find((s) => s.id === serverId);
  service.memberKind = !distributed ? "standalone" : own?.role === "observer" ? "observer" : "participant";
  // Until the replica reports otherwise, this member has no leader and turns clients away.
  service.roleChanged(replica.role);
  replica.onRoleChange = (role) => service.roleChanged(role);
  replica.onLeaderLinkLost = () => service.leaderLinkLost();
  replica.onSnapshotInstalled = () => service.stateReplaced();
  replica.onTouches = (sessions) => service.liveness.applyTouches(sessions, Date.now());
  service.reportTouches = (sessions) => replica.reportTouches(sessions);
  replica.start();
  // Alone in its membership, the replica leads within a turn or two; clients wait for that.
  if (!distributed) await replica.firstLeadership();
  const address = await listener.listen();
  const secureAddress = await secureListener?.listen();
  if (secureAddress !== undefined) log.info(`TLS clients on ${secureAddress.host}:${secureAddress.port}`);
  service.start();
  const stop = async () => {
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
  };
  return { config, service, replica, storage, address, secureAddress, words, dirSizes, stop };
}
