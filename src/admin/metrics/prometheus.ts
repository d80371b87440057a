// /metrics as ZooKeeper's PrometheusMetricsProvider serves it: a separate HTTP listener
// (metricsProvider.httpHost:httpPort) with one path, text format 0.0.4, every ZooKeeper metric under
// its bare name (no prefix, counters without _total, summaries as quantiles plus _count and _sum),
// plus Node's process and event-loop metrics from prom-client where ZooKeeper exports the JVM's.
// Values are read at scrape time from ServerMetrics, so the request path pays nothing for this.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { collectDefaultMetrics, Registry } from "prom-client";
import { type Metric, PROMETHEUS_QUANTILES } from "./catalogue.js";

/** metricsProvider.className that turns /metrics on, as in ZooKeeper's zoo.cfg. */
export const PROMETHEUS_PROVIDER_CLASS = "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider";

interface Sample {
  value: number;
  labels?: Record<string, string | number>;
  metricName?: string;
}

/** The object shape prom-client's Registry collects from: `get()` runs at each scrape. */
interface CollectedMetric {
  readonly name: string;
  readonly help: string;
  readonly type: "gauge" | "counter" | "summary";
  readonly aggregator: "sum";
  get(): { name: string; help: string; type: string; aggregator: "sum"; values: Sample[] };
}

function samplesOf(m: Metric): Sample[] {
  switch (m.kind) {
    case "gauge":
    case "counter":
      return [{ value: m.read() }];
    case "gaugeSet":
      return [...m.read()].map(([key, value]) => ({ value, labels: { key } }));
    case "summary": {
      const d = m.distribution;
      return [
        ...PROMETHEUS_QUANTILES[m.level].map((q) => ({
          value: d === undefined ? 0 : d.quantile(q),
          labels: { quantile: q },
        })),
        { value: d?.count ?? 0, metricName: `${m.name}_count` },
        { value: d?.sum ?? 0, metricName: `${m.name}_sum` },
      ];
    }
    case "summarySet":
      return [...m.read()].flatMap(([key, d]) => [
        ...PROMETHEUS_QUANTILES[m.level].map((q) => ({
          value: d.quantile(q),
          labels: { key, quantile: q },
        })),
        { value: d.count, labels: { key }, metricName: `${m.name}_count` },
        { value: d.sum, labels: { key }, metricName: `${m.name}_sum` },
      ]);
  }
}

function collected(m: Metric): CollectedMetric {
  const type = m.kind === "gaugeSet" ? "gauge" : m.kind === "summarySet" ? "summary" : m.kind;
  // ZooKeeper builds every collector with the name as its help text.
  return {
    name: m.name,
    help: m.name,
    type,
    aggregator: "sum",
    get: () => ({ name: m.name, help: m.name, type, aggregator: "sum", values: samplesOf(m) }),
  };
}

/** A registry holding ZooKeeper's metrics and, when `processMetrics`, Node's default ones. */
export function prometheusRegistry(metrics: readonly Metric[], processMetrics: boolean): Registry {
  const registry = new Registry();
  for (const m of metrics) registry.registerMetric(collected(m) as never);
  if (processMetrics) collectDefaultMetrics({ register: registry });
  return registry;
}

export interface MetricsEndpointOptions {
  readonly host: string;
  readonly port: number;
}

/** The /metrics listener. Resolves once listening; rejects with the listen error (port taken...). */
export async function listenMetrics(registry: Registry, options: MetricsEndpointOptions): Promise<Server> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not found: the only path here is /metrics\n");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("Use GET /metrics\n");
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { "content-type": registry.contentType });
        res.end(req.method === "HEAD" ? undefined : text);
      },
      (error: Error) => {
        res
          .writeHead(500, { "content-type": "text/plain" })
          .end(`collecting metrics failed: ${error.message}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return server;
}
