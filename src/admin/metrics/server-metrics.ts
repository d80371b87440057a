// The live metric set of one server: ZooKeeper's gauges read from the service and the ensemble view,
// its counters and summaries read from ServerStats and the admin server's own counters. /metrics,
// the monitor command and the mntr four-letter word all read this one list.

import { readdirSync, readFileSync } from "node:fs";
import type { Distribution } from "../../server/distribution.js";
import type { ZooKeeperService } from "../../server/service.js";
import type { EnsembleView } from "../ensemble-view.js";
import {
  COUNTER_NAMES,
  type CounterName,
  type Metric,
  SUMMARY_LEVELS,
  SUMMARY_SET_LEVELS,
} from "./catalogue.js";

/** Counters kept outside ServerStats (the admin server's snapshot and restore outcomes). */
export type ExtraCounters = Partial<Record<CounterName, number>>;

function openFileDescriptors(): number | undefined {
  try {
    // The listing itself holds one descriptor open while it runs.
    return readdirSync("/proc/self/fd").length - 1;
  } catch {
    return undefined;
  }
}

function maxFileDescriptors(): number | undefined {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.split(/\s+/)[3];
    return soft === undefined || soft === "unlimited" ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

export class ServerMetrics {
  /** Counters the admin server bumps; the rest of the counters live in ServerStats. */
  readonly extra: Record<CounterName, number>;
  private readonly unobserved = new Map<string, Distribution>();

  constructor(
    private readonly service: ZooKeeperService,
    private readonly ensemble: EnsembleView,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.extra = Object.fromEntries(COUNTER_NAMES.map((n) => [n, 0])) as Record<CounterName, number>;
  }

  private counterValue(name: CounterName): number {
    const s = this.service.stats;
    switch (name) {
      case "commit_count":
        return s.commitCount;
      case "connection_request_count":
        return s.connectionRequests;
      case "bytes_received_count":
        return s.bytesReceived;
      case "response_bytes":
        return s.responseBytes;
      case "watch_bytes":
        return s.watchBytes;
      case "stale_sessions_expired":
        return s.staleSessionsExpired;
      case "connection_rejected":
        return s.connectionRejected;
      default:
        return this.extra[name];
    }
  }

  private distributionOf(name: string): Distribution | undefined {
    const s = this.service.stats;
    switch (name) {
      case "readlatency":
        return s.readLatencyMs;
      case "updatelatency":
        return s.updateLatencyMs;
      case "fsynctime":
        return s.fsyncTimeMs;
      case "snapshottime":
        return s.snapshotTimeMs;
      default:
        return undefined;
    }
  }

  /** Every metric this server exports, gauges first, as ZooKeeper registers them. */
  all(): Metric[] {
    const svc = this.service;
    const s = svc.stats;
    const state = svc.state;
    const gauge = (name: string, read: () => number, isDouble = false): Metric => ({
      kind: "gauge",
      name,
      read,
      isDouble,
    });
    const metrics: Metric[] = [
      gauge("avg_latency", () => Math.round(s.avgLatencyMs * 10000) / 10000, true),
      gauge("max_latency", () => s.maxLatencyMs),
      gauge("min_latency", () => s.reportedMinLatencyMs),
      gauge("packets_received", () => s.packetsReceived),
      gauge("packets_sent", () => s.packetsSent),
      gauge("num_alive_connections", () => svc.connections.size),
      gauge("outstanding_requests", () => svc.outstanding),
      gauge("uptime", () => this.nowMs() - svc.startedAtMs),
      gauge("znode_count", () => state.znodeCount),
      gauge("watch_count", () => svc.watches.watchCount),
      gauge("ephemerals_count", () => state.ephemeralsCount),
      gauge("approximate_data_size", () => state.approximateDataSize),
      gauge("global_sessions", () => state.sessions().size),
      gauge("local_sessions", () => 0),
    ];
    if (openFileDescriptors() !== undefined) {
      metrics.push(gauge("open_file_descriptor_count", () => openFileDescriptors() ?? 0));
    }
    if (maxFileDescriptors() !== undefined) {
      metrics.push(gauge("max_file_descriptor_count", () => maxFileDescriptors() ?? 0));
    }
    metrics.push(
      // Paddock never drops connections at random (ZooKeeper's connection throttling).
      gauge("connection_drop_probability", () => 0, true),
      gauge("last_client_response_size", () => s.lastResponseBytes),
      gauge("max_client_response_size", () => s.maxResponseBytes),
      gauge("min_client_response_size", () => s.minResponseBytes),
      // No TLS client port yet: no handshakes, and every connection is a non-mTLS one.
      gauge("outstanding_tls_handshake", () => 0),
      gauge("auth_failed_count", () => svc.authFailedCount),
      gauge("non_mtls_remote_conn_count", () => 0),
      gauge("non_mtls_local_conn_count", () => 0),
    );
    metrics.push(...this.ensembleGauges(gauge));
    for (const name of COUNTER_NAMES) {
      metrics.push({ kind: "counter", name, read: () => this.counterValue(name) });
    }
    for (const [name, level] of SUMMARY_LEVELS) {
      metrics.push({ kind: "summary", name, level, distribution: this.distributionOf(name) });
    }
    for (const [name, level] of SUMMARY_SET_LEVELS) {
      metrics.push({ kind: "summarySet", name, level, read: () => this.unobserved });
    }
    return metrics;
  }

  /**
   * Gauges ZooKeeper registers only on quorum members (the learner counts only on the leader). A
   * member's role changes while it runs, so they are all registered and read 0 off the leader.
   */
  private ensembleGauges(gauge: (name: string, read: () => number) => Metric): Metric[] {
    const e = this.ensemble;
    if (!e.inQuorum) return [];
    const voters = () => e.members.filter((m) => m.learnerType === "participant").length;
    const onLeader = (read: () => number) => () => (e.role === "leader" ? read() : 0);
    const out = [
      gauge("quorum_size", voters),
      gauge(
        "learners",
        onLeader(() => e.learners.length),
      ),
      gauge(
        "synced_followers",
        onLeader(() => e.syncedFollowers),
      ),
      gauge("synced_observers", () => e.syncedObservers.length),
    ];
    return out;
  }
}
