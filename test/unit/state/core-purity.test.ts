// Proves the deterministic core folders stay free of clocks, randomness, timers and I/O modules
// (CONVENTIONS.md "Cores and edges"): a replica's apply must depend on its entries alone. It scans
// the TypeScript sources, so it fails the moment such a use is added, whoever adds it.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const repoRoot = join(fileURLToPath(import.meta.url), "..", "..", "..", "..", "..");
const CORE_FOLDERS = ["src/protocol", "src/data", "src/state", "src/consensus"];
const FORBIDDEN: ReadonlyArray<readonly [string, RegExp]> = [
  ["Date.now", /\bDate\.now\s*\(/],
  ["new Date", /\bnew\s+Date\b/],
  ["Math.random", /\bMath\.random\b/],
  ["timers", /\b(setTimeout|setInterval|setImmediate)\s*\(/],
  ["performance.now", /\bperformance\.now\b/],
  ["process.hrtime", /\bprocess\.hrtime\b/],
  [
    "I/O module",
    /\bfrom\s+["'](node:)?(fs|fs\/promises|net|tls|http|https|http2|dgram|child_process|worker_threads)["']/,
  ],
];

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  const pending = [dir];
  while (pending.length > 0) {
    const d = pending.pop()!;
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) pending.push(p);
      else if (e.name.endsWith(".ts")) out.push(p);
    }
  }
  return out;
}

test("no core module reads the clock, draws randomness, starts timers or imports an I/O module", () => {
  const files = CORE_FOLDERS.flatMap((f) => sourcesUnder(join(repoRoot, f)));
  assert.ok(
    files.some((f) => f.endsWith("machine.ts")),
    `sources not found under ${repoRoot}`,
  );
  const violations: string[] = [];
  for (const file of files) {
    const lines = readFileSync(file, "utf8").split("\n");
    lines.forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, "");
      for (const [what, pattern] of FORBIDDEN) {
        if (pattern.test(code)) violations.push(`${file.slice(repoRoot.length + 1)}:${i + 1} uses ${what}`);
      }
    });
  }
  assert.deepEqual(violations, []);
});
