// Parses the "name<TAB>value" lines our scripted client programs print, and the Stat summaries in
// them. Clients print raw facts and the TypeScript tests judge them, so expectations live in one
// language and one place per client.

export type Facts = Map<string, string>;

export function parseFacts(output: string): Facts {
  const facts: Facts = new Map();
  for (const line of output.split("\n")) {
    const tab = line.indexOf("\t");
    if (tab > 0) facts.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return facts;
}

/** The fact's value; a missing fact fails with every fact seen, which usually shows where a run died. */
export function fact(facts: Facts, name: string): string {
  const value = facts.get(name);
  if (value === undefined) {
    const seen = [...facts].map(([key, val]) => `${key}\t${val}`).join("\n");
    throw new Error(`client printed no fact "${name}"; facts printed:\n${seen}`);
  }
  return value;
}

export interface StatFields {
  czxid: bigint;
  mzxid: bigint;
  pzxid: bigint;
  ctime: bigint;
  mtime: bigint;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
}

const bigFields = ["czxid", "mzxid", "pzxid", "ctime", "mtime", "ephemeralOwner"] as const;
const smallFields = ["version", "cversion", "aversion", "dataLength", "numChildren"] as const;

/** Parses "czxid=2 mzxid=2 ... numChildren=0" (every field required). */
export function parseStat(text: string): StatFields {
  const pairs = new Map(
    text.split(" ").map((pair) => {
      const eq = pair.indexOf("=");
      return [pair.slice(0, eq), pair.slice(eq + 1)] as const;
    }),
  );
  const field = (name: string): string => {
    const value = pairs.get(name);
    if (value === undefined || !/^-?\d+$/.test(value))
      throw new Error(`stat "${text}" lacks a numeric ${name}`);
    return value;
  };
  const stat: Partial<Record<keyof StatFields, bigint | number>> = {};
  for (const name of bigFields) stat[name] = BigInt(field(name));
  for (const name of smallFields) stat[name] = Number(field(name));
  return stat as StatFields;
}
