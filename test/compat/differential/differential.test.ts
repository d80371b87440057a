// Runs seeded operation scripts against Apache ZooKeeper 3.8 and against Paddock and requires the
// same replies, error codes, data, children, Stat relations and per-session watch events from both
// (normalise.ts lists the 3.9 behaviours Paddock follows on purpose). Both servers start once for
// the file, with the same super digest; each seed gets a root znode of its own, so several seeds run
// at once on the shared servers. The scripts include sessions resumed with setWatches and, every
// EXPIRY_EVERY_SEEDS seeds, a session left to expire; their packets go out under arbitrary xids,
// and a reply under another xid than its request's is a difference like any other. PADDOCK_DIFF_SEED=n replays one seed,
// PADDOCK_DIFF_SEEDS=n runs seeds 1..n, PADDOCK_DIFF_STEPS=n sets the script length,
// PADDOCK_DIFF_CONCURRENCY=n how many seeds run at once (1 keeps other scripts' zxids out of replies),
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
import { generateScript, SUPER_DIGEST } from "./script.js";

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
    : Array.from({ length: envInt("PADDOCK_DIFF_SEEDS", 500) }, (_, i) => i + 1);
const stepCount = envInt("PADDOCK_DIFF_STEPS", 60);
// Each seed mostly waits on round trips, so a few at once keep both servers busy on two cores.
const concurrency = Math.max(1, envInt("PADDOCK_DIFF_CONCURRENCY", 8));

// TTL nodes need extendedTypesEnabled on ZooKeeper; Paddock takes the same key. ZooKeeper turns a
// zoo.cfg key it does not know into the system property "zookeeper." + key (QuorumPeerConfig
// parseProperties), which is where DigestAuthenticationProvider reads its super digest; Paddock
// reads the same key. Concurrent seeds hold more than the default 60 connections per address.
const extraConfig = {
  extendedTypesEnabled: "true",
  "DigestAuthenticationProvider.superDigest": SUPER_DIGEST,
  maxClientCnxns: "0",
};
// Both servers scan for empty containers every minute by default; a scan on one server only, in the
// middle of a script, would use a zxid the other never does. Runs stay far shorter than an hour.
const systemProperties = { "znode.container.checkIntervalMs": "3600000" };

describe("differential: Paddock answers seeded scripts as ZooKeeper 3.8 does", { skip, concurrency }, () => {
  let zookeeper: Target | undefined;
  let paddock: Target | undefined;

  before(async () => {
    [zookeeper, paddock] = await Promise.all([
      startZooKeeper({ extraConfig, systemProperties }),
      startTarget({ extraConfig, systemProperties }),
    ]);
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
