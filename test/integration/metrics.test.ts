// /metrics as ZooKeeper's PrometheusMetricsProvider serves it, read by a Prometheus text-format
// parser from a real `paddock server`: every metric the Grafana dashboard ZooKeeper's documentation
// links (10465) queries, outside the JVM panels, exists with its type and bare name (no prefix, no
// _total on counters, summaries with quantiles, _count and _sum), values move with the workload,
// Node's process metrics stand beside them, and mntr reports the same full key set as monitor.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import parsePrometheusTextFormat, { type ParsedFamily } from "parse-prometheus-text-format";
import { connect } from "../../src/client/index.js";
import { httpRequest } from "../support/admin-http.js";
import { fourLetterWord } from "../support/four-letter-word.js";
import { startPaddock } from "../support/paddock.js";
import { freeLoopbackPort } from "../support/ports.js";
import type { Target } from "../support/targets.js";

/** Names dashboard 10465's panels query (OBSERVABILITY.md §2.5), by type, JVM panels left out. */
const DASHBOARD_GAUGES = [
  "znode_count",
  "ephemerals_count",
  "global_sessions",
  "local_sessions",
  "approximate_data_size",
  "packets_received",
  "packets_sent",
  "watch_count",
  "outstanding_requests",
  "num_alive_connections",
  "connection_drop_probability",
  "open_file_descriptor_count",
  "max_latency",
  "min_latency",
  "avg_latency",
  "last_client_response_size",
  "min_client_response_size",
  "max_client_response_size",
  "outstanding_tls_handshake",
  "uptime",
];
/** Leader and quorum gauges: ZooKeeper exports them only on ensemble members, so standalone lacks them. */
const QUORUM_GAUGES = [
  "quorum_size",
  "leader_uptime",
  "learners",
  "synced_non_voting_followers",
  "synced_observers",
];
const DASHBOARD_COUNTERS = [
  "response_packet_cache_hits",
  "response_packet_cache_misses",
  "response_packet_get_children_cache_hits",
  "response_packet_get_children_cache_misses",
  "unrecoverable_error_count",
  "digest_mismatches_count",
  "learner_commit_received_count",
  "commit_count",
  "snap_count",
  "diff_count",
  "looking_count",
  "proposal_count",
  "quit_leading_due_to_disloyal_voter",
  "revalidate_count",
  "stale_sessions_expired",
  "dead_watchers_cleared",
  "dead_watchers_queued",
  "add_dead_watcher_stall_time",
  "bytes_received_count",
  "connection_request_count",
  "connection_rejected",
  "connection_drop_count",
  "sessionless_connections_expired",
  "prep_processor_request_queued",
  "outstanding_changes_queued",
  "outstanding_changes_removed",
  "sync_processor_request_queued",
  "request_commit_queued",
  "tls_handshake_exceeded",
  "ensemble_auth_fail",
  "ensemble_auth_success",
  "ensemble_auth_skip",
];
const DASHBOARD_SUMMARIES = [
  "startup_snap_load_time",
  "startup_txns_loaded",
  "dbinittime",
  "election_time",
  "follower_sync_time",
  "om_commit_process_time_ms",
  "om_proposal_process_time_ms",
  "node_changed_watch_count",
  "node_children_watch_count",
  "node_deleted_watch_count",
  "node_created_watch_count",
  "dead_watchers_cleaner_latency",
  "connection_token_deficit",
  "fsynctime",
  "snapshottime",
  "prep_process_time",
  "prep_processor_queue_time_ms",
  "prep_processor_queue_size",
  "close_session_prep_time",
  "sync_process_time",
  "sync_processor_queue_flush_time_ms",
  "sync_processor_queue_size",
  "sync_processor_batch_size",
  "commit_process_time",
  "read_commitproc_time_ms",
  "write_commitproc_time_ms",
  "write_commit_proc_req_queued",
  "read_commit_proc_req_queued",
  "commit_commit_proc_req_queued",
  "requests_in_session_queue",
  "read_commit_proc_issued",
  "write_commit_proc_issued",
  "concurrent_request_processing_in_commit_processor",
  "time_waiting_empty_pool_in_commit_processor_read_ms",
  "pending_session_queue_size",
  "local_write_committed_time_ms",
  "server_write_committed_time_ms",
  "write_batch_time_in_commit_processor",
  "reads_after_write_in_session_queue",
  "session_queues_drained",
  "reads_issued_from_session_queue",
  "write_final_proc_time_ms",
  "read_final_proc_time_ms",
  "readlatency",
  "updatelatency",
  "proposal_latency",
  "quorum_ack_latency",
  "propagation_latency",
  "commit_propagation_latency",
  "proposal_ack_creation_latency",
];
/** Summary sets the dashboard sums; they have samples only once a key (namespace, learner) exists. */
const DASHBOARD_SUMMARY_SETS = [
  "write_per_namespace",
  "read_per_namespace",
  "learner_handler_qp_size",
  "ack_latency",
];

