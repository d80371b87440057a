// What the admin commands read: the running service, its configuration, the ensemble view, the
// metrics, the data directories and the snapshots. start-admin.ts builds it from the server's parts.

import type { ServerConfig } from "../../server/config.js";
import type { ZooKeeperService } from "../../server/service.js";
import type { EnsembleView } from "../ensemble-view.js";
import type { ServerMetrics } from "../metrics/server-metrics.js";

export interface SnapshotSource {
  /** Writes a snapshot of the state as applied now (or joins the one being written). */
  take(): Promise<{ readonly zxid: bigint; readonly path: string }>;
  /** The newest snapshot on disk: its zxid and the file's modification time. */
  latest(): Promise<{ readonly zxid: bigint; readonly modifiedMs: number } | undefined>;
}

/** admin.* keys that shape what commands do (see config.ts). */
export interface AdminCommandSettings {
  readonly snapshotEnabled: boolean;
  readonly restoreEnabled: boolean;
  readonly rateLimiterIntervalMs: number;
}

export interface AdminContext {
  readonly service: ZooKeeperService;
  readonly config: ServerConfig;
  /** The configuration file as read at start-up ("" when running on defaults). */
  readonly configText: string;
  readonly ensemble: EnsembleView;
  readonly metrics: ServerMetrics;
  readonly dirSizes: () => { dataDirBytes: number; dataLogDirBytes: number };
  readonly snapshots: SnapshotSource;
  readonly settings: AdminCommandSettings;
  /** False before the service serves and after it stopped: serverRequired commands refuse. */
  readonly running: () => boolean;
  readonly nowMs: () => number;
  readonly log: { warn(message: string): void; info(message: string): void };
}
