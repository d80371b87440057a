// Memory and start-up: a server's RSS once it holds N znodes of 100 bytes, and how long it takes
// from process start to serving, empty and (restarted on the same data directory) with the
// largest tree. Znodes are created with deeply pipelined creates so a million take seconds.

import { performance } from "node:perf_hooks";
import { Err, OpCode } from "../src/protocol/constants.js";
import { createTemplate, pump, ROOT } from "./keyspace.js";
import { processMemory } from "./proc.js";
import { type ServerKind, ServerProcess } from "./servers.js";
import { requestTemplate } from "./session.js";

const MEMORY_ROOT = `${ROOT}/m`;
/** Lets a collector settle after the burst of creates before RSS is read. */
const SETTLE_MS = 2_000;

export interface MemoryPoint {
  znodes: number;
  rssBytes: number;
  rssPeakBytes: number;
  createsPerSecond: number;
}

export interface MemoryReport {
  kind: ServerKind;
  valueBytes: number;
  emptyStartToServingMs: number;
  emptyRssBytes: number;
  points: MemoryPoint[];
  /** Restarted on the same data directory with the largest tree; Paddock keeps nothing yet. */
  restartToServingMs: number;
  znodesAfterRestart: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function memoryOf(server: ServerProcess): { rssBytes: number; rssPeakBytes: number } {
  const memory = processMemory(server.pid);
  if (memory === undefined) throw new Error(`${server.kind} (pid ${server.pid}) has gone`);
  return memory;
}

/** Whether the restarted server still holds the last znode created before the restart. */
async function lastZnodeSurvived(server: ServerProcess, znodes: number): Promise<boolean> {
  const exists = requestTemplate({ type: OpCode.exists, path: memoryPath(znodes - 1), watch: false });
  const probe = await pump(server.address, 1, 1, 1, () => exists);
  return probe.errors === 0;
}

function memoryPath(index: number): string {
  return `${MEMORY_ROOT}/m${String(index).padStart(7, "0")}`;
}

export async function measureMemory(
  kind: ServerKind,
  steps: readonly number[],
  valueBytes: number,
  paddockBin: string | undefined,
  log: (line: string) => void,
): Promise<MemoryReport> {
  const value = Buffer.alloc(valueBytes, 0x6d);
  let server = await ServerProcess.start(kind, { paddockBin });
  try {
    const emptyStartToServingMs = server.startToServingMs;
    await sleep(SETTLE_MS);
    const emptyRssBytes = memoryOf(server).rssBytes;
    const fixed = [ROOT, MEMORY_ROOT];
    await pump(server.address, 1, 1, fixed.length, (i) => createTemplate(fixed[i]!, null), [Err.NODEEXISTS]);
    const points: MemoryPoint[] = [];
    let created = 0;
    for (const target of steps) {
      const from = created;
      const started = performance.now();
      const result = await pump(server.address, 4, 256, target - from, (i) =>
        createTemplate(memoryPath(from + i), value),
      );
      if (result.errors > 0) throw new Error(`creating znodes on ${kind} failed: ${result.firstError}`);
      const seconds = (performance.now() - started) / 1000;
      created = target;
      await sleep(SETTLE_MS);
      const memory = memoryOf(server);
      points.push({ znodes: target, ...memory, createsPerSecond: (target - from) / seconds });
      log(
        `${kind}: ${target} znodes, RSS ${(memory.rssBytes / 2 ** 20).toFixed(0)} MiB (${Math.round((target - from) / seconds)} creates/s)`,
      );
    }
    await server.stop(false);
    server = await ServerProcess.start(kind, { dir: server.dir, paddockBin, readyTimeoutMs: 600_000 });
    const survived = created > 0 && (await lastZnodeSurvived(server, created));
    log(
      `${kind}: restart to serving ${server.startToServingMs.toFixed(0)} ms, tree ${survived ? "kept" : "empty"}`,
    );
    return {
      kind,
      valueBytes,
      emptyStartToServingMs,
      emptyRssBytes,
      points,
      restartToServingMs: server.startToServingMs,
      znodesAfterRestart: survived ? created : 0,
    };
  } finally {
    await server.stop(true);
  }
}
