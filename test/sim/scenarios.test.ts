// Every named regression scenario must pass its checks and reach the rare branch it exists for, on a
// few fixed seeds. A scenario that silently stops exercising its hazard fails here, not in production.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runScenario, scenarios } from "./scenarios.js";

describe("regression scenarios", () => {
  for (const scenario of scenarios) {
    test(`${scenario.name}: ${scenario.hazard}`, () => {
      for (const seed of [1, 2, 3]) {
        const { error, world } = runScenario(scenario, seed);
        if (error !== null) {
          const { world: traced } = runScenario(scenario, seed, true);
          assert.fail(`seed ${seed}: ${error}\n${traced.trace!.slice(-60).join("\n")}`);
        }
        assert.ok(world.history.length > 0, "the scenario ran client operations");
      }
    });
  }
});
