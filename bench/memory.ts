// Memory, start-up and snapshot size: a server's RSS once it holds N znodes of 100 bytes, and how
// long it takes from process start to serving, empty and (restarted on the same data directory)
// with the largest tree: first after a SIGKILL (snapshot plus log replay), then after a clean stop.
// Znodes are created with deeply pipelined creates so a million take seconds.

import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
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
  /** Restarted on the same data directory with the largest tree after a SIGKILL. */
  crashRestartToServingMs: number;
  /** Then stopped cleanly (SIGTERM) and restarted again. */
  restartToServingMs: number;
  /** The largest tree's count when both restarts kept its last znode, else 0. */
  znodesAfterRestart: number;
  /** The newest snapshot file once the largest tree is on disk. */
  snapshotBytes: number;
}

/** Where each server keeps its snapshots under its data directory. */
const SNAPSHOT_DIRS: Record<ServerKind, string> = { paddock: "data", zookeeper: join("data", "version-2") };

function newestSnapshotBytes(kind: ServerKind, dir: string): number {
  const snapshotDir = join(dir, SNAPSHOT_DIRS[kind]);
  const files = readdirSync(snapshotDir)
    .filter((name) => name.startsWith("snapshot.") && !name.endsWith(".tmp"))
    .map((name) => statSync(join(snapshotDir, name)))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  return files[0]?.size ?? 0;
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
    const restart = async (how: string) => {
      server = await ServerProcess.start(kind, { dir: server.dir, paddockBin, readyTimeoutMs: 600_000 });
      const survived = created > 0 && (await lastZnodeSurvived(server, created));
      log(
        `${kind}: restart after ${how} to serving ${server.startToServingMs.toFixed(0)} ms, tree ${survived ? "kept" : "empty"}`,
      );
      return { ms: server.startToServingMs, survived };
    };
    await server.kill();
    const crash = await restart("SIGKILL");
    await server.stop(false);
    const clean = await restart("a clean stop");
    return {
      kind,
      valueBytes,
      emptyStartToServingMs,
      emptyRssBytes,
      points,
      crashRestartToServingMs: crash.ms,
      restartToServingMs: clean.ms,
      znodesAfterRestart: crash.survived && clean.survived ? created : 0,
      snapshotBytes: newestSnapshotBytes(kind, server.dir),
    };
  } finally {
    await server.stop(true);
  }
}
