// The consensus core must stay deterministic: no clock, timers, global randomness or I/O modules.
// This test reads the core's sources and fails on any of those, so a stray Date.now() cannot slip in.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL("../../../src/consensus/", import.meta.url));
const banned = [
  /\bDate\.now\b/,
  /\bnew Date\b/,
  /\bMath\.random\b/,
  /\bset(Timeout|Interval|Immediate)\b/,
  /\bperformance\.now\b/,
  /\bprocess\.hrtime\b/,
  /from "(node:)?(fs|net|tls|http|https|dgram|child_process)(\/promises)?"/,
];

test("the consensus core uses no clock, timer, global randomness or I/O module", () => {
  const offences: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    readFileSync(`${dir}${file}`, "utf8")
      .split("\n")
      .forEach((line, k) => {
        for (const pattern of banned)
          if (pattern.test(line)) offences.push(`${file}:${k + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(offences, []);
});
