// Swarm testing: every seed draws its own fault mix (which partition shapes, how lossy, how crashy,
// how skewed the clocks, how small the flow-control windows) so that rare combinations get explored
// instead of one average setting. Partition shapes follow the Jepsen and ClickHouse nemeses.

import type { NodeId } from "../../src/consensus/index.js";
import type { Prng } from "./prng.js";

export const PartitionShape = [
  "halves",
  "one-isolated",
  "bridge",
  "majorities-ring",
  "blind-node",
  "blind-others",
] as const;
export type PartitionShape = (typeof PartitionShape)[number];

export interface FaultParams {
  nodes: number;
  clients: number;
  keys: number;
  dropProb: number;
  dupProb: number;
  latencyMinMs: number;
  latencyMaxMs: number;
  diskLatencyMaxMs: number;
  shapes: PartitionShape[];
  /** Mean gap between partitions and their mean length; 0 gap: no partitions. */
  partitionGapMs: number;
  partitionLenMs: number;
  /** Mean gap between crashes; 0: no crashes. */
  crashGapMs: number;
  downMs: number;
  /** Each node's tick period is tickMs * (1 ± drift). */
  clockDrift: number;
  /** Probability per tick of a clock jump (a burst of extra ticks). */
  clockJumpProb: number;
  snapshotEvery: number;
  /** Mean gap between membership changes; 0: the ensemble stays as formed. */
  membershipGapMs: number;
  /** Run one spare replica outside the initial ensemble, ready to join. */
  spare: boolean;
  maxInflight: number;
  maxEntriesPerMessage: number;
  zxidCounterMax: number;
  safetyMs: number;
  livenessMs: number;
}

export function drawFaults(rng: Prng): FaultParams {
  const nodes = rng.pick([1, 3, 3, 5, 5]);
  const shapes = PartitionShape.filter(() => rng.chance(0.5));
  const params: FaultParams = {
    nodes,
    clients: rng.range(2, 5),
    keys: rng.range(1, 4),
    dropProb: rng.pick([0, 0, 0.01, 0.05, 0.15]),
    dupProb: rng.pick([0, 0.01, 0.05]),
    latencyMinMs: rng.range(1, 3),
    latencyMaxMs: rng.pick([4, 10, 30, 80]),
    diskLatencyMaxMs: rng.pick([0, 2, 10]),
    shapes: shapes.length > 0 ? shapes : ["halves"],
    partitionGapMs: rng.pick([0, 300, 800, 2000]),
    partitionLenMs: rng.pick([100, 400, 1500]),
    crashGapMs: rng.pick([0, 250, 700, 2000]),
    downMs: rng.pick([50, 300, 1000]),
    clockDrift: rng.pick([0, 0.05, 0.3]),
    clockJumpProb: rng.pick([0, 0, 0.002, 0.01]),
    snapshotEvery: rng.pick([0, 5, 20, 100]),
    membershipGapMs: rng.pick([0, 0, 300, 1000]),
    maxInflight: rng.pick([1, 4, 64]),
    maxEntriesPerMessage: rng.pick([1, 3, 64]),
    zxidCounterMax: rng.pick([0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 9]),
    safetyMs: rng.range(2000, 4000),
    livenessMs: 20_000,
    spare: false,
  };
  params.spare = params.membershipGapMs > 0;
  return params;
}

export function describeFaults(p: FaultParams): string {
  const parts = [
    `nodes=${p.nodes} clients=${p.clients} keys=${p.keys}`,
    `drop=${p.dropProb} dup=${p.dupProb} latency=${p.latencyMinMs}-${p.latencyMaxMs}ms disk<=${p.diskLatencyMaxMs}ms`,
    p.partitionGapMs > 0
      ? `partitions=${p.shapes.join(",")} every~${p.partitionGapMs}ms for~${p.partitionLenMs}ms`
      : "partitions=none",
    p.crashGapMs > 0 ? `crashes every~${p.crashGapMs}ms down~${p.downMs}ms` : "crashes=none",
    `drift=${p.clockDrift} jumps=${p.clockJumpProb} snapshotEvery=${p.snapshotEvery}`,
    p.membershipGapMs > 0 ? `membership changes every~${p.membershipGapMs}ms` : "membership=fixed",
    `inflight=${p.maxInflight} batch=${p.maxEntriesPerMessage} counterMax=${p.zxidCounterMax} safety=${p.safetyMs}ms`,
  ];
  return parts.join(" | ");
}

/** Directed links cut by one partition of `shape`, as "from>to" keys. */
export function partitionLinks(
  shape: PartitionShape,
  ids: NodeId[],
  rng: Prng,
): { blocked: Set<string>; label: string } {
  const order = rng.shuffle([...ids]);
  const blocked = new Set<string>();
  const cut = (a: NodeId, b: NodeId): void => {
    blocked.add(`${a}>${b}`);
  };
  const split = (left: NodeId[], right: NodeId[]): void => {
    for (const a of left) {
      for (const b of right) {
        cut(a, b);
        cut(b, a);
      }
    }
  };
  const n = order.length;
  switch (shape) {
    case "halves":
      split(order.slice(0, Math.floor(n / 2)), order.slice(Math.floor(n / 2)));
      return {
        blocked,
        label: `halves ${order.slice(0, Math.floor(n / 2))} | ${order.slice(Math.floor(n / 2))}`,
      };
    case "one-isolated":
      split(order.slice(0, 1), order.slice(1));
      return { blocked, label: `isolated ${order[0]}` };
    case "bridge": {
      const half = Math.floor((n - 1) / 2);
      split(order.slice(1, 1 + half), order.slice(1 + half));
      return {
        blocked,
        label: `bridge via ${order[0]}: ${order.slice(1, 1 + half)} | ${order.slice(1 + half)}`,
      };
    }
    case "majorities-ring":
      // Each node sees only its ring neighbours: every node sees a majority, no two the same one.
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const d = Math.min((i - j + n) % n, (j - i + n) % n);
          if (d > 1) cut(order[i]!, order[j]!);
        }
      }
      return { blocked, label: `majorities-ring ${order}` };
    case "blind-node":
      for (const b of order.slice(1)) cut(b, order[0]!);
      return { blocked, label: `blind-node ${order[0]} hears nobody` };
    case "blind-others":
      for (const b of order.slice(1)) cut(order[0]!, b);
      return { blocked, label: `blind-others: nobody hears ${order[0]}` };
  }
}
