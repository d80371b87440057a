// The client comparison: the same pipelined small reads driven through Paddock's client and through
// node-zookeeper-client against one Paddock server, to measure what each client library itself
// costs. Each side runs in a child process of its own (bench/client-worker.ts) so its CPU time is
// its own, and the sides alternate which goes first in each round so neither always gets the
// warmer machine.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ClientLibrary, WorkerOptions, WorkerResult } from "./client-worker.js";
import { type Address, populate } from "./keyspace.js";
import { medianOfRounds } from "./medians.js";
import { count, ms, table } from "./report.js";
import { ServerProcess } from "./servers.js";

/** This file compiles to <repo>/dist/bench/clients.js, beside the worker. */
const workerScript = fileURLToPath(new URL("./client-worker.js", import.meta.url));

export const CLIENT_LIBRARIES: readonly ClientLibrary[] = ["paddock", "node-zookeeper-client"];

/** How the comparison ran: given in the options, repeated in the report. */
interface ClientComparisonSettings {
  sessions: number;
  depth: number;
  keys: number;
  valueBytes: number;
  rounds: number;
  warmupMs: number;
  durationMs: number;
}

export interface ClientComparisonOptions extends ClientComparisonSettings {
  /** A server already running on loopback; a Paddock server is started when undefined. */
  external: Address | undefined;
  paddockBin: string | undefined;
  log: (line: string) => void;
}

export interface ClientComparisonReport extends ClientComparisonSettings {
  runs: WorkerResult[];
  /** Per library, the median of each figure over the rounds (errors summed). */
  medians: WorkerResult[];
}

/** Beyond warm-up and window: connecting, draining and closing; a stuck worker is killed after it. */
const WORKER_SLACK_MS = 60_000;

function runWorker(options: WorkerOptions): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [workerScript, JSON.stringify(options)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      output += chunk;
    });
    const timer = setTimeout(
      () => child.kill("SIGKILL"),
      options.warmupMs + options.durationMs + WORKER_SLACK_MS,
    );
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      const line = output.trim().split("\n").pop() ?? "";
      if (code !== 0 || line === "") {
        reject(new Error(`${options.library} worker exited with ${signal ?? code}: ${output.slice(-500)}`));
        return;
      }
      resolve(JSON.parse(line) as WorkerResult);
    });
  });
}

export async function compareClients(options: ClientComparisonOptions): Promise<ClientComparisonReport> {
  const server =
    options.external === undefined
      ? await ServerProcess.start("paddock", { paddockBin: options.paddockBin })
      : undefined;
  try {
    const address = server?.address ?? options.external!;
    const populated = await populate(address, {
      keys: options.keys,
      valueBytes: options.valueBytes,
      width: 0,
    });
    if (populated.errors > 0) throw new Error(`populating failed: ${populated.firstError}`);
    options.log(
      `clients: ${options.keys} znodes of ${options.valueBytes} B on ${address.host}:${address.port}`,
    );
    const runs: WorkerResult[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? CLIENT_LIBRARIES : [...CLIENT_LIBRARIES].reverse();
      for (const library of order) {
        const result = await runWorker({
          library,
          host: address.host,
          port: address.port,
          sessions: options.sessions,
          depth: options.depth,
          keys: options.keys,
          warmupMs: options.warmupMs,
          durationMs: options.durationMs,
          serverPid: server?.pid,
        });
        runs.push(result);
        options.log(
          `round ${round + 1}/${options.rounds} ${library}: ${Math.round(result.opsPerSecond)} ops/s, ${result.errors} errors`,
        );
      }
    }
    return {
      sessions: options.sessions,
      depth: options.depth,
      keys: options.keys,
      valueBytes: options.valueBytes,
      rounds: options.rounds,
      warmupMs: options.warmupMs,
      durationMs: options.durationMs,
      runs,
      medians: CLIENT_LIBRARIES.map((library) => medianOfRounds(runs.filter((r) => r.library === library))),
    };
  } finally {
    await server?.stop(true);
  }
}

/** Paddock's client over node-zookeeper-client in ops/s (higher is better for Paddock). */
export function clientRatio(report: ClientComparisonReport): number | undefined {
  const [paddock, other] = report.medians;
  return paddock === undefined || other === undefined || other.opsPerSecond === 0
    ? undefined
    : paddock.opsPerSecond / other.opsPerSecond;
}

export function clientTable(report: ClientComparisonReport): string {
  const rows = report.medians.map((r) => [
    r.library,
    `${report.sessions}x${report.depth}`,
    count(r.opsPerSecond),
    String(r.errors),
    ms(r.latencyUsP50),
    ms(r.latencyUsP99),
    ms(r.latencyUsP999),
    count(r.clientCpuUsPerOp),
    r.clientCpuCores.toFixed(2),
    count(r.serverCpuUsPerOp),
  ]);
  const ratio = clientRatio(report);
  return [
    `getData of ${report.valueBytes} B znodes (${report.keys} keys), ${report.sessions} clients x ${report.depth} in flight; ` +
      `${report.rounds} alternating round(s) of ${report.durationMs / 1000} s after ${report.warmupMs / 1000} s warm-up; medians`,
    "",
    table(
      [
        "client",
        "shape",
        "ops/s",
        "errors",
        "p50 ms",
        "p99 ms",
        "p999 ms",
        "client µs/op",
        "client cores",
        "server µs/op",
      ],
      rows,
    ),
    "",
    `ratio (Paddock's client / node-zookeeper-client, ops/s): ${ratio === undefined ? "-" : `${ratio.toFixed(2)}x`}`,
  ].join("\n");
}
