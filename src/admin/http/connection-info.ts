// The maps ZooKeeper's admin commands print for connections and server statistics (ServerCnxn's
// getConnectionInfo, the ServerStats and BufferStats beans), with its key names and order.

import type { Connection } from "../../server/connection.js";
import type { ZooKeeperService } from "../../server/service.js";
import { double, type JsonValue } from "./jackson-json.js";

/** `cons` (full) and `stat` (brief) entries, in ServerCnxn.getConnectionInfo's order. */
export function connectionInfo(conn: Connection, brief: boolean): Map<string, JsonValue> {
  const s = conn.stats;
  const info = new Map<string, JsonValue>([
    ["remote_socket_address", `${conn.transport.remoteAddress}:${conn.transport.remotePort}`],
    // Java NIO's OP_READ while the connection is read from, 0 once it is closed.
    ["interest_ops", conn.isClosed ? 0 : 1],
    ["outstanding_requests", conn.outstanding],
    ["packets_received", s.packetsReceived],
    ["packets_sent", s.packetsSent],
  ]);
  if (brief) return info;
  const count = s.latencyCount;
  info.set("session_id", conn.sessionId);
  info.set("last_operation", s.lastOp);
  info.set("established", s.establishedAtMs);
  info.set("session_timeout", conn.sessionTimeoutMs);
  info.set("last_cxid", s.lastCxid);
  info.set("last_zxid", s.lastZxid);
  info.set("last_response_time", s.lastResponseTimeMs);
  info.set("last_latency", s.lastLatencyMs);
  info.set("min_latency", count === 0 ? 0 : s.minLatencyMs);
  info.set("avg_latency", count === 0 ? 0 : Math.floor(s.totalLatencyMs / count));
  info.set("max_latency", s.maxLatencyMs);
  return info;
}

export function bufferStats(last: number, min: number, max: number): Map<string, JsonValue> {
  return new Map<string, JsonValue>([
    ["last_buffer_size", last],
    ["min_buffer_size", min],
    ["max_buffer_size", max],
  ]);
}

/** The ServerStats bean as Jackson writes it (SNAKE_CASE of its getters, in 3.8's real order). */
export function serverStatsBean(
  service: ZooKeeperService,
  serverState: string,
  dirs: { dataDirBytes: number; dataLogDirBytes: number },
  nowMs: number,
  fsyncThresholdExceeded: number,
): Map<string, JsonValue> {
  const s = service.stats;
  return new Map<string, JsonValue>([
    ["packets_sent", s.packetsSent],
    ["packets_received", s.packetsReceived],
    ["fsync_threshold_exceed_count", fsyncThresholdExceeded],
    ["client_response_stats", bufferStats(s.lastResponseBytes, s.minResponseBytes, s.maxResponseBytes)],
    ["data_dir_size", dirs.dataDirBytes],
    ["log_dir_size", dirs.dataLogDirBytes],
    ["provider_null", false],
    ["server_state", serverState],
    ["last_processed_zxid", service.state.lastZxid],
    ["outstanding_requests", service.outstanding],
    ["avg_latency", double(Math.round(s.avgLatencyMs * 10000) / 10000)],
    ["max_latency", s.maxLatencyMs],
    ["min_latency", s.reportedMinLatencyMs],
    ["num_alive_client_connections", service.connections.size],
    ["uptime", nowMs - service.startedAtMs],
    ["auth_failed_count", service.authFailedCount],
    // Jackson's SNAKE_CASE of getNonMTLSRemoteConnCount; the monitor map spells it non_mtls_remote_...
    ["non_mtlsremote_conn_count", 0],
    ["non_mtlslocal_conn_count", 0],
  ]);
}
