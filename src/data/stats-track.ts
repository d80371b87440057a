// The text ZooKeeper keeps in quota nodes (its StatsTrack): `key=long` pairs separated by `,` or `;`,
// written as `count=N,bytes=M` and, when other keys exist, `=;key=value...` in key order after them, so
// that parsers from before hard limits read only the first two. Parsing follows Java's String.split and
// Long.parseLong exactly, because what ZooKeeper cannot parse it refuses, and so must we.

export const COUNT = "count";
export const BYTES = "bytes";
export const COUNT_HARD_LIMIT = "countHardLimit";
export const BYTE_HARD_LIMIT = "byteHardLimit";

export type StatsTrack = Map<string, bigint>;

const LONG_MIN = -(1n << 63n);
const LONG_MAX = (1n << 63n) - 1n;

/** Java's String.split: trailing empty strings are dropped. */
function javaSplit(s: string, separator: RegExp | string): string[] {
  const parts = s.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

/** Java's Long.parseLong for ASCII digits; undefined where Java throws. */
function parseLong(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v < LONG_MIN || v > LONG_MAX ? undefined : v;
}

/**
 * The pairs of a quota node's data, or undefined where ZooKeeper's parser throws (null data, a pair
 * without `=`, a value that is not a long). Empty data has no pairs; a repeated key keeps its last value.
 */
export function parseStatsTrack(data: Buffer | null): StatsTrack | undefined {
  if (data === null) return undefined;
  const stats: StatsTrack = new Map();
  const text = data.toString("utf8");
  if (text.length === 0) return stats;
  for (const pair of javaSplit(text, /[,;]+/)) {
    const kv = javaSplit(pair, "=");
    if (kv.length < 2) return undefined;
    const value = kv[1] === "" ? -1n : parseLong(kv[1]!);
    if (value === undefined) return undefined;
    stats.set(kv[0]!, value);
  }
  return stats;
}

/** A key's value; absent keys read as -1 (no limit, or not counted). */
export function statsValue(stats: StatsTrack, key: string): bigint {
  return stats.get(key) ?? -1n;
}

export function formatStatsTrack(stats: StatsTrack): string {
  let text = `${COUNT}=${statsValue(stats, COUNT)},${BYTES}=${statsValue(stats, BYTES)}`;
  const rest = [...stats.keys()].filter((k) => k !== COUNT && k !== BYTES).sort();
  if (rest.length > 0) {
    text += "=";
    for (const key of rest) text += `;${key}=${stats.get(key)}`;
  }
  return text;
}
