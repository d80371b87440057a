// `npm run sim -- --seeds N [--from S]` runs N seeds; `--seed S` replays one seed and prints its full
// trace on failure (`--trace` prints it anyway). Exit status 1 on any failure, with the command that
// replays each failing seed.

import { paramsForSeed, replayCommand, runSeed } from "./run.js";

function arg(name: string): string | undefined {
  const k = process.argv.indexOf(name);
  return k >= 0 ? process.argv[k + 1] : undefined;
}

function main(): number {
  const single = arg("--seed");
  const broken = process.argv.includes("--broken-ack-before-persist");
  const variant = { ackBeforePersist: broken };
  if (single !== undefined) {
    const seed = Number(single);
    const r = runSeed(seed, { trace: true, variant });
    if (!r.ok || process.argv.includes("--trace")) console.log(r.trace!.join("\n"));
    console.log(`seed ${seed}: ${r.ok ? "ok" : `FAILED: ${r.error}`}`);
    console.log(`faults: ${r.faults}`);
    console.log(`stats: ${JSON.stringify(r.stats)}`);
    return r.ok ? 0 : 1;
  }
  const count = Number(arg("--seeds") ?? "100");
  const from = Number(arg("--from") ?? "1");
  const totals = {
    seeds: 0,
    failed: 0,
    opsOk: 0,
    opsIndeterminate: 0,
    crashes: 0,
    lostRecords: 0,
    partitions: 0,
    truncations: 0,
    snapshotsInstalled: 0,
    elections: 0,
    epochRollovers: 0,
    confChanges: 0,
  };
  const drawn = {
    nodes1: 0,
    nodes3: 0,
    nodes5: 0,
    withPartitions: 0,
    withCrashes: 0,
    withDrops: 0,
    withDups: 0,
    withClockJumps: 0,
    withSnapshots: 0,
    withMembership: 0,
    withSmallCounter: 0,
  };
  const started = process.hrtime.bigint();
  for (let seed = from; seed < from + count; seed++) {
    const r = runSeed(seed, { variant });
    totals.seeds++;
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) {
      if (key in r.stats) totals[key] += r.stats[key as keyof typeof r.stats];
    }
    const p = paramsForSeed(seed);
    drawn[`nodes${p.nodes}` as "nodes1"]++;
    if (p.partitionGapMs > 0 && p.nodes > 1) drawn.withPartitions++;
    if (p.crashGapMs > 0) drawn.withCrashes++;
    if (p.dropProb > 0) drawn.withDrops++;
    if (p.dupProb > 0) drawn.withDups++;
    if (p.clockJumpProb > 0) drawn.withClockJumps++;
    if (p.snapshotEvery > 0) drawn.withSnapshots++;
    if (p.membershipGapMs > 0) drawn.withMembership++;
    if (p.zxidCounterMax < 100) drawn.withSmallCounter++;
    if (!r.ok) {
      totals.failed++;
      console.log(
        `seed ${seed} FAILED: ${r.error?.split("\n")[0]}\n  faults: ${r.faults}\n  replay: ${replayCommand(seed)}`,
      );
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`seeds ${from}..${from + count - 1}: ${JSON.stringify(totals)} in ${seconds.toFixed(1)}s`);
  console.log(`faults drawn (seeds per feature): ${JSON.stringify(drawn)}`);
  return totals.failed === 0 ? 0 : 1;
}

process.exitCode = main();
