// The simulator's CI run: a block of seeds derived from the current commit, each a whole ensemble
// under a swarm-drawn fault mix, must pass the safety phase, converge in the liveness phase and pass
// every history check. Also proves that a run is a pure function of its seed.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { replayCommand, runSeed } from "./run.js";
import { commitSeedBase } from "./seeds.js";

const SEEDS = 1000;

describe("deterministic simulator", () => {
  test(`${SEEDS} commit-derived seeds keep every acknowledged write, stay linearizable and converge`, () => {
    const { commit, base } = commitSeedBase();
    console.log(`# simulator seeds ${base}..${base + SEEDS - 1} (commit ${commit})`);
    const failures: string[] = [];
    let ops = 0;
    for (let seed = base; seed < base + SEEDS; seed++) {
      const r = runSeed(seed);
      ops += r.stats.opsOk + r.stats.opsIndeterminate;
      if (!r.ok) {
        const replay = runSeed(seed, { trace: true });
        const tail = replay.trace!.slice(-60).join("\n");
        failures.push(
          `seed ${seed}: ${r.error}\nfaults: ${r.faults}\nreplay: ${replayCommand(seed)}\n${tail}`,
        );
        if (failures.length >= 3) break;
      }
    }
    console.log(`# simulator checked ${ops} client operations`);
    assert.deepEqual(failures, [], failures.join("\n\n"));
  });

  test("the same seed produces the same trace byte for byte", () => {
    for (const seed of [7, 12345]) {
      const a = runSeed(seed, { trace: true });
      const b = runSeed(seed, { trace: true });
      assert.ok(a.trace!.length > 100, "a trace worth comparing");
      assert.equal(a.trace!.join("\n"), b.trace!.join("\n"));
    }
  });

  test("a replica that acknowledges before persisting is caught within 300 seeds", () => {
    // The broken variant sends acks and applies entries before its writes are fsynced, so a crash
    // can lose entries a quorum promised to keep. The simulator must notice on some seed.
    let caught: string | null = null;
    for (let seed = 1; seed <= 300 && caught === null; seed++) {
      const r = runSeed(seed, { variant: { ackBeforePersist: true } });
      if (!r.ok) caught = `seed ${seed}: ${r.error?.split("\n")[0]}`;
    }
    assert.notEqual(caught, null, "ack-before-persist went unnoticed for 300 seeds");
    console.log(`# broken variant caught at ${caught}`);
  });
});
