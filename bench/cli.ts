// `npm run bench -- [options]`: the load generator's command line. Without options it starts a
// Paddock server and runs every workload once; `--compare` adds Apache ZooKeeper (when installed)
// and runs several alternating rounds; `--memory` measures RSS and start-up with many znodes;
// `--profile DIR` runs Paddock under `node --cpu-prof` and prints where its CPU went; `--clients`
// drives the same reads through Paddock's client and node-zookeeper-client (also after the default run).

import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type ClientComparisonReport, clientTable, compareClients } from "./clients.js";
import { measureImport } from "./import.js";
import { type MemoryReport, measureMemory } from "./memory.js";
import { selfTimes } from "./profile.js";
import { compareTable, count, mib, ms, singleTable, table } from "./report.js";
import { type ServerKind, ZOOKEEPER_HEAP, zookeeperInstalled } from "./servers.js";
import { runSuite, type SuiteReport } from "./suite.js";
import { WORKLOADS, workloadNamed } from "./workloads.js";

const USAGE = `usage: npm run bench -- [options]
  --compare            Paddock and Apache ZooKeeper (when installed), alternating, medians of --rounds
  --target T           paddock (default), zookeeper, or HOST:PORT of a running server
  --workloads a,b      of ${WORKLOADS.map((w) => w.name).join(", ")} (default: all)
  --duration S         measured seconds per run (default 4)
  --warmup S           unmeasured seconds before each run (default 1)
  --rounds N           runs per workload and server (default 3 with --compare, else 1)
  --sessions N         sessions (watchers, churn loops) for every workload, instead of each one's own
  --depth N            requests in flight per session, instead of each workload's own
  --keys N             znodes in the key space (default 10000)
  --value-bytes N      value size (default 100)
  --width N            children of the wide node (default 1000)
  --read-ratio F       reads in "mixed" (default 0.9)
  --multi-ops N        setData operations per multi (default 4)
  --memory             RSS with 100k and 1M znodes and start-to-serving time (see --memory-steps)
  --memory-steps a,b   znode counts for --memory (default 100000,1000000)
  --import             paddock import of a ZooKeeper data directory vs ZooKeeper's restart on it
                       (--import-znodes, default 1000000; --rounds, default 3)
  --clients            getData through Paddock's client and node-zookeeper-client, alternating rounds
                       (--sessions default 8, --depth 64, --rounds 3); one round follows the default run
  --profile DIR        run Paddock under node --cpu-prof, write the profile to DIR, print top self time
  --quick              a tiny configuration (the one the test suite runs)
  --paddock-bin FILE   run this bin/paddock.js instead of this checkout's (e.g. a baseline build)
  --json-out FILE      also write the full results as JSON to FILE`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function number(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0)
    throw new Error(`--${name} needs a non-negative number, not "${value}"`);
  return parsed;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function printSuite(report: SuiteReport): void {
  const paddock = report.targets.find((t) => t.server.kind === "paddock");
  const zookeeper = report.targets.find((t) => t.server.kind === "zookeeper");
  const { durationMs, warmupMs } = report.timing;
  console.log(
    `\n${report.rounds} round(s), ${durationMs / 1000} s measured after ${warmupMs / 1000} s warm-up, ` +
      `${report.workloadOptions.keys} keys of ${report.workloadOptions.valueBytes} B; medians over rounds\n`,
  );
  if (paddock !== undefined && zookeeper !== undefined) {
    console.log(
      compareTable(
        paddock.medians.map((p, i) => ({ paddock: p, zookeeper: zookeeper.medians[i]! })),
        paddock.server.persists,
      ),
    );
    console.log("\nratio = Paddock / ZooKeeper (ops: higher is better; p99 and CPU: lower is better).");
    if (paddock.server.persists === false) {
      console.log(
        "Write rows are not like for like: ZooKeeper fsyncs (forceSync=yes); this Paddock kept no znode across a restart.\n",
      );
    }
  }
  for (const target of report.targets) {
    console.log(`${target.server.kind}:`);
    console.log(singleTable(target.medians));
    console.log("");
  }
  console.log(
    table(
      ["server", "start to serving", "writes survive restart", "populate", "peak RSS"],
      report.targets.map((t) => [
        t.server.kind === "zookeeper" ? `zookeeper (${ZOOKEEPER_HEAP})` : t.server.kind,
        t.server.startToServingMs === undefined ? "-" : `${ms(t.server.startToServingMs * 1000)} ms`,
        t.server.persists === undefined ? "-" : t.server.persists ? "yes" : "no",
        `${ms(t.server.populateMs * 1000)} ms`,
        mib(t.server.rssPeakBytes),
      ]),
    ),
  );
}

