// Turns results into the tables the bench prints: one row per workload for a single server, or the
// two servers side by side with Paddock / ZooKeeper ratios. Figures are medians over rounds, each
// metric taken separately, so one noisy round moves no column.

import { medianOfRounds } from "./medians.js";
import type { RunResult } from "./runner.js";

export type Median = RunResult & { rounds: number };

/** Medians of every numeric figure over the rounds of one workload on one server; errors are summed. */
export function median(results: RunResult[]): Median {
  return { ...medianOfRounds(results), rounds: results.length };
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...rows.map(line)].join("\n");
}

/** Latency in milliseconds with three significant figures. */
export function ms(us: number | undefined): string {
  if (us === undefined) return "-";
  const value = us / 1000;
  return value >= 100
    ? value.toFixed(0)
    : value >= 10
      ? value.toFixed(1)
      : value >= 1
        ? value.toFixed(2)
        : value.toFixed(3);
}

export function count(value: number | undefined): string {
  if (value === undefined) return "-";
  return value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(1);
}

export function mib(bytes: number | undefined): string {
  return bytes === undefined ? "-" : `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

function cores(value: number | undefined): string {
  return value === undefined ? "-" : value.toFixed(2);
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined || b === 0 ? "-" : `${(a / b).toFixed(2)}x`;
}

function shape(r: Median): string {
  return r.unit === "ops"
    ? `${r.sessions}x${r.depth}`
    : `${r.sessions} ${r.workload === "watch" ? "watchers" : "loops"}`;
}

/** A write figure from a server that loses writes on restart is not like for like with a durable one. */
const NOT_DURABLE = "write: Paddock kept nothing across a restart (no fsync)";

export function singleTable(results: Median[]): string {
  return table(
    [
      "workload",
      "shape",
      "ops/s",
      "errors",
      "p50 ms",
      "p90 ms",
      "p99 ms",
      "p999 ms",
      "max ms",
      "server µs/op",
      "server cores",
      "generator cores",
      "other cores",
    ],
    results.map((r) => [
      r.workload,
      shape(r),
      `${count(r.opsPerSecond)} ${r.unit}/s`,
      String(r.errors),
      ms(r.latencyUsP50),
      ms(r.latencyUsP90),
      ms(r.latencyUsP99),
      ms(r.latencyUsP999),
      ms(r.latencyUsMax),
      count(r.serverCpuUsPerOp),
      cores(r.serverCpuCores),
      r.generatorCpuCores.toFixed(2),
      cores(r.otherCpuCores),
    ]),
  );
}

export function compareTable(
  pairs: Array<{ paddock: Median; zookeeper: Median }>,
  paddockPersists: boolean | undefined,
): string {
  return table(
    [
      "workload",
      "shape",
      "Paddock /s",
      "ZooKeeper /s",
      "ratio",
      "p99 ms P / Z",
      "p99 ratio",
      "p999 ms P / Z",
      "server µs/op P / Z",
      "CPU ratio",
      "errors P / Z",
      "other cores P / Z",
      "note",
    ],
    pairs.map(({ paddock: p, zookeeper: z }) => [
      p.workload,
      shape(p),
      count(p.opsPerSecond),
      count(z.opsPerSecond),
      ratio(p.opsPerSecond, z.opsPerSecond),
      `${ms(p.latencyUsP99)} / ${ms(z.latencyUsP99)}`,
      ratio(p.latencyUsP99, z.latencyUsP99),
      `${ms(p.latencyUsP999)} / ${ms(z.latencyUsP999)}`,
      `${count(p.serverCpuUsPerOp)} / ${count(z.serverCpuUsPerOp)}`,
      ratio(p.serverCpuUsPerOp, z.serverCpuUsPerOp),
      `${p.errors} / ${z.errors}`,
      `${cores(p.otherCpuCores)} / ${cores(z.otherCpuCores)}`,
      p.writes && paddockPersists === false ? NOT_DURABLE : "",
    ]),
  );
}
