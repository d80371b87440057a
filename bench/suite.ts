// Runs a list of workloads against one or two servers for several rounds, alternating which server
// goes first in each round so that neither always runs on a warmer (or more tired) machine. Both
// servers stay up for the whole suite, so peak RSS covers every workload.

import { performance } from "node:perf_hooks";
import { OpCode } from "../src/protocol/constants.js";
import { type Address, createTemplate, populate, pump, ROOT } from "./keyspace.js";
import { processMemory } from "./proc.js";
import { type Median, median } from "./report.js";
import { type RunResult, type RunTiming, runWorkload } from "./runner.js";
import { type ServerKind, type ServerOptions, ServerProcess } from "./servers.js";
import { requestTemplate } from "./session.js";
import type { Workload, WorkloadOptions } from "./workloads.js";

export interface SuiteOptions {
  /** Servers to start; ignored when `external` is given. */
  kinds: ServerKind[];
  /** A server already running elsewhere on loopback: no pid, so no server CPU or RSS. */
  external: Address | undefined;
  workloads: readonly Workload[];
  rounds: number;
  timing: RunTiming;
  workloadOptions: WorkloadOptions;
  /** node flags for Paddock, e.g. --cpu-prof. */
  paddockNodeFlags: string[];
  paddockBin: string | undefined;
  log: (line: string) => void;
}

export interface ServerSummary {
  kind: string;
  startToServingMs: number | undefined;
  /** Whether a znode created before a restart was there after it; undefined for an external server. */
  persists: boolean | undefined;
  populateMs: number;
  rssPeakBytes: number | undefined;
}

export interface TargetReport {
  server: ServerSummary;
  runs: RunResult[];
  medians: Median[];
}

export interface SuiteReport {
  timing: RunTiming;
  rounds: number;
  workloadOptions: WorkloadOptions;
  targets: TargetReport[];
}

interface Target {
  kind: string;
  address: Address;
  process: ServerProcess | undefined;
  startToServingMs: number | undefined;
  persists: boolean | undefined;
  populateMs: number;
  runs: RunResult[];
}

/**
 * Creates a znode, restarts the server on the same data directory and looks for it: whether write
 * figures include durable storage is then a measured fact, not something the table assumes.
 */
async function restartKeepsWrites(
  server: ServerProcess,
  serverOptions: ServerOptions,
): Promise<{ server: ServerProcess; persists: boolean }> {
  const marker = `${ROOT}-restart-probe`;
  const created = await pump(server.address, 1, 1, 1, () => createTemplate(marker, null));
  if (created.errors > 0) throw new Error(`${server.kind}: creating ${marker} failed: ${created.firstError}`);
  await server.stop(false);
  const restarted = await ServerProcess.start(server.kind, { ...serverOptions, dir: server.dir });
  const exists = requestTemplate({ type: OpCode.exists, path: marker, watch: false });
  const probe = await pump(restarted.address, 1, 1, 1, () => exists);
  return { server: restarted, persists: probe.errors === 0 };
}

export async function runSuite(options: SuiteOptions): Promise<SuiteReport> {
  const targets: Target[] = [];
  try {
    if (options.external !== undefined) {
      targets.push({
        kind: "external",
        address: options.external,
        process: undefined,
        startToServingMs: undefined,
        persists: undefined,
        populateMs: 0,
        runs: [],
      });
    } else {
      for (const kind of options.kinds) {
        const serverOptions =
          kind === "paddock" ? { nodeFlags: options.paddockNodeFlags, paddockBin: options.paddockBin } : {};
        const first = await ServerProcess.start(kind, serverOptions);
        const startToServingMs = first.startToServingMs;
        const { server, persists } = await restartKeepsWrites(first, serverOptions);
        options.log(
          `${kind}: pid ${server.pid}, serving on port ${server.port} after ${startToServingMs.toFixed(0)} ms; ` +
            `writes ${persists ? "survive" : "do not survive"} a restart`,
        );
        targets.push({
          kind,
          address: server.address,
          process: server,
          startToServingMs,
          persists,
          populateMs: 0,
          runs: [],
        });
      }
    }
    for (const target of targets) {
      const started = performance.now();
      const populated = await populate(target.address, options.workloadOptions);
      if (populated.errors > 0) throw new Error(`populating ${target.kind} failed: ${populated.firstError}`);
      target.populateMs = performance.now() - started;
      options.log(
        `${target.kind}: populated ${options.workloadOptions.keys} keys in ${target.populateMs.toFixed(0)} ms`,
      );
    }
    for (let round = 0; round < options.rounds; round++) {
      for (const workload of options.workloads) {
        const order = round % 2 === 0 ? targets : [...targets].reverse();
        for (const target of order) {
          const result = await runWorkload(
            target.address,
            workload,
            options.workloadOptions,
            options.timing,
            target.process?.pid,
          );
          target.runs.push(result);
          options.log(
            `round ${round + 1}/${options.rounds} ${workload.name} on ${target.kind}: ${Math.round(result.opsPerSecond)} ${result.unit}/s, ${result.errors} errors`,
          );
        }
      }
    }
    return {
      timing: options.timing,
      rounds: options.rounds,
      workloadOptions: options.workloadOptions,
      targets: targets.map((target) => ({
        server: {
          kind: target.kind,
          startToServingMs: target.startToServingMs,
          persists: target.persists,
          populateMs: target.populateMs,
          rssPeakBytes:
            target.process === undefined ? undefined : processMemory(target.process.pid)?.rssPeakBytes,
        },
        runs: target.runs,
        medians: options.workloads.map((w) => median(target.runs.filter((r) => r.workload === w.name))),
      })),
    };
  } finally {
    for (const target of targets) await target.process?.stop(true);
  }
}
