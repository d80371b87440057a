// Metrics in the shape ZooKeeper's DefaultMetricsProvider dumps them into `monitor` and `mntr`:
// gauges and counters by name, summaries as avg_/min_/max_/cnt_/sum_ (advanced ones adding
// p50_/p95_/p99_/p999_), sets with the key before the name. Telegraf, exporters and scripts parse
// this shape, so it is the same whether or not /metrics is on.

import type { Distribution } from "../../server/distribution.js";
import type { EnsembleView } from "../ensemble-view.js";
import { double, type JsonValue } from "../http/jackson-json.js";
import type { DetailLevel, Metric } from "./catalogue.js";

function summaryEntries(
  name: string,
  level: DetailLevel,
  d: Distribution | undefined,
  out: Array<[string, JsonValue]>,
): void {
  const count = d?.count ?? 0;
  // ZooKeeper's AvgMinMaxCounter rounds its average to four places.
  out.push([`avg_${name}`, double(count === 0 ? 0 : Math.round((d!.sum / count) * 10000) / 10000)]);
  out.push([`min_${name}`, count === 0 ? 0 : d!.min]);
  out.push([`max_${name}`, count === 0 ? 0 : d!.max]);
  out.push([`cnt_${name}`, count]);
  out.push([`sum_${name}`, d?.sum ?? 0]);
  if (level === "advanced") {
    for (const [label, q] of [
      ["p50", 0.5],
      ["p95", 0.95],
      ["p99", 0.99],
      ["p999", 0.999],
    ] as const) {
      out.push([`${label}_${name}`, d === undefined ? 0 : d.quantile(q)]);
    }
  }
}

export function monitorEntries(metrics: readonly Metric[]): Array<[string, JsonValue]> {
  const out: Array<[string, JsonValue]> = [];
  for (const m of metrics) {
    switch (m.kind) {
      case "gauge":
        out.push([m.name, m.isDouble ? double(m.read()) : m.read()]);
        break;
      case "counter":
        out.push([m.name, m.read()]);
        break;
      case "gaugeSet":
        for (const [key, value] of m.read()) out.push([`${key}_${m.name}`, value]);
        break;
      case "summary":
        summaryEntries(m.name, m.level, m.distribution, out);
        break;
      case "summarySet":
        for (const [key, d] of m.read()) summaryEntries(`${key}_${m.name}`, m.level, d, out);
        break;
    }
  }
  return out;
}

/** What `monitor` and `mntr` answer: version, server_state (and peer_state in a quorum), then every metric. */
export function monitorCommandEntries(
  version: string,
  ensemble: EnsembleView,
  metrics: readonly Metric[],
): Array<[string, JsonValue]> {
  const out: Array<[string, JsonValue]> = [
    ["version", version],
    ["server_state", ensemble.role],
  ];
  if (ensemble.inQuorum) out.push(["peer_state", ensemble.peerState]);
  return [...out, ...monitorEntries(metrics)];
}