function printMemory(reports: MemoryReport[]): void {
  const rows: string[][] = [];
  for (const r of reports) {
    rows.push([r.kind, "0", mib(r.emptyRssBytes), "-", "-", `${count(r.emptyStartToServingMs)} ms`, ""]);
    for (const p of r.points) {
      rows.push([
        r.kind,
        count(p.znodes),
        mib(p.rssBytes),
        mib(p.rssPeakBytes),
        count(p.createsPerSecond),
        "",
        "",
      ]);
    }
    const kept =
      r.znodesAfterRestart > 0 ? `${count(r.znodesAfterRestart)} znodes reloaded` : "nothing persisted";
    rows.push([r.kind, "restart after SIGKILL", "", "", "", `${count(r.crashRestartToServingMs)} ms`, ""]);
    rows.push([
      r.kind,
      "restart after a clean stop",
      "",
      "",
      "",
      `${count(r.restartToServingMs)} ms (${kept})`,
      mib(r.snapshotBytes),
    ]);
  }
  console.log(`\nznodes of ${reports[0]?.valueBytes ?? 100} B; RSS read 2 s after the last create\n`);
  console.log(
    table(["server", "znodes", "RSS", "peak RSS", "creates/s", "start to serving", "newest snapshot"], rows),
  );
  const [paddock, zookeeper] = reports;
  if (paddock !== undefined && zookeeper !== undefined) {
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
    console.log(
      `\nPaddock / ZooKeeper: restart after SIGKILL ${ratio(paddock.crashRestartToServingMs, zookeeper.crashRestartToServingMs)}, ` +
        `after a clean stop ${ratio(paddock.restartToServingMs, zookeeper.restartToServingMs)}, ` +
        `snapshot size ${ratio(paddock.snapshotBytes, zookeeper.snapshotBytes)} (lower is better)`,
    );
  }
}

