// Proves the quota text codec reads and writes what ZooKeeper's StatsTrack does: `count=N,bytes=M`
// first, other keys sorted after an extra `=` and `;`, absent keys as -1, and refusal exactly where
// Java's split/parseLong throw (so the state machine can answer as ZooKeeper's prep stage does).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatStatsTrack, parseStatsTrack, statsValue } from "../../../src/data/stats-track.js";

const parse = (s: string) => parseStatsTrack(Buffer.from(s, "utf8"));

describe("StatsTrack text", () => {
  test("count and bytes come first, then other keys sorted behind '=;' for old parsers", () => {
    assert.equal(formatStatsTrack(new Map([["bytes", 5n]])), "count=-1,bytes=5");
    const limits = new Map([
      ["byteHardLimit", 100n],
      ["countHardLimit", 10n],
      ["count", 4n],
    ]);
    assert.equal(formatStatsTrack(limits), "count=4,bytes=-1=;byteHardLimit=100;countHardLimit=10");
  });

  test("what ZooKeeper writes parses back to the same pairs", () => {
    const text = "count=4,bytes=-1=;byteHardLimit=100;countHardLimit=10";
    const stats = parse(text)!;
    assert.equal(statsValue(stats, "count"), 4n);
    assert.equal(statsValue(stats, "bytes"), -1n);
    assert.equal(statsValue(stats, "countHardLimit"), 10n);
    assert.equal(formatStatsTrack(stats), text);
  });

  test("empty data has no pairs, absent keys read -1, and ',' or ';' runs both separate", () => {
    assert.deepEqual(parse(""), new Map());
    assert.equal(statsValue(parse("")!, "count"), -1n);
    assert.deepEqual(
      parse("count=1;;,bytes=+2,"),
      new Map([
        ["count", 1n],
        ["bytes", 2n],
      ]),
    );
    assert.deepEqual(parse("count==7"), new Map([["count", -1n]]));
    assert.deepEqual(parse("count=1,count=3"), new Map([["count", 3n]]));
  });

  test("null data, a pair without a value, a leading separator and a non-long value are refused", () => {
    assert.equal(parseStatsTrack(null), undefined);
    for (const bad of ["count", "count=", ",count=1", " ", "count=1x", "count=9223372036854775808"]) {
      assert.equal(parse(bad), undefined, bad);
    }
    assert.deepEqual(parse("count=-9223372036854775808"), new Map([["count", -(1n << 63n)]]));
  });
});