describe("Prometheus /metrics under ZooKeeper 3.9's names", () => {
  let target: Target;
  let metricsPort: number;
  let families: Map<string, ParsedFamily>;
  let text: string;

  const scrape = async () => {
    const reply = await httpRequest(metricsPort, "/metrics");
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
    return reply.text;
  };

  before(async () => {
    metricsPort = await freeLoopbackPort();
    target = await startPaddock({
      extraConfig: {
        "metricsProvider.className": "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
        "metricsProvider.httpHost": "127.0.0.1",
        "metricsProvider.httpPort": String(metricsPort),
      },
    });
    const zk = await connect(target.connectString);
    for (let i = 0; i < 20; i++) await zk.create(`/m${i}`, "v");
    for (let i = 0; i < 50; i++) await zk.getData("/m1");
    await zk.close();
    text = await scrape();
    families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  });
  after(async () => {
    await target?.stop();
  });

  const expectType = (name: string, type: ParsedFamily["type"]) => {
    const family = families.get(name);
    assert.ok(family !== undefined, `/metrics has no ${name}`);
    assert.equal(family.type, type, `type of ${name}`);
    assert.equal(family.help, name, `ZooKeeper's help text for ${name} is its name`);
    return family;
  };

  test("every dashboard gauge, counter and summary is there with ZooKeeper's type and bare name", () => {
    for (const name of DASHBOARD_GAUGES) expectType(name, "GAUGE");
    for (const name of DASHBOARD_COUNTERS) expectType(name, "COUNTER");
    for (const name of DASHBOARD_SUMMARIES) expectType(name, "SUMMARY");
    for (const name of DASHBOARD_SUMMARY_SETS) expectType(name, "SUMMARY");
    for (const name of QUORUM_GAUGES)
      assert.equal(families.has(name), false, `${name} is for ensemble members`);
    assert.doesNotMatch(text, /^(zookeeper_|zk_)/m, "no prefix");
    assert.doesNotMatch(text, /^commit_count_total /m, "counters keep their bare name");
  });

  test("summaries carry the quantiles of their detail level, _count and _sum", () => {
    const read = expectType("readlatency", "SUMMARY").metrics[0]!;
    assert.deepEqual(Object.keys(read.quantiles ?? {}), ["0.5", "0.9", "0.99"]);
    assert.ok(Number(read.count) >= 50, `readlatency_count ${read.count} counts the reads`);
    const fsync = expectType("fsynctime", "SUMMARY").metrics[0]!;
    assert.deepEqual(Object.keys(fsync.quantiles ?? {}), ["0.5"]);
    assert.ok(Number(fsync.count) >= 1, "the creates were synced");
    assert.match(text, /^updatelatency_sum \d+/m);
  });

  test("values follow the workload: znodes, commits, bytes", () => {
    const value = (name: string) => Number(families.get(name)!.metrics[0]!.value);
    assert.ok(value("znode_count") >= 21, "20 creates and the root");
    assert.ok(value("commit_count") >= 21, "a session and 20 creates were committed");
    assert.ok(value("bytes_received_count") > 0);
    assert.ok(value("connection_request_count") >= 1);
    assert.ok(value("max_client_response_size") > 0);
  });

  test("Node's process and event-loop metrics stand beside ZooKeeper's", () => {
    for (const name of [
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
      "process_open_fds",
      "process_start_time_seconds",
      "nodejs_eventloop_lag_seconds",
      "nodejs_heap_size_used_bytes",
    ]) {
      assert.ok(families.has(name), `/metrics has no ${name}`);
    }
    assert.equal(families.has("jvm_memory_bytes_used"), false, "no JVM metrics are faked");
  });

  test("only /metrics is served on the metrics port", async () => {
    assert.equal((await httpRequest(metricsPort, "/")).status, 404);
    assert.equal((await httpRequest(metricsPort, "/metrics", { method: "POST" })).status, 405);
  });

  test("mntr reports the monitor command's full key set as zk_ lines", async () => {
    const mntr = await fourLetterWord(target.port, "mntr", 5_000);
    const keys = mntr
      .trim()
      .split("\n")
      .map((line) => line.split("\t")[0]!);
    assert.ok(keys.length > 300, `mntr has ${keys.length} keys`);
    for (const key of [
      "zk_version",
      "zk_server_state",
      "zk_commit_count",
      "zk_p99_readlatency",
      "zk_avg_fsynctime",
    ]) {
      assert.ok(keys.includes(key), `mntr lacks ${key}`);
    }
    assert.match(mntr, /^zk_avg_latency\t\d+\.\d+$/m, "doubles keep their fraction");
  });
});

describe("/metrics port already taken", () => {
  test("the server logs it and serves clients anyway", async () => {
    const port = await freeLoopbackPort();
    const { createServer } = await import("node:net");
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(port, "127.0.0.1", resolve));
    const target = await startPaddock({
      extraConfig: {
        "metricsProvider.className": "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
        "metricsProvider.httpPort": String(port),
      },
    });
    try {
      assert.equal(await fourLetterWord(target.port, "ruok", 5_000), "imok");
      const log = readFileSync(target.logPath!, "utf8");
      assert.match(
        log,
        new RegExp(`Prometheus /metrics \\(127\\.0\\.0\\.1:${port}\\) is not started: the port is in use`),
      );
    } finally {
      await target.stop();
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
