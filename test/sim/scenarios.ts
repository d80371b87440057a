// Named regression scenarios: one scripted fault schedule per consensus-level hazard from
// RELIABILITY.md section 5 (mostly ZooKeeper data-loss bugs). Each runs on a quiet network with the
// scripted faults only, then the usual liveness phase and history checks, and returns the coverage
// marks that prove the hazardous branch was actually exercised.

import { ConfChangeType, type NodeId } from "../../src/consensus/index.js";
import type { FaultParams } from "./faults.js";
import { finalChecks, livenessPhase } from "./run.js";
import { type SimStats, World } from "./world.js";

export interface Scenario {
  name: string;
  hazard: string;
  params: Partial<FaultParams>;
  script: (w: World) => void;
  /** The coverage the scenario must reach, checked on its stats after a passing run. */
  expect: (stats: SimStats) => string | null;
}

const quiet: FaultParams = {
  nodes: 3,
  clients: 3,
  keys: 2,
  dropProb: 0,
  dupProb: 0,
  latencyMinMs: 1,
  latencyMaxMs: 5,
  diskLatencyMaxMs: 2,
  shapes: ["halves"],
  partitionGapMs: 0,
  partitionLenMs: 0,
  crashGapMs: 0,
  downMs: 0,
  clockDrift: 0,
  clockJumpProb: 0,
  snapshotEvery: 0,
  membershipGapMs: 0,
  spare: false,
  maxInflight: 64,
  maxEntriesPerMessage: 64,
  zxidCounterMax: 0xffff_ffff,
  safetyMs: 3000,
  livenessMs: 20_000,
};

function waitForLeader(w: World, within: number): NodeId {
  w.runUntil(w.now + within, () => w.leader() !== null && w.stats.opsOk > 0);
  const lead = w.leader();
  if (lead === null) w.fail(`scenario: no leader within ${within}ms`);
  return lead;
}

function isolate(w: World, id: NodeId): void {
  const blocked = new Set<string>();
  for (const other of w.nodes.keys()) {
    if (other === id) continue;
    blocked.add(`${id}>${other}`);
    blocked.add(`${other}>${id}`);
  }
  w.blocked = blocked;
  w.log(`PARTITION isolated ${id}`);
}

function heal(w: World): void {
  w.blocked = new Set();
  w.log("HEAL partition");
}

const atLeast = (what: string, value: number, min: number): string | null =>
  value >= min ? null : `expected ${what} >= ${min}, got ${value}`;

