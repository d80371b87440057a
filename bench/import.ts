// `paddock import` against ZooKeeper's own restart on the same data: a ZooKeeper server is filled
// with N znodes by pipelined creates and stopped, then each round gives a fresh copy of that data
// directory to ZooKeeper (start to serving: snapshot load, log replay, its start-up snapshot) and
// another fresh copy to `paddock import` (process wall time and its peak RSS), and starts Paddock
// on the import. Rounds alternate so machine load hits both alike; medians are reported.

import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Err } from "../src/protocol/constants.js";
import { createTemplate, pump, ROOT } from "./keyspace.js";
import { middle } from "./medians.js";
import { ServerProcess } from "./servers.js";

const IMPORT_ROOT = `${ROOT}/i`;
const defaultBin = fileURLToPath(new URL("../../bin/paddock.js", import.meta.url));

export interface ImportRound {
  readonly zookeeperRestartMs: number;
  readonly importMs: number;
  readonly importPeakRssBytes: number;
  readonly paddockStartMs: number;
  readonly znodesImported: number;
}

export interface ImportReport {
  readonly znodes: number;
  readonly valueBytes: number;
  readonly rounds: readonly ImportRound[];
  readonly medians: { zookeeperRestartMs: number; importMs: number; paddockStartMs: number };
}

export interface ImportOptions {
  readonly znodes: number;
  readonly valueBytes: number;
  readonly rounds: number;
  readonly paddockBin: string | undefined;
  readonly log: (line: string) => void;
}

function runImport(bin: string, from: string, to: string): { ms: number; rssBytes: number; znodes: number } {
  const started = performance.now();
  const r = spawnSync(process.execPath, [bin, "import", "--from", from, "--data-dir", to], {
    encoding: "utf8",
  });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`paddock import failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const summary = /imported (\d+) znodes .* peak memory ([\d.]+) MiB/.exec(r.stdout);
  if (summary === null) throw new Error(`paddock import printed no summary: ${r.stdout}`);
  return { ms, znodes: Number(summary[1]), rssBytes: Number(summary[2]) * 2 ** 20 };
}

export async function measureImport(o: ImportOptions): Promise<ImportReport> {
  const bin = o.paddockBin ?? defaultBin;
  const value = Buffer.alloc(o.valueBytes, 0x69);
  const zk = await ServerProcess.start("zookeeper");
  const pristine = join(zk.dir, "data");
  const scratch: string[] = [];
  try {
    const fixed = [ROOT, IMPORT_ROOT];
    await pump(zk.address, 1, 1, fixed.length, (i) => createTemplate(fixed[i]!, null), [Err.NODEEXISTS]);
    const filled = await pump(zk.address, 4, 256, o.znodes, (i) =>
      createTemplate(`${IMPORT_ROOT}/n${String(i).padStart(7, "0")}`, value),
    );
    if (filled.errors > 0) throw new Error(`creating znodes on ZooKeeper failed: ${filled.firstError}`);
    await zk.stop(false);
    const rounds: ImportRound[] = [];
    for (let round = 0; round < o.rounds; round++) {
      const zkDir = mkdtempSync(join(tmpdir(), "paddock-bench-import-zk-"));
      const src = mkdtempSync(join(tmpdir(), "paddock-bench-import-src-"));
      const dst = mkdtempSync(join(tmpdir(), "paddock-bench-import-pdk-"));
      scratch.push(zkDir, src, dst);
      cpSync(pristine, join(zkDir, "data"), { recursive: true });
      cpSync(pristine, src, { recursive: true });
      const restarted = await ServerProcess.start("zookeeper", { dir: zkDir, readyTimeoutMs: 600_000 });
      await restarted.stop(true);
      const imported = runImport(bin, src, join(dst, "data"));
      mkdirSync(join(dst, "data"), { recursive: true });
      const paddock = await ServerProcess.start("paddock", {
        dir: dst,
        paddockBin: bin,
        readyTimeoutMs: 600_000,
      });
      await paddock.stop(true);
      const r: ImportRound = {
        zookeeperRestartMs: restarted.startToServingMs,
        importMs: imported.ms,
        importPeakRssBytes: imported.rssBytes,
        paddockStartMs: paddock.startToServingMs,
        znodesImported: imported.znodes,
      };
      rounds.push(r);
      o.log(
        `round ${round + 1}: ZooKeeper restart ${r.zookeeperRestartMs.toFixed(0)} ms, paddock import ` +
          `${r.importMs.toFixed(0)} ms (peak ${(r.importPeakRssBytes / 2 ** 20).toFixed(0)} MiB), ` +
          `paddock start on it ${r.paddockStartMs.toFixed(0)} ms`,
      );
    }
    return {
      znodes: o.znodes,
      valueBytes: o.valueBytes,
      rounds,
      medians: {
        zookeeperRestartMs: middle(rounds.map((r) => r.zookeeperRestartMs)),
        importMs: middle(rounds.map((r) => r.importMs)),
        paddockStartMs: middle(rounds.map((r) => r.paddockStartMs)),
      },
    };
  } finally {
    await zk.stop(true);
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  }
}
