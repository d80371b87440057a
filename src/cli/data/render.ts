// How the offline toolkit prints things: a state's sessions and nodes, and log entries of either
// kind, as readable text (one line each, zxids in hex, data escaped) or as JSON lines (`--json`,
// 64-bit values as decimal strings so no consumer rounds them, data in base64).

import type { ACL, Stat } from "../../protocol/data.js";
import type { StateMachine } from "../../state/machine.js";

const PERM_LETTERS: readonly [number, string][] = [
  [4, "c"],
  [8, "d"],
  [1, "r"],
  [2, "w"],
  [16, "a"],
];

export function hex(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16)}`;
}

function perms(p: number): string {
  return PERM_LETTERS.filter(([bit]) => (p & bit) !== 0)
    .map(([, l]) => l)
    .join("");
}

export function aclText(acl: readonly ACL[]): string {
  return acl.map((a) => `${a.id.scheme}:${a.id.id}:${perms(a.perms)}`).join(",");
}

/** Printable ASCII as it is, everything else as \xNN, so one node stays on one line. */
export function dataText(data: Buffer | null): string {
  if (data === null) return "null";
  let out = '"';
  for (const b of data) {
    if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return `${out}"`;
}

function statText(s: Stat): string {
  return (
    `czxid=${hex(s.czxid)} mzxid=${hex(s.mzxid)} pzxid=${hex(s.pzxid)} ` +
    `ctime=${new Date(Number(s.ctime)).toISOString()} mtime=${new Date(Number(s.mtime)).toISOString()} ` +
    `version=${s.version} cversion=${s.cversion} aversion=${s.aversion} ` +
    `ephemeralOwner=${hex(s.ephemeralOwner)} dataLength=${s.dataLength} numChildren=${s.numChildren}`
  );
}

/** JSON.stringify with 64-bit values as decimal strings and buffers as base64. */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (typeof v === "bigint") return v.toString();
    if (v !== null && typeof v === "object" && (v as { type?: unknown }).type === "Buffer") {
      return Buffer.from((v as { data: number[] }).data).toString("base64");
    }
    return v;
  });
}

/** Every path of the tree, parents before children, children in name order. */
export function* paths(machine: StateMachine): IterableIterator<string> {
  const pending = ["/"];
  while (pending.length > 0) {
    const path = pending.pop()!;
    yield path;
    const node = machine.tree.get(path)!;
    const children = machine.tree.childrenOf(node).sort().reverse();
    for (const c of children) pending.push(path === "/" ? `/${c}` : `${path}/${c}`);
  }
}

/** The state as lines: zxid, sessions, then one line per node. */
export function* stateLines(machine: StateMachine, json: boolean): IterableIterator<string> {
  if (json) yield jsonLine({ kind: "state", lastZxid: machine.lastZxid, znodes: machine.znodeCount });
  else
    yield `# last zxid ${hex(machine.lastZxid)}, ${machine.znodeCount} znodes, ${machine.sessions().size} sessions`;
  for (const [id, s] of machine.sessions()) {
    yield json
      ? jsonLine({ kind: "session", id, timeoutMs: s.timeoutMs, password: s.passwordSource })
      : `session ${hex(id)} timeout=${s.timeoutMs}ms password=${s.passwordSource} ephemerals=${s.ephemerals.size}`;
  }
  for (const path of paths(machine)) {
    const node = machine.tree.get(path)!;
    const stat = machine.tree.statOf(node);
    const acl = machine.tree.aclOf(node);
    const data = machine.tree.dataOf(node);
    yield json
      ? jsonLine({ kind: "node", path, stat, acl, data: data === null ? null : data.toString("base64") })
      : `${path} ${statText(stat)} acl=${aclText(acl)} data=${dataText(data)}`;
  }
}
