// ZooKeeper 3.9's metrics, by the names, types and detail levels its ServerMetrics and
// ZooKeeperServer.registerMetrics give them, so dashboards and alerts built for ZooKeeper read
// Paddock unchanged. Each metric reads its value when asked (a scrape, mntr): the request path only
// bumps the counters in ServerStats. Metrics for machinery Paddock does not have (ZooKeeper's
// request-processor queues, the JVM, quorum internals while standalone) exist with the value they
// have here, zero observations, as on a ZooKeeper where that code path never ran.

import type { Distribution } from "../../server/distribution.js";

export type DetailLevel = "basic" | "advanced";

export interface GaugeMetric {
  readonly kind: "gauge";
  readonly name: string;
  /** Java double rather than long (printed with a fraction in mntr). */
  readonly isDouble?: boolean;
  readonly read: () => number;
}

export interface CounterMetric {
  readonly kind: "counter";
  readonly name: string;
  readonly read: () => number;
}

export interface SummaryMetric {
  readonly kind: "summary";
  readonly name: string;
  readonly level: DetailLevel;
  /** The observations; undefined for a summary Paddock never observes. */
  readonly distribution: Distribution | undefined;
}

/** A summary set (label `key`): one distribution per key, e.g. per top-level namespace. */
export interface SummarySetMetric {
  readonly kind: "summarySet";
  readonly name: string;
  readonly level: DetailLevel;
  readonly read: () => ReadonlyMap<string, Distribution>;
}

/** A gauge set (label `key`), e.g. quota limits per namespace. */
export interface GaugeSetMetric {
  readonly kind: "gaugeSet";
  readonly name: string;
  readonly read: () => ReadonlyMap<string, number>;
}

export type Metric = GaugeMetric | CounterMetric | SummaryMetric | SummarySetMetric | GaugeSetMetric;

/** Quantiles each detail level reports in /metrics (ZooKeeper's PrometheusMetricsProvider). */
export const PROMETHEUS_QUANTILES: Record<DetailLevel, readonly number[]> = {
  basic: [0.5],
  advanced: [0.5, 0.9, 0.99],
};

/** ServerMetrics counters, in its declaration order. */
export const COUNTER_NAMES = [
  "snapshot_error_count",
  "snapshot_rate_limited_count",
  "restore_error_count",
  "restore_rate_limited_count",
  "looking_count",
  "diff_count",
  "snap_count",
  "commit_count",
  "connection_request_count",
  "connection_rejected",
  "bytes_received_count",
  "unrecoverable_error_count",
  "add_dead_watcher_stall_time",
  "dead_watchers_queued",
  "dead_watchers_cleared",
  "response_packet_cache_hits",
  "response_packet_cache_misses",
  "response_packet_get_children_cache_hits",
  "response_packet_get_children_cache_misses",
  "ensemble_auth_success",
  "ensemble_auth_fail",
  "ensemble_auth_skip",
  "prep_processor_request_queued",
  "outstanding_changes_queued",
  "outstanding_changes_removed",
  "revalidate_count",
  "connection_drop_count",
  "connection_revalidate_count",
  "sessionless_connections_expired",
  "stale_sessions_expired",
  "request_commit_queued",
  "throttled_ops",
  "learner_proposal_received_count",
  "learner_commit_received_count",
  "sync_processor_request_queued",
  "proposal_count",
  "quit_leading_due_to_disloyal_voter",
  "stale_requests",
  "stale_requests_dropped",
  "stale_replies",
  "request_throttle_wait_count",
  "large_requests_rejected",
  "digest_mismatches_count",
  "unsuccessful_handshake",
  "insecure_admin_count",
  "tls_handshake_exceeded",
  "cnxn_closed_without_zk_server_running",
  "skip_learner_request_to_next_processor_count",
  "requests_not_forwarded_to_commit_processor",
  "response_bytes",
  "watch_bytes",
] as const;

export type CounterName = (typeof COUNTER_NAMES)[number];

const B: DetailLevel = "basic";
const A: DetailLevel = "advanced";

/** ServerMetrics summaries and their detail levels, in its declaration order. */
export const SUMMARY_LEVELS: ReadonlyArray<readonly [string, DetailLevel]> = [
  ["fsynctime", B],
  ["snapshottime", B],
  ["restore_time", B],
  ["dbinittime", B],
  ["readlatency", A],
  ["updatelatency", A],
  ["propagation_latency", A],
  ["follower_sync_time", B],
  ["observer_sync_time", B],
  ["election_time", B],
  ["connection_token_deficit", B],
  ["inflight_snap_count", B],
  ["inflight_diff_count", B],
  ["node_created_watch_count", B],
  ["node_deleted_watch_count", B],
  ["node_changed_watch_count", B],
  ["node_children_watch_count", B],
  ["dead_watchers_cleaner_latency", A],
  ["prep_processor_queue_time_ms", A],
  ["prep_processor_queue_size", B],
  ["prep_process_time", B],
  ["proposal_process_time", B],
  ["close_session_prep_time", A],
  ["unavailable_time", B],
  ["leader_unavailable_time", B],
  ["requests_in_session_queue", B],
  ["pending_session_queue_size", B],
  ["reads_after_write_in_session_queue", B],
  ["reads_issued_from_session_queue", B],
  ["session_queues_drained", B],
  ["time_waiting_empty_pool_in_commit_processor_read_ms", B],
  ["write_batch_time_in_commit_processor", B],
  ["concurrent_request_processing_in_commit_processor", B],
  ["read_commit_proc_req_queued", B],
  ["write_commit_proc_req_queued", B],
  ["commit_commit_proc_req_queued", B],
  ["read_commit_proc_issued", B],
  ["write_commit_proc_issued", B],
  ["read_commitproc_time_ms", A],
  ["write_commitproc_time_ms", A],
  ["local_write_committed_time_ms", A],
  ["server_write_committed_time_ms", A],
  ["commit_process_time", B],
  ["om_proposal_process_time_ms", A],
  ["om_commit_process_time_ms", A],
  ["read_final_proc_time_ms", A],
  ["write_final_proc_time_ms", A],
  ["proposal_latency", A],
  ["proposal_ack_creation_latency", A],
  ["commit_propagation_latency", A],
  ["startup_txns_loaded", B],
  ["startup_txns_load_time", B],
  ["startup_snap_load_time", B],
  ["sync_processor_queue_and_flush_time_ms", A],
  ["sync_processor_queue_size", B],
  ["sync_processor_queue_time_ms", A],
  ["sync_processor_queue_flush_time_ms", A],
  ["sync_process_time", B],
  ["sync_processor_batch_size", B],
  ["quorum_ack_latency", A],
  ["request_throttle_queue_time_ms", A],
  ["netty_queued_buffer_capacity", B],
  ["learner_request_processor_queue_size", B],
  ["socket_closing_time", B],
  ["jvm_pause_time_ms", A],
];

/** ServerMetrics summary sets (label `key`). */
export const SUMMARY_SET_LEVELS: ReadonlyArray<readonly [string, DetailLevel]> = [
  ["write_per_namespace", B],
  ["read_per_namespace", B],
  ["learner_handler_qp_size", B],
  ["learner_handler_qp_time_ms", A],
  ["ack_latency", A],
];
