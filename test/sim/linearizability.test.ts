// The linearizability checker is tested on small histories whose verdicts are known by hand: if it
// accepted a stale read or rejected a legal overlap, every simulator run built on it would mislead.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkLinearizable, checkSingle } from "./linearizability.js";
import { type RegisterInput, type RegisterOp, type RegisterOutput, registerModel } from "./register.js";

function op(call: number, ret: number, input: RegisterInput, output: RegisterOutput | undefined): RegisterOp {
  return { call, ret: output === undefined ? Number.POSITIVE_INFINITY : ret, input, output };
}
const w = (key: string, value: string) => ({ kind: "write", key, value }) as const;
const r = (key: string) => ({ kind: "read", key }) as const;
const cas = (key: string, expect: string, value: string) => ({ kind: "cas", key, expect, value }) as const;

describe("linearizability checker", () => {
  test("sequential write then read of the same value is accepted", () => {
    const h = [op(0, 1, w("a", "1"), true), op(2, 3, r("a"), "1")];
    assert.equal(checkLinearizable(registerModel, h).verdict, "ok");
  });

  test("a read that returns an overwritten value after the overwrite finished is rejected", () => {
    const h = [op(0, 1, w("a", "1"), true), op(2, 3, w("a", "2"), true), op(4, 5, r("a"), "1")];
    assert.equal(checkLinearizable(registerModel, h).verdict, "illegal");
  });

  test("a read concurrent with a write may see either value", () => {
    for (const seen of ["1", "2"]) {
      const h = [op(0, 1, w("a", "1"), true), op(2, 6, w("a", "2"), true), op(3, 4, r("a"), seen)];
      assert.equal(checkLinearizable(registerModel, h).verdict, "ok", `saw ${seen}`);
    }
  });

  test("two sequential reads that go back in time are rejected even under a concurrent write", () => {
    const h = [
      op(0, 1, w("a", "1"), true),
      op(2, 10, w("a", "2"), true),
      op(3, 4, r("a"), "2"),
      op(5, 6, r("a"), "1"),
    ];
    assert.equal(checkLinearizable(registerModel, h).verdict, "illegal");
  });

  test("an indeterminate write may take effect late or never", () => {
    const late = [
      op(0, 1, w("a", "1"), true),
      op(2, 0, w("a", "2"), undefined),
      op(5, 6, r("a"), "1"),
      op(7, 8, r("a"), "2"),
    ];
    assert.equal(checkLinearizable(registerModel, late).verdict, "ok");
    const never = [op(0, 1, w("a", "1"), true), op(2, 0, w("a", "2"), undefined), op(5, 6, r("a"), "1")];
    assert.equal(checkLinearizable(registerModel, never).verdict, "ok");
  });

  test("an indeterminate write cannot be seen before it was invoked", () => {
    const h = [op(0, 1, r("a"), "2"), op(2, 0, w("a", "2"), undefined)];
    assert.equal(checkLinearizable(registerModel, h).verdict, "illegal");
  });

  test("a successful compare-and-set must see the expected value and a failed one must not", () => {
    const good = [
      op(0, 1, w("a", "1"), true),
      op(2, 3, cas("a", "1", "2"), true),
      op(4, 5, cas("a", "1", "3"), false),
      op(6, 7, r("a"), "2"),
    ];
    assert.equal(checkLinearizable(registerModel, good).verdict, "ok");
    const bad = [op(0, 1, w("a", "1"), true), op(2, 3, cas("a", "1", "2"), false)];
    assert.equal(checkLinearizable(registerModel, bad).verdict, "illegal");
  });

  test("a lost acknowledged write shows up as a violation on its key only", () => {
    const h = [
      op(0, 1, w("a", "1"), true),
      op(0, 1, w("b", "1"), true),
      op(2, 3, r("b"), "1"),
      op(4, 5, r("a"), null),
    ];
    const result = checkLinearizable(registerModel, h);
    assert.equal(result.verdict, "illegal");
    assert.equal(result.partitions, 2);
    assert.equal(result.failedPartition, 0);
  });

  test("a search beyond its step budget answers unknown instead of guessing", () => {
    const h: RegisterOp[] = [];
    for (let k = 0; k < 12; k++) h.push(op(0, 100, w("a", `${k}`), true));
    h.push(op(101, 102, r("a"), "nope"));
    assert.equal(checkSingle(registerModel, h, 50), "unknown");
    assert.equal(checkSingle(registerModel, h, 10_000_000), "illegal");
  });

  test("many concurrent writers with consistent reads are checked quickly thanks to memoisation", () => {
    const h: RegisterOp[] = [];
    for (let k = 0; k < 14; k++) h.push(op(0, 100, w("a", `${k}`), true));
    h.push(op(101, 102, r("a"), "7"));
    h.push(op(103, 104, r("a"), "7"));
    assert.equal(checkSingle(registerModel, h, 5_000_000), "ok");
  });
});
