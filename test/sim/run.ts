// One simulator run from a seed: draw the fault mix, run the safety phase with faults on, heal, run the
// liveness phase until the ensemble converges and answers, then check the whole history. The result
// carries everything needed to report, and to replay the run exactly from its seed.

import { describeFaults, drawFaults, type FaultParams } from "./faults.js";
import { checkLinearizable } from "./linearizability.js";
import { Prng } from "./prng.js";
import { registerModel } from "./register.js";
import { SimFailure, type SimStats, type Variant, World } from "./world.js";

export interface RunOptions {
  variant?: Variant;
  trace?: boolean;
  /** Override the drawn fault mix (scenarios, focused debugging). */
  params?: FaultParams;
}

export interface RunResult {
  seed: number;
  ok: boolean;
  error: string | null;
  faults: string;
  stats: SimStats;
  /** Simulated ms from the end of faults until the ensemble converged. */
  recoveryMs: number;
  trace: string[] | null;
}

export function replayCommand(seed: number): string {
  return `npm run sim -- --seed ${seed}`;
}

export function paramsForSeed(seed: number): FaultParams {
  return drawFaults(new Prng(seed ^ 0x5eed));
}

export function runSeed(seed: number, options: RunOptions = {}): RunResult {
  const params = options.params ?? paramsForSeed(seed);
  const world = new World(
    seed,
    params,
    options.variant ?? { ackBeforePersist: false },
    options.trace ?? false,
  );
  const result: RunResult = {
    seed,
    ok: false,
    error: null,
    faults: describeFaults(params),
    stats: world.stats,
    recoveryMs: 0,
    trace: world.trace,
  };
  try {
    world.log(`SEED ${seed} ${result.faults}`);
    world.startNemesis();
    world.runUntil(params.safetyMs);
    world.healAll();
    const healedAt = world.now;
    livenessPhase(world, healedAt + params.livenessMs);
    result.recoveryMs = world.now - healedAt;
    finalChecks(world);
    result.ok = true;
  } catch (err) {
    if (!(err instanceof SimFailure)) throw err;
    result.error = err.message;
    world.log(`STATE\n${world.nodeSummary()}`);
  }
  return result;
}

/** After healing, a connected majority must elect a leader, acknowledge a write and converge. */
export function livenessPhase(world: World, deadline: number): void {
  const okBefore = world.stats.opsOk;
  const answered = world.runUntil(deadline, () => world.stats.opsOk > okBefore && world.leader() !== null);
  if (!answered)
    world.fail(
      `liveness: no operation succeeded within ${deadline - world.now}ms of healing\n${world.nodeSummary()}`,
    );
  world.clientsOn = false;
  const converged = world.runUntil(deadline, () => world.converged());
  if (!converged) world.fail(`liveness: replicas did not converge by ${deadline}ms\n${world.nodeSummary()}`);
  world.log(`CONVERGED\n${world.nodeSummary()}`);
}

export function finalChecks(world: World): void {
  world.closeHistory();
  // Patch the history with the log, as etcd's robustness tests do: an indeterminate write absent from
  // the converged state never took effect, so it is dropped instead of being searched as "maybe".
  const members = world.members();
  const applied = world.nodes.get(members[0]!)!.kv.appliedIds;
  const history = world.history.filter(
    (op) =>
      op.output !== undefined || op.input.kind === "read" || applied.has(Number(op.input.value.slice(1))),
  );
  const verdict = checkLinearizable(registerModel, history);
  if (verdict.verdict !== "ok") {
    const parts = registerModel.partition!(history);
    const bad = parts[verdict.failedPartition] ?? [];
    const ops = [...bad].sort((a, b) => a.call - b.call).map((op) => `  ${registerModel.describe!(op)}`);
    world.fail(`linearizability: ${verdict.verdict} on key ${bad[0]?.input.key}\n${ops.join("\n")}`);
  }
  for (const op of world.history) {
    if (op.input.kind === "read" || op.output === undefined) continue;
    const value = op.input.value;
    const id = Number(value.slice(1));
    for (const member of members) {
      const node = world.nodes.get(member)!;
      if (!node.kv.appliedIds.has(id))
        world.fail(`acknowledged write ${value} (op ${id}) missing on n${node.id}`);
    }
  }
}
