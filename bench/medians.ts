// Combines the rounds of one measurement into one row: every numeric figure is the median of the
// rounds that have it (so one noisy round moves no column), errors are summed, and labels come from
// the first round. Shared by the server comparison and the client comparison.

import type { Measured } from "./recorder.js";

/** The median of some numbers (the mean of the two middle ones for an even count). */
export function middle(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const half = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
}

export function medianOfRounds<T extends Measured>(rounds: readonly T[]): T {
  const first = rounds[0];
  if (first === undefined) throw new Error("medianOfRounds needs at least one round");
  const out: Record<string, unknown> = { ...(first as Record<string, unknown>) };
  for (const key of Object.keys(first) as (keyof T & string)[]) {
    const values = rounds
      .map((r) => r[key])
      .filter((v): v is T[typeof key] & number => typeof v === "number");
    if (values.length > 0 || typeof first[key] === "number") {
      out[key] = values.length === 0 ? undefined : middle(values);
    }
  }
  out.errors = rounds.reduce((sum, r) => sum + r.errors, 0);
  const errorsByName: Record<string, number> = {};
  for (const r of rounds) {
    for (const [name, count] of Object.entries(r.errorsByName))
      errorsByName[name] = (errorsByName[name] ?? 0) + count;
  }
  out.errorsByName = errorsByName;
  return out as T;
}
