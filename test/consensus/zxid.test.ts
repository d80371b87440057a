// zxids must round-trip through their epoch and counter halves at the 32-bit edges without ever
// passing through a lossy number, because clients compare them as 64-bit integers.

import assert from "node:assert/strict";
import { test } from "node:test";
import { EPOCH_MAX, makeZxid, ZXID_COUNTER_MAX, zxidCounter, zxidEpoch } from "../../src/consensus/index.js";

test("zxid halves round-trip at the 32-bit edges and order by epoch before counter", () => {
  const last = makeZxid(7, ZXID_COUNTER_MAX);
  const next = makeZxid(8, 1);
  assert.equal(last, 0x7_ffff_ffffn);
  assert.ok(next > last, "a new epoch orders after the exhausted counter");
  assert.equal(zxidEpoch(last), 7);
  assert.equal(zxidCounter(last), ZXID_COUNTER_MAX);
  const top = makeZxid(EPOCH_MAX, ZXID_COUNTER_MAX);
  assert.equal(top, 0xffff_ffff_ffff_ffffn);
  assert.equal(zxidEpoch(top), EPOCH_MAX);
});

test("zxid halves out of range are refused instead of wrapping", () => {
  assert.throws(() => makeZxid(1, ZXID_COUNTER_MAX + 1), RangeError);
  assert.throws(() => makeZxid(EPOCH_MAX + 1, 0), RangeError);
  assert.throws(() => makeZxid(-1, 0), RangeError);
});