function newestProfile(dir: string): string | undefined {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".cpuprofile"))
    .map((name) => join(dir, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return files[0];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      compare: { type: "boolean" },
      target: { type: "string" },
      workloads: { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      rounds: { type: "string" },
      sessions: { type: "string" },
      depth: { type: "string" },
      keys: { type: "string" },
      "value-bytes": { type: "string" },
      width: { type: "string" },
      "read-ratio": { type: "string" },
      "multi-ops": { type: "string" },
      memory: { type: "boolean" },
      clients: { type: "boolean" },
      import: { type: "boolean" },
      "import-znodes": { type: "string" },
      "memory-steps": { type: "string" },
      profile: { type: "string" },
      quick: { type: "boolean" },
      "json-out": { type: "string" },
      "paddock-bin": { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const quick = values.quick === true;
  const valueBytes = number(values["value-bytes"], 100, "value-bytes");
  const paddockBin = values["paddock-bin"] === undefined ? undefined : resolve(values["paddock-bin"]);
  let json: unknown;
  const clientOptions = (rounds: number) => ({
    external: undefined,
    paddockBin,
    sessions: number(values.sessions, quick ? 2 : 8, "sessions"),
    depth: number(values.depth, quick ? 4 : 64, "depth"),
    keys: number(values.keys, quick ? 200 : 10_000, "keys"),
    valueBytes,
    rounds: number(values.rounds, rounds, "rounds"),
    durationMs: number(values.duration, quick ? 0.1 : 4, "duration") * 1000,
    warmupMs: number(values.warmup, quick ? 0.03 : 1, "warmup") * 1000,
    log,
  });
  const printClients = (report: ClientComparisonReport) => {
    console.log(`\n${clientTable(report)}`);
    console.log("client µs/op: the generator process's own CPU (process.cpuUsage) per completed getData.");
  };

  if (values.clients) {
    const report = await compareClients(clientOptions(3));
    printClients(report);
    json = { clients: report };
  } else if (values.import) {
    if (!zookeeperInstalled()) throw new Error("--import needs Apache ZooKeeper (apt-get install zookeeper)");
    const report = await measureImport({
      znodes: number(values["import-znodes"], quick ? 500 : 1_000_000, "import-znodes"),
      valueBytes,
      rounds: number(values.rounds, quick ? 1 : 3, "rounds"),
      paddockBin,
      log,
    });
    const m = report.medians;
    console.log(
      `\n${count(report.znodes)} znodes of ${report.valueBytes} B, medians of ${report.rounds.length} round(s):\n` +
        `ZooKeeper restart on its data directory: ${count(m.zookeeperRestartMs)} ms\n` +
        `paddock import of a copy of it:           ${count(m.importMs)} ms (${(m.importMs / m.zookeeperRestartMs).toFixed(2)}x), ` +
        `peak ${mib(Math.max(...report.rounds.map((r) => r.importPeakRssBytes)))}\n` +
        `paddock server start on the import:      ${count(m.paddockStartMs)} ms`,
    );
    json = { import: report };
  } else if (values.memory) {
    const steps = (values["memory-steps"] ?? "100000,1000000")
      .split(",")
      .map((s) => number(s, 0, "memory-steps"));
    const kinds: ServerKind[] = zookeeperInstalled() ? ["paddock", "zookeeper"] : ["paddock"];
    const reports: MemoryReport[] = [];
    for (const kind of kinds) reports.push(await measureMemory(kind, steps, valueBytes, paddockBin, log));
    printMemory(reports);
    json = { memory: reports };
  } else {
    const workloads =
      values.workloads === undefined ? WORKLOADS : values.workloads.split(",").map(workloadNamed);
    const sessions =
      values.sessions === undefined ? (quick ? 2 : undefined) : number(values.sessions, 1, "sessions");
    const depth = values.depth === undefined ? (quick ? 4 : undefined) : number(values.depth, 1, "depth");
    let kinds: ServerKind[] = ["paddock"];
    let external: { host: string; port: number } | undefined;
    const target = values.target ?? "paddock";
    if (values.compare) {
      if (zookeeperInstalled()) kinds = ["paddock", "zookeeper"];
      else log("Apache ZooKeeper is not installed (apt-get install zookeeper): measuring Paddock alone");
    } else if (target === "zookeeper" || target === "paddock") {
      kinds = [target];
    } else {
      const [host, port] = target.split(":");
      if (host === undefined || port === undefined)
        throw new Error(`--target needs paddock, zookeeper or HOST:PORT`);
      external = { host, port: number(port, 0, "target") };
    }
    let profileDir: string | undefined;
    if (values.profile !== undefined) {
      profileDir = resolve(values.profile);
      mkdirSync(profileDir, { recursive: true });
    }
    const report = await runSuite({
      kinds,
      external,
      workloads,
      rounds: number(values.rounds, values.compare ? 3 : 1, "rounds"),
      timing: {
        durationMs: number(values.duration, quick ? 0.1 : 4, "duration") * 1000,
        warmupMs: number(values.warmup, quick ? 0.03 : 1, "warmup") * 1000,
      },
      workloadOptions: {
        keys: number(values.keys, quick ? 200 : 10_000, "keys"),
        valueBytes,
        width: number(values.width, quick ? 50 : 1000, "width"),
        readRatio: number(values["read-ratio"], 0.9, "read-ratio"),
        multiOps: number(values["multi-ops"], 4, "multi-ops"),
        sessions,
        depth,
      },
      paddockNodeFlags: profileDir === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", profileDir],
      paddockBin,
      log,
    });
    printSuite(report);
    json = report;
    // Cheap enough to ride along with the default run; a chosen target or workload list opts out.
    if (values.workloads === undefined && values.target === undefined && profileDir === undefined) {
      const clients = await compareClients(clientOptions(1));
      printClients(clients);
      json = { ...report, clients };
    }
    if (profileDir !== undefined) {
      // The profile is written as the server exits; the file system may show it a moment later.
      await sleep(200);
      const profile = newestProfile(profileDir);
      if (profile === undefined) throw new Error(`no .cpuprofile appeared in ${profileDir}`);
      const top = selfTimes(profile, 30);
      console.log(`\nPaddock self time, top functions (${profile}):\n`);
      console.log(
        table(
          ["self ms", "share", "function", "location"],
          top.map((t) => [t.selfMs.toFixed(0), `${(t.share * 100).toFixed(1)}%`, t.function, t.location]),
        ),
      );
    }
  }
  console.log(`\njson: ${JSON.stringify(json)}`);
  if (values["json-out"] !== undefined)
    writeFileSync(values["json-out"], `${JSON.stringify(json, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
