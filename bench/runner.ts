// Runs one workload against one server: start it, let it warm up, measure a fixed window, drain.
// The window brackets the recorder, the generator's own CPU (process.cpuUsage) and, when the
// server's pid is known, the server's CPU from /proc, so every figure covers the same operations.

import { performance } from "node:perf_hooks";
import type { Address } from "./keyspace.js";
import { machineBusyUs, processCpuUs } from "./proc.js";
import { type Measured, Recorder } from "./recorder.js";
import type { Workload, WorkloadOptions } from "./workloads.js";

export interface RunTiming {
  durationMs: number;
  warmupMs: number;
}

export interface RunResult extends Measured {
  workload: string;
  unit: string;
  writes: boolean;
  sessions: number;
  depth: number;
  /** The generator's CPU over the window as a share of one core (1 = one core busy). */
  generatorCpuCores: number;
  /** The server's CPU over the window divided by operations; undefined without a server pid. */
  serverCpuUsPerOp: number | undefined;
  serverCpuCores: number | undefined;
  /** Machine-wide busy CPU over the window that was neither the server's nor the generator's. */
  otherCpuCores: number | undefined;
}

/** How long a window may be stretched waiting for its first completed operation. */
const WINDOW_STRETCH_MAX_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runWorkload(
  address: Address,
  workload: Workload,
  options: WorkloadOptions,
  timing: RunTiming,
  serverPid?: number,
): Promise<RunResult> {
  const recorder = new Recorder();
  const driver = await workload.start(address, options, recorder);
  await sleep(timing.warmupMs);
  const serverCpuBefore = serverPid === undefined ? undefined : processCpuUs(serverPid);
  const machineBefore = machineBusyUs();
  const cpuBefore = process.cpuUsage();
  const startedMs = performance.now();
  recorder.recording = true;
  await sleep(timing.durationMs);
  // A window shorter than one operation (a tiny run on a loaded machine) would report nothing;
  // it is stretched until something completes, within a bound.
  for (let i = 0; i < WINDOW_STRETCH_MAX_MS / 10 && recorder.ops + recorder.errors === 0; i++)
    await sleep(10);
  recorder.recording = false;
  const elapsedMs = performance.now() - startedMs;
  const cpu = process.cpuUsage(cpuBefore);
  const serverCpuAfter = serverPid === undefined ? undefined : processCpuUs(serverPid);
  const machineAfter = machineBusyUs();
  await driver.stop();
  const serverCpuUs =
    serverCpuBefore === undefined || serverCpuAfter === undefined
      ? undefined
      : serverCpuAfter - serverCpuBefore;
  const seconds = elapsedMs / 1000;
  const generatorCpuUs = cpu.user + cpu.system;
  const otherCpuUs =
    machineBefore === undefined || machineAfter === undefined
      ? undefined
      : Math.max(0, machineAfter - machineBefore - generatorCpuUs - (serverCpuUs ?? 0));
  return {
    workload: workload.name,
    unit: workload.unit,
    writes: workload.writes,
    sessions: options.sessions ?? workload.sessions,
    depth: options.depth ?? workload.depth,
    ...recorder.measured(seconds),
    generatorCpuCores: generatorCpuUs / 1000 / elapsedMs,
    serverCpuUsPerOp:
      serverCpuUs === undefined || recorder.ops === 0 ? undefined : serverCpuUs / recorder.ops,
    serverCpuCores: serverCpuUs === undefined ? undefined : serverCpuUs / 1000 / elapsedMs,
    otherCpuCores: otherCpuUs === undefined ? undefined : otherCpuUs / 1000 / elapsedMs,
  };
}
