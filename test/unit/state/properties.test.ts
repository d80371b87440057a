// Property tests over random programs of plausible entries: replicas that apply the same entries
// (one of them via the log codec, or by replay as recovery does) stay identical, and a failing multi
// leaves the state exactly as it was (digest, counters, sessions), i.e. multi is all-or-nothing.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { decodeEntry, encodeEntry } from "../../../src/state/entry.js";
import { StateMachine } from "../../../src/state/machine.js";
import { interpretMultiOps } from "../../../src/state/multi-ops.js";
import { multiStepArbitrary, stepArbitrary, toEntries, withLiveSessions } from "./arbitraries.js";
import { fullState } from "./harness.js";

function observable(m: StateMachine) {
  return {
    digest: m.digest(),
    znodeCount: m.znodeCount,
    approximateDataSize: m.approximateDataSize,
    ephemeralsCount: m.ephemeralsCount,
    sessions: [...m.sessions()].map(([id, s]) => [id, s.timeoutMs, [...s.ephemerals].sort()]),
  };
}

describe("state machine properties", () => {
  test("two replicas applying the same entries, one through the log codec, end with equal state and results", () => {
    fc.assert(
      fc.property(fc.array(stepArbitrary, { maxLength: 60 }), fc.boolean(), (steps, extended) => {
        const a = new StateMachine({ extendedTypesEnabled: extended });
        const b = new StateMachine({ extendedTypesEnabled: extended });
        for (const e of toEntries(withLiveSessions(steps))) {
          const ra = a.apply(e);
          const rb = b.apply(decodeEntry(encodeEntry(e)));
          assert.deepEqual(rb, ra);
        }
        assert.deepEqual(observable(b), observable(a));
      }),
      { numRuns: 300 },
    );
  });

  test("replaying entries, as recovery does, reaches exactly the state applying them reaches", () => {
    // replay builds no reply; the state change must be the same code: tree, digest, sessions,
    // ephemerals, containers, TTLs, quota roots and lastZxid, failed txns and multis included.
    fc.assert(
      fc.property(
        fc.array(fc.oneof(stepArbitrary, multiStepArbitrary), { maxLength: 60 }),
        fc.boolean(),
        fc.boolean(),
        (steps, extended, skipACL) => {
          const applied = new StateMachine({ extendedTypesEnabled: extended, skipACL });
          const replayed = new StateMachine({ extendedTypesEnabled: extended, skipACL });
          for (const e of toEntries(withLiveSessions(steps))) {
            applied.apply(e);
            replayed.replay(e);
          }
          assert.deepEqual(fullState(replayed), fullState(applied));
        },
      ),
      { numRuns: 300 },
    );
  });

  test("replay refuses an entry at or below the last applied zxid, as apply does", () => {
    const m = new StateMachine();
    const [open, next] = toEntries(withLiveSessions([]));
    m.replay(open!);
    assert.throws(() => m.replay(open!), /invariant: zxid 0x1 applied after 0x1/);
    m.apply(next!);
    assert.throws(() => m.replay({ ...open!, zxid: 2n }), /invariant: zxid 0x2 applied after 0x2/);
    assert.equal(m.lastZxid, 2n);
  });

  test("a multi that fails leaves the digest and every counter unchanged and fires nothing", () => {
    let failures = 0;
    fc.assert(
      fc.property(fc.array(stepArbitrary, { maxLength: 40 }), multiStepArbitrary, (steps, multi) => {
        const m = new StateMachine({ extendedTypesEnabled: true });
        const entries = toEntries(withLiveSessions([...steps, multi]));
        for (const e of entries.slice(0, -1)) m.apply(e);
        const before = observable(m);
        const o = m.apply(entries[entries.length - 1]!);
        assert.ok(o.result.kind === "multi" || o.result.kind === "error");
        const failed = o.result.kind === "error" || o.result.results.some((r) => r.type === -1);
        if (!failed) return;
        failures++;
        assert.deepEqual(o.triggers, []);
        assert.deepEqual(observable(m), before);
        if (o.result.kind === "multi") {
          const errs = o.result.results.map((r) => (r.type === -1 ? r.err : undefined));
          const at = errs.findIndex((x) => x !== 0);
          assert.ok(at >= 0 && errs[at] !== -2, "the first non-zero code is the failing op's");
          assert.ok(errs.slice(0, at).every((x) => x === 0));
          assert.ok(errs.slice(at + 1).every((x) => x === -2));
        }
      }),
      { numRuns: 400 },
    );
    assert.ok(failures > 50, `only ${failures} failing multis were generated`);
  });

  test("a multi that succeeds changes the state exactly as its ops applied one by one would, apart from zxids", () => {
    // Applying the ops as separate entries that share the multi's zxid is not possible, so compare
    // the observable shape instead: same paths, data and ACLs, and same results per op.
    fc.assert(
      fc.property(fc.array(stepArbitrary, { maxLength: 30 }), multiStepArbitrary, (steps, multi) => {
        const whole = new StateMachine({ extendedTypesEnabled: true });
        const split = new StateMachine({ extendedTypesEnabled: true });
        const entries = toEntries(withLiveSessions(steps));
        for (const e of entries) {
          whole.apply(e);
          split.apply(e);
        }
        const zxid = BigInt(entries.length + 1);
        const time = 5n;
        const last = { sessionId: multi.sessionId, authIds: multi.authIds, timeMs: time };
        const o = whole.apply({ ...last, zxid, txn: multi.txn });
        if (o.result.kind !== "multi" || o.result.results.some((r) => r.type === -1)) return;
        if (multi.txn.kind !== "multi") return;
        let z = zxid;
        // Singly, each op runs as ZooKeeper reinterprets it inside a multi.
        for (const op of interpretMultiOps(multi.txn.ops) ?? []) {
          const txn =
            op.type === 2
              ? { kind: "delete" as const, request: op }
              : op.type === 5
                ? { kind: "setData" as const, request: op }
                : op.type === 13
                  ? { kind: "multi" as const, ops: [op] }
                  : op.type === 21
                    ? { kind: "create" as const, opcode: op.type, request: op }
                    : op.type === 1 || op.type === 15 || op.type === 19
                      ? { kind: "create" as const, opcode: op.type, request: { ...op, ttl: -1n } }
                      : undefined;
          assert.ok(txn !== undefined);
          const r = split.apply({ ...last, zxid: z++, txn });
          assert.equal(r.result.err, 0);
        }
        const shape = (m: StateMachine) =>
          [...m.tree.paths()].sort().map((p) => {
            const n = m.tree.get(p)!;
            return [
              p,
              m.tree.dataOf(n)?.toString("hex") ?? null,
              m.tree.aclOf(n),
              m.tree.version(n),
              m.tree.ephemeralOwner(n),
            ];
          });
        assert.deepEqual(shape(split), shape(whole));
      }),
      { numRuns: 300 },
    );
  });
});
