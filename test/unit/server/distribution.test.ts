// The fixed-bucket distribution behind readlatency, updatelatency, fsynctime and the console charts,
// and the digest log behind `hash`: quantiles exact for small values and within 1/16 above, no
// reallocation as observations arrive, and ZooKeeper's every-128th-zxid rule.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DigestLog } from "../../../src/server/digest-log.js";
import { Distribution, quantileOf } from "../../../src/server/distribution.js";

describe("Distribution", () => {
  test("quantiles of small integer latencies are exact", () => {
    const d = new Distribution();
    for (let v = 1; v <= 100; v++) d.observe(v);
    assert.equal(d.count, 100);
    assert.equal(d.sum, 5050);
    assert.equal(d.min, 1);
    assert.equal(d.max, 100);
    assert.equal(d.quantile(0.5), 50);
    assert.equal(d.quantile(0.9), 90);
    assert.equal(d.quantile(0.99), 99);
    assert.equal(d.avg, 50.5);
  });

  test("large values land within a sixteenth of themselves, and negative ones count as zero", () => {
    const d = new Distribution();
    for (const v of [5000, 123_456, 9_999_999]) {
      d.reset();
      d.observe(v);
      const q = d.quantile(0.5);
      assert.ok(q <= v && q >= v * (15 / 16), `${v} read back as ${q}`);
    }
    d.reset();
    d.observe(-3);
    assert.equal(d.quantile(0.5), 0);
    assert.equal(d.min, 0);
  });

  test("an empty distribution reports zeros; countAtLeast counts the slow tail", () => {
    const d = new Distribution();
    assert.equal(d.quantile(0.99), 0);
    assert.equal(d.avg, 0);
    for (const v of [10, 999, 1000, 2500]) d.observe(v);
    assert.equal(d.countAtLeast(1000), 2);
  });

  test("percentiles over an interval come from the difference of two bucket copies", () => {
    const d = new Distribution();
    for (let i = 0; i < 100; i++) d.observe(100);
    const before = Uint32Array.from(d.buckets);
    for (let i = 0; i < 10; i++) d.observe(3);
    const diff = d.buckets.map((n, i) => n - before[i]!);
    assert.equal(quantileOf(diff, 10, 0.99), 3);
  });
});

describe("DigestLog", () => {
  test("records zxids that are multiples of 128 only, the last 1024 of them", () => {
    const log = new DigestLog();
    let recorded = 0;
    for (let z = 1n; z <= 128n * 1100n; z++) {
      if (log.wants(z)) {
        log.record(z, z * 7n);
        recorded++;
      }
    }
    assert.equal(recorded, 1100);
    assert.equal(log.list().length, 1024);
    assert.equal(log.list()[0]!.zxid, 128n * 77n);
    assert.equal(log.list().at(-1)!.zxid, 128n * 1100n);
  });

  test("a jump past a multiple (a new epoch) does not record the zxid it lands on", () => {
    const log = new DigestLog();
    assert.equal(log.wants(5n), false);
    assert.equal(log.wants((1n << 32n) + 1n), false);
    assert.equal(log.wants((1n << 32n) + 128n), true);
  });
});
