// Runs seeded operation scripts against Apache ZooKeeper 3.8 and against Paddock and requires the
// same replies, error codes, data, children, Stat relations and per-session watch events from both
// (normalise.ts lists the 3.9 behaviours Paddock follows on purpose). Both servers start once for
// the file; each seed gets a root znode of its own. PADDOCK_DIFF_SEED=n replays one seed,
// PADDOCK_DIFF_SEEDS=n runs seeds 1..n, PADDOCK_DIFF_STEPS=n sets the script length,
// PADDOCK_DIFF_VERBOSE=1 prints every step with both servers' answers. PADDOCK_COMPAT_TARGET=zookeeper
// puts a second ZooKeeper in Paddock's place, which shows the comparison itself is deterministic.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { debianSkipReason } from "../../support/debian.js";
import { startTarget, type Target } from "../../support/targets.js";
import { startZooKeeper, zookeeperPackages } from "../../support/zookeeper.js";
import { normalise } from "./normalise.js";
import { renderFull, renderReport } from "./report.js";
import { runScript } from "./run.js";
import { generateScript } from "./script.js";

const skip = debianSkipReason(zookeeperPackages);

function envInt(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`${name} must be a whole number, not ${text}`);
  return value;
}

const replaySeed = process.env.PADDOCK_DIFF_SEED;
const seeds =
  replaySeed !== undefined && replaySeed !== ""
    ? [envInt("PADDOCK_DIFF_SEED", 1)]
    : Array.from({ length: envInt("PADDOCK_DIFF_SEEDS", 20) }, (_, i) => i + 1);
const stepCount = envInt("PADDOCK_DIFF_STEPS", 100);

// TTL nodes need extendedTypesEnabled on ZooKeeper; Paddock takes the same key.
const extraConfig = { extendedTypesEnabled: "true" };

describe("differential: Paddock answers seeded scripts as ZooKeeper 3.8 does", { skip }, () => {
  let zookeeper: Target | undefined;
  let paddock: Target | undefined;

  before(async () => {
    [zookeeper, paddock] = await Promise.all([startZooKeeper({ extraConfig }), startTarget({ extraConfig })]);
  });

  after(async () => {
    await Promise.all([zookeeper?.stop(), paddock?.stop()]);
  });

  for (const seed of seeds) {
    test(`seed ${seed}: replies, stats and watch events match ZooKeeper over ${stepCount} steps`, async () => {
      const script = generateScript(seed, stepCount);
      const [fromZooKeeper, fromPaddock] = await Promise.all([
        runScript(script, zookeeper!.port),
        runScript(script, paddock!.port),
      ]);
      const expected = normalise(script, fromZooKeeper, "zookeeper", fromZooKeeper);
      const actual = normalise(script, fromPaddock, paddock!.kind, fromZooKeeper);
      if (process.env.PADDOCK_DIFF_VERBOSE) process.stderr.write(`${renderFull(script, expected, actual)}\n`);
      const report = renderReport(script, expected, actual);
      assert.equal(report, "", `Paddock differs from ZooKeeper:\n${report}`);
    });
  }
});