export const scenarios: Scenario[] = [
  {
    name: "divergent-suffix-truncated",
    hazard:
      "ZOOKEEPER-1154/1156/2832: an old leader's uncommitted suffix survives (or too much is cut) after re-election",
    params: {},
    script(w) {
      const old = waitForLeader(w, 3000);
      // The old leader keeps accepting writes it can never commit while the others move on.
      isolate(w, old);
      w.aimClients(old);
      w.runUntil(w.now + 400);
      w.crash(old);
      heal(w);
      const others = [...w.nodes.keys()].filter((id) => id !== old);
      w.aimClients(others[0]!);
      w.runUntil(w.now + 1500);
      // The whole ensemble crashes, then the old leader rejoins with its divergent suffix.
      for (const id of others) w.crash(id);
      for (const id of w.nodes.keys()) w.restart(id);
      w.runUntil(w.now + 1000);
    },
    expect: (s) => atLeast("divergent suffix truncations", s.truncations, 1),
  },
  {
    name: "quorum-crashes-right-after-acknowledging",
    hazard:
      "ZOOKEEPER-3911/3023/4646: followers acked entries that were not yet durable; a full crash lost them",
    params: { diskLatencyMaxMs: 10, clients: 4 },
    script(w) {
      waitForLeader(w, 3000);
      // Crash the whole ensemble at moments when a follower is persisting an append it will ack:
      // before its fsync, and a few ms after (when the ack may already have completed a quorum).
      const delays = [0, 3, 6, 11];
      let rounds = 0;
      let seen = 0;
      let crashing = false;
      w.onBeforeSync = (id, rd) => {
        if (crashing || rounds >= 12 || rd.entries.length === 0 || id === w.leader()) return;
        if (++seen % 5 !== 0) return;
        crashing = true;
        const delay = delays[rounds % delays.length]!;
        rounds++;
        w.at(delay, () => {
          w.log(`CRASH ALL (${delay}ms after n${id} began persisting)`);
          for (const node of w.nodes.keys()) w.crash(node);
          w.at(20, () => {
            for (const node of w.nodes.keys()) w.restart(node);
            crashing = false;
          });
        });
      };
      w.runUntil(w.now + 4000, () => rounds >= 12 && !crashing);
      w.onBeforeSync = null;
    },
    expect: (s) => atLeast("unsynced records lost in crashes", s.lostRecords, 1),
  },
  {
    name: "snapshot-install-interrupted-by-crash",
    hazard: "ZOOKEEPER-2872/3642/3104: a crash during snapshot sync lost data or left memory ahead of disk",
    params: { snapshotEvery: 5, diskLatencyMaxMs: 5 },
    script(w) {
      const lead = waitForLeader(w, 3000);
      const follower = [...w.nodes.keys()].find((id) => id !== lead)!;
      isolate(w, follower);
      w.aimClients(lead);
      w.runUntil(w.now + 800);
      let interrupted = 0;
      w.onBeforeSync = (id, rd) => {
        if (id !== follower || rd.snapshot === null || interrupted >= 2) return;
        interrupted++;
        w.log(`n${id} CRASH while installing snapshot ${rd.snapshot.meta.index}`);
        w.crash(id);
        w.at(30, () => w.restart(id));
      };
      heal(w);
      w.runUntil(w.now + 1500);
      w.onBeforeSync = null;
      if (interrupted === 0) w.fail("scenario: no snapshot install was interrupted");
    },
    expect: (s) => atLeast("snapshots installed", s.snapshotsInstalled, 1),
  },
  {
    name: "duplicated-and-reordered-appends-are-idempotent",
    hazard: "ZAB spec trap 2: a joining follower receives the same proposal twice and must tolerate it",
    params: { dupProb: 0.5, latencyMinMs: 1, latencyMaxMs: 60, maxEntriesPerMessage: 2 },
    script(w) {
      waitForLeader(w, 3000);
      w.runUntil(w.now + 2500);
    },
    expect: (s) => atLeast("duplicated messages", s.duplicated, 50),
  },
  {
    name: "lagging-follower-catches-up-with-commit-capped-by-its-log",
    hazard:
      "ZAB spec trap 3 / ZOOKEEPER-4925: commit carried with catch-up must not run past the follower's log",
    params: { maxEntriesPerMessage: 1, maxInflight: 1, clients: 5 },
    script(w) {
      const lead = waitForLeader(w, 3000);
      const follower = [...w.nodes.keys()].find((id) => id !== lead)!;
      isolate(w, follower);
      w.aimClients(lead);
      w.runUntil(w.now + 1000);
      heal(w);
      w.runUntil(w.now + 1500);
    },
    expect: (s) => atLeast("acknowledged operations", s.opsOk, 50),
  },
  {
    name: "zxid-counter-overflow-forces-new-epoch",
    hazard: "ZOOKEEPER-4883: the 32-bit zxid counter ran out within an epoch",
    params: { zxidCounterMax: 6, clients: 4 },
    script(w) {
      waitForLeader(w, 3000);
      w.runUntil(w.now + 2500);
    },
    expect: (s) => atLeast("epoch rollovers", s.epochRollovers, 3),
  },
  {
    name: "leadership-moves-while-requests-are-in-flight",
    hazard: "ZOOKEEPER-3598/4712: work from the old role continued after a role change",
    params: { nodes: 5, clients: 4 },
    script(w) {
      waitForLeader(w, 3000);
      const ids = [...w.nodes.keys()];
      for (let k = 0; k < 12; k++) {
        w.transferLeader(ids[k % ids.length]!);
        w.runUntil(w.now + 200);
      }
    },
    expect: (s) => atLeast("elections", s.elections, 6),
  },
  {
    name: "snapshot-after-every-entry-while-leaders-change",
    hazard: "ZOOKEEPER-1549/3127/3144: snapshots that are fuzzy or ahead of the commit point",
    params: { snapshotEvery: 1, crashGapMs: 300, downMs: 100 },
    script(w) {
      waitForLeader(w, 3000);
      w.startNemesis();
      w.runUntil(w.now + 2500);
    },
    expect: (s) => atLeast("crashes", s.crashes, 3),
  },
  {
    name: "joining-member-gets-every-entry-then-leader-removes-itself",
    hazard:
      "ZAB spec trap 1: a follower joining mid-broadcast missed an entry forever; removal of the leader",
    params: { spare: true, snapshotEvery: 20, clients: 4 },
    script(w) {
      waitForLeader(w, 3000);
      const spare = w.params.nodes + 1;
      const change = (type: ConfChangeType, node: NodeId): void => {
        w.runUntil(w.now + 3000, () => w.proposeConfChange({ type, node }));
        w.runUntil(w.now + 400);
      };
      change(ConfChangeType.AddLearner, spare);
      change(ConfChangeType.AddVoter, spare);
      change(ConfChangeType.Remove, w.leader()!);
      w.runUntil(w.now + 1500);
      if (!w.members().includes(spare)) w.fail("scenario: the spare never became a member");
    },
    expect: (s) => atLeast("membership changes", s.confChanges, 3),
  },
];

export function runScenario(
  scenario: Scenario,
  seed: number,
  trace = false,
): { error: string | null; world: World } {
  const params = { ...quiet, ...scenario.params };
  const w = new World(seed, params, { ackBeforePersist: false }, trace);
  try {
    w.log(`SCENARIO ${scenario.name}`);
    scenario.script(w);
    w.healAll();
    livenessPhase(w, w.now + params.livenessMs);
    finalChecks(w);
    return { error: scenario.expect(w.stats), world: w };
  } catch (err) {
    return { error: (err as Error).message, world: w };
  }
}
