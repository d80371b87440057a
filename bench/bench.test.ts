// Keeps the load generator from rotting: a tiny configuration of every workload runs against a real
// Paddock server started through its command line, and must finish with zero errors and a table
// that names each workload. Timings are printed by `npm run bench`, never asserted here.

import assert from "node:assert/strict";
import { test } from "node:test";
import { CLIENT_LIBRARIES, clientTable, compareClients } from "./clients.js";
import { LatencyHistogram } from "./histogram.js";
import { measureImport } from "./import.js";
import { measureMemory } from "./memory.js";
import { singleTable } from "./report.js";
import { zookeeperInstalled } from "./servers.js";
import { runSuite } from "./suite.js";
import { WORKLOADS } from "./workloads.js";

test("every workload runs against a spawned Paddock with zero errors and a sane table", async () => {
  const report = await runSuite({
    kinds: ["paddock"],
    external: undefined,
    workloads: WORKLOADS,
    rounds: 1,
    timing: { durationMs: 100, warmupMs: 30 },
    workloadOptions: {
      keys: 200,
      valueBytes: 100,
      width: 50,
      readRatio: 0.9,
      multiOps: 4,
      sessions: 2,
      depth: 4,
    },
    paddockNodeFlags: [],
    paddockBin: undefined,
    log: () => {},
  });
  const [paddock] = report.targets;
  assert.ok(paddock !== undefined);
  assert.equal(paddock.medians.length, WORKLOADS.length);
  for (const m of paddock.medians) {
    assert.equal(m.errors, 0, `${m.workload} had errors: ${JSON.stringify(m.errorsByName)}`);
    assert.ok(m.ops > 0, `${m.workload} completed no operation`);
    assert.ok(
      m.latencyUsP50 <= m.latencyUsP99 && m.latencyUsP99 <= m.latencyUsMax,
      `${m.workload} percentiles out of order`,
    );
    assert.ok(m.serverCpuUsPerOp !== undefined, `${m.workload} has no server CPU reading`);
  }
  assert.ok((paddock.server.rssPeakBytes ?? 0) > 0, "no peak RSS for the server");
  const printed = singleTable(paddock.medians);
  for (const w of WORKLOADS) assert.match(printed, new RegExp(`\\| ${w.name} `));
});

test("the client comparison drives Paddock's client and node-zookeeper-client with zero errors", async () => {
  // Both client libraries run in their own child process against one spawned Paddock server.
  const report = await compareClients({
    external: undefined,
    paddockBin: undefined,
    sessions: 2,
    depth: 4,
    keys: 50,
    valueBytes: 100,
    rounds: 1,
    warmupMs: 30,
    durationMs: 100,
    log: () => {},
  });
  assert.deepEqual(
    report.medians.map((m) => m.library),
    CLIENT_LIBRARIES,
  );
  for (const m of report.medians) {
    assert.equal(m.errors, 0, `${m.library} had errors: ${JSON.stringify(m.errorsByName)}`);
    assert.ok(m.ops > 0, `${m.library} completed no getData`);
    assert.ok(m.clientCpuUsPerOp > 0, `${m.library} has no client CPU reading`);
  }
  assert.match(clientTable(report), /\| node-zookeeper-client /);
});

test("the memory and restart measurement reloads every znode after a SIGKILL and after a clean stop", async () => {
  const report = await measureMemory("paddock", [300], 100, undefined, () => {});
  assert.equal(report.points.length, 1);
  assert.equal(report.znodesAfterRestart, 300, "both restarts kept the last znode created");
  assert.ok(report.crashRestartToServingMs > 0 && report.restartToServingMs > 0);
  assert.ok(
    report.snapshotBytes > 300 * 100,
    `a snapshot of 300 znodes of 100 B is ${report.snapshotBytes} B`,
  );
});

test("the import measurement imports every znode ZooKeeper held and times both sides", {
  skip: zookeeperInstalled() ? false : "Apache ZooKeeper is not installed",
}, async () => {
  const report = await measureImport({
    znodes: 300,
    valueBytes: 100,
    rounds: 1,
    paddockBin: undefined,
    log: () => {},
  });
  const [round] = report.rounds;
  // The 300 znodes, /bench and /bench/i, and the 5 a fresh server counts (ZooKeeper counts the
  // root twice, as "" and "/", and Paddock's count follows it).
  assert.equal(round!.znodesImported, 307);
  assert.ok(round!.zookeeperRestartMs > 0 && round!.importMs > 0 && round!.paddockStartMs > 0);
  assert.ok(round!.importPeakRssBytes > 0);
});

test("latency histogram percentiles stay within its 3% resolution", () => {
  const histogram = new LatencyHistogram();
  for (let us = 1; us <= 100_000; us++) histogram.record(us);
  for (const q of [0.5, 0.9, 0.99, 0.999]) {
    const expected = q * 100_000;
    const got = histogram.percentile(q);
    assert.ok(Math.abs(got - expected) / expected < 0.03, `p${q * 100}: ${got} for ${expected}`);
  }
  assert.equal(histogram.percentile(1), 100_000);
  assert.equal(histogram.maxUs, 100_000);
});
