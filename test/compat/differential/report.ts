// Prints a script step the way a person reads it and compares two normalised transcripts step by
// step. A failing seed's report shows each differing step with a little context and the command
// that replays exactly that seed.

import { OpCode, opName } from "../../../src/protocol/constants.js";
import type { ACL } from "../../../src/protocol/data.js";
import type { MultiOp, Request } from "../../../src/protocol/requests.js";
import type { Normalised } from "./normalise.js";
import { ACL_CHOICES, type Reconnect, type Script, type Step } from "./script.js";

const FLAG_NAMES = [
  "PERSISTENT",
  "EPHEMERAL",
  "PERSISTENT_SEQ",
  "EPHEMERAL_SEQ",
  "CONTAINER",
  "TTL",
  "TTL_SEQ",
];

function aclName(acl: readonly ACL[] | null): string {
  return ACL_CHOICES.find(([, , list]) => list === acl)?.[1] ?? JSON.stringify(acl);
}

function dataName(data: Buffer | null): string {
  return data === null ? "null" : JSON.stringify(data.toString("utf8"));
}

function opText(op: Request | MultiOp): string {
  const name = opName(op.type) ?? `op${op.type}`;
  switch (op.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL: {
      const ttl = op.type === OpCode.createTTL ? ` ttl=${op.ttl}` : "";
      const flags = FLAG_NAMES[op.flags] ?? `flags${op.flags}`;
      return `${name} ${op.path} ${flags} data=${dataName(op.data)} acl=${aclName(op.acl)}${ttl}`;
    }
    case OpCode.delete:
    case OpCode.check:
      return `${name} ${op.path} version=${op.version}`;
    case OpCode.setData:
      return `${name} ${op.path} data=${dataName(op.data)} version=${op.version}`;
    case OpCode.exists:
    case OpCode.getData:
    case OpCode.getChildren:
    case OpCode.getChildren2:
      return `${name} ${op.path}${op.watch ? " watch" : ""}`;
    case OpCode.setACL:
      return `${name} ${op.path} acl=${aclName(op.acl)} version=${op.version}`;
    case OpCode.multi:
    case OpCode.multiRead:
      return `${name} [${op.ops.map(opText).join("; ")}]`;
    case OpCode.checkWatches:
    case OpCode.removeWatches:
      return `${name} ${op.path} watcherType=${op.watcherType}`;
    case OpCode.addWatch:
      return `${name} ${op.path} mode=${op.mode === 0 ? "PERSISTENT" : "PERSISTENT_RECURSIVE"}`;
    default:
      return "path" in op ? `${name} ${op.path}` : name;
  }
}

function reconnectText(step: Reconnect): string {
  const relative =
    step.relative.kind === "step" ? `the zxid seen after step #${step.relative.step}` : step.relative.kind;
  const lists = [
    ["data", step.dataWatches],
    ["exist", step.existWatches],
    ["child", step.childWatches],
    ["persistent", step.persistentWatches],
    ["recursive", step.persistentRecursiveWatches],
  ] as const;
  const watches = lists
    .filter(([, paths]) => paths.length > 0)
    .map(([name, paths]) => `${name}=[${paths.join(", ")}]`)
    .join(" ");
  const auth = step.credentials
    .map((credential, i) => `, auth ${credential} [xid ${step.authXids[i]}]`)
    .join("");
  return `resume the session${auth}, ${opName(step.opcode)} [xid ${step.setWatchesXid}] relative=${relative} ${watches || "(no watches)"}`;
}

export function stepText(step: Step): string {
  switch (step.kind) {
    case "connect":
      return `slot ${step.session}: connect a new session (timeOut ${step.timeOutMs})`;
    case "disconnect":
      return `slot ${step.session}: drop the connection, keep the session`;
    case "reconnect":
      return `slot ${step.session}: ${reconnectText(step)}`;
    case "expire":
      return `slot ${step.session}: stop pinging and wait for the server to expire the session`;
    case "auth":
      return `slot ${step.session}: auth ${step.scheme} ${step.credential} [xid ${step.xid}]`;
    case "request":
      return `slot ${step.session}: ${opText(step.request)} [xid ${step.xid}]`;
  }
}

export function replayCommand(seed: number): string {
  return `PADDOCK_DIFF_SEED=${seed} node --test dist/test/compat/differential/differential.test.js`;
}

export interface StepDifference {
  readonly step: number;
  readonly zookeeper: readonly string[];
  readonly paddock: readonly string[];
}

export function differences(zookeeper: Normalised, paddock: Normalised): StepDifference[] {
  const out: StepDifference[] = [];
  zookeeper.steps.forEach((z, step) => {
    const p = paddock.steps[step] ?? [];
    if (z.join("\n") !== p.join("\n")) out.push({ step, zookeeper: z, paddock: p });
  });
  return out;
}

const CONTEXT_STEPS = 3;
const SHOWN_DIFFERENCES = 6;

/** A readable report of a seed whose transcripts differ; empty when they agree. */
export function renderReport(script: Script, zookeeper: Normalised, paddock: Normalised): string {
  const diffs = differences(zookeeper, paddock);
  const relationsDiffer = zookeeper.relations.join("\n") !== paddock.relations.join("\n");
  if (diffs.length === 0 && !relationsDiffer) return "";
  const lines = [
    `seed ${script.seed}: ${diffs.length} of ${script.steps.length} steps differ (root ${script.root})`,
    `replay: ${replayCommand(script.seed)}`,
  ];
  for (const d of diffs.slice(0, SHOWN_DIFFERENCES)) {
    lines.push("");
    for (let k = Math.max(0, d.step - CONTEXT_STEPS); k < d.step; k++) {
      lines.push(`    #${k} ${stepText(script.steps[k]!)}`);
      for (const l of zookeeper.steps[k] ?? []) lines.push(`          ${l}`);
    }
    lines.push(`  > #${d.step} ${stepText(script.steps[d.step]!)}`);
    for (const l of d.zookeeper) lines.push(`      zookeeper: ${l}`);
    for (const l of d.paddock) lines.push(`      paddock:   ${l}`);
  }
  if (diffs.length > SHOWN_DIFFERENCES)
    lines.push("", `  ... and ${diffs.length - SHOWN_DIFFERENCES} more steps`);
  if (relationsDiffer) {
    lines.push("", "  zxid and time relations:");
    for (const l of zookeeper.relations) lines.push(`      zookeeper: ${l}`);
    for (const l of paddock.relations) lines.push(`      paddock:   ${l}`);
  }
  return lines.join("\n");
}

/** Every step with both servers' lines, for PADDOCK_DIFF_VERBOSE=1 when a short report is not enough. */
export function renderFull(script: Script, zookeeper: Normalised, paddock: Normalised): string {
  const lines = [`seed ${script.seed}, root ${script.root}, ${script.steps.length} steps`];
  script.steps.forEach((step, k) => {
    const z = zookeeper.steps[k] ?? [];
    const p = paddock.steps[k] ?? [];
    const same = z.join("\n") === p.join("\n");
    lines.push(`${same ? " " : ">"} #${k} ${stepText(step)}`);
    if (same) for (const l of z) lines.push(`      ${l}`);
    else {
      for (const l of z) lines.push(`      zookeeper: ${l}`);
      for (const l of p) lines.push(`      paddock:   ${l}`);
    }
  });
  return lines.join("\n");
}
