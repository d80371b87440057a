// CI seeds change with every commit so that each run explores new schedules, yet any CI failure can be
// replayed: the seeds are derived from `git rev-parse HEAD` (a fixed value outside a git checkout)
// and printed, and each failing seed prints its own replay command.

import { execFileSync } from "node:child_process";

export function commitSeedBase(): { commit: string; base: number } {
  let commit = "no-commit";
  try {
    commit = execFileSync("git", ["rev-parse", "HEAD"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    // Not a git checkout (or no commit yet): use the fixed fallback so the run is still reproducible.
  }
  const hex = /^[0-9a-f]{8}/.test(commit) ? commit.slice(0, 8) : "5eed0001";
  // Keep seeds well inside the 32-bit range so that base + count never wraps.
  return { commit, base: Number.parseInt(hex, 16) % 0x7000_0000 };
}
