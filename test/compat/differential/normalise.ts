// Turns a transcript into lines that can be compared across servers: values that legitimately
// differ between two runs (session ids, zxids, times) are replaced by their relations, and the
// differences where Paddock follows ZooKeeper 3.9 on purpose are normalised away. The reference
// server is ZooKeeper 3.8.0 (Debian), and these are the intended 3.9 differences handled here:
//
// 1. Notification zxid: 3.9 sends the zxid of the transaction that fired the watch, 3.8 sends -1
//    (ZOOKEEPER-4655). Notification zxids are not compared at all.
// 2. create2 inside multi: 3.9 answers sub-result type 15 with a Stat, 3.8.0 answers type 1 with
//    the path only (ZOOKEEPER-4026). A type-15 result to a create2 sub-op (or to a createContainer
//    sub-op with non-container flags, which 3.8.0 also decays to create) is shown as type 1.
// 3. Top-level `check`: 3.9 answers UNIMPLEMENTED and closes, 3.8.0 sends nothing and corrupts its
//    log. The generator never sends one; `check` only appears inside multi.
// 4. ZOOKEEPER-4799: 3.9.2+ drops a notification when the watching session may not READ the node
//    (for NodeChildrenChanged, the parent). Events 3.8.0 sends in that case are removed from the
//    ZooKeeper side, using the ACLs and digest logins the ZooKeeper transcript says took effect.
// 5. ZOOKEEPER-2590: 3.9.2+ `exists` needs READ on an existing node and answers NOAUTH (without
//    setting the watch); 3.8.0 answers with the Stat. Such a ZooKeeper answer is shown as NOAUTH,
//    and the first data event that watch later fires (once the node is readable) is removed.
// 6. ZOOKEEPER-4472: checkWatches/removeWatches with WatcherType Persistent (4) or
//    PersistentRecursive (5) are 3.9 additions that 3.8.0 rejects; the generator does not send them.
//    Mixed standard and persistent watches on one path (ZOOKEEPER-4466, -4471) are likewise kept
//    out of the scripts by the generator.
// 7. checkWatches in 3.8.0 answers OK when *any* session watches the exact path (WatchManager
//    containsWatcher, rewritten by ZOOKEEPER-4466 in 3.9.0); 3.9 asks about the caller's watches
//    only. A 3.8.0 OK is therefore no evidence: after it, OK and NOWATCHER both pass.
// 8. A create, create2 or createContainer inside multi with flags that name no CreateMode, or a TTL
//    mode (which they cannot carry a TTL for): 3.9's MultiOperationRecord refuses to decode it and
//    the whole multi gets MARSHALLINGERROR (ZOOKEEPER-4026's CreateOptions). 3.8.0 already does so
//    for TTL flags but answers unknown flags per op with BADARGUMENTS; that answer is shown as the
//    3.9 one.

import { errorName, OpCode, Perms } from "../../../src/protocol/constants.js";
import type { ACL, Stat } from "../../../src/protocol/data.js";
import type { MultiOp, Request } from "../../../src/protocol/requests.js";
import type { MultiResult, Response } from "../../../src/protocol/responses.js";
import type { Notified, StepRecord, Transcript } from "./run.js";
import { digestId, type Script, type Step } from "./script.js";

export type Side = "zookeeper" | "paddock";

export interface Normalised {
  /** One list of lines per script step, then one final list of whole-transcript relations. */
  readonly steps: readonly (readonly string[])[];
  readonly relations: readonly string[];
}

const EVENT_NAMES: Record<number, string> = {
  1: "NodeCreated",
  2: "NodeDeleted",
  3: "NodeDataChanged",
  4: "NodeChildrenChanged",
};

function errText(err: number): string {
  return errorName(err) ?? `err${err}`;
}

function dataText(data: Buffer | null): string {
  return data === null ? "null" : JSON.stringify(data.toString("utf8"));
}

/** Names zxids by where they first appear ("z@12" = first seen at step 12) and keeps their times. */
class Context {
  private readonly labels = new Map<bigint, string>();
  private perStep = 0;
  private step = 0;
  /** time values seen for each zxid, from ctime (czxid) and mtime (mzxid). */
  readonly times = new Map<bigint, Set<bigint>>();
  readonly sessionLabels = new Map<bigint, string>();

  atStep(step: number): void {
    this.step = step;
    this.perStep = 0;
  }

  zxid(value: bigint): string {
    let label = this.labels.get(value);
    if (label === undefined) {
      label = this.perStep === 0 ? `z@${this.step}` : `z@${this.step}.${this.perStep}`;
      this.perStep++;
      this.labels.set(value, label);
    }
    return label;
  }

  time(zxid: bigint, time: bigint): void {
    const set = this.times.get(zxid) ?? new Set<bigint>();
    set.add(time);
    this.times.set(zxid, set);
  }

  owner(value: bigint): string {
    if (value === 0n) return "0";
    return this.sessionLabels.get(value) ?? `unknown-session:0x${BigInt.asUintN(64, value).toString(16)}`;
  }

  /** Zxid labels in value order, and any time that breaks "same zxid, same time; later zxid, no earlier time". */
  relations(): string[] {
    const ordered = [...this.labels.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const out = [`zxid order: ${ordered.map(([, label]) => label).join(" < ")}`];
    let latest: { zxid: bigint; time: bigint } | undefined;
    const byZxid = [...this.times.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [zxid, times] of byZxid) {
      const label = this.labels.get(zxid) ?? "?";
      if (times.size > 1) out.push(`times differ for one zxid ${label}: ${[...times].join(", ")}`);
      const time = [...times][0]!;
      if (latest !== undefined && time < latest.time && zxid > latest.zxid) {
        out.push(
          `time goes backwards: ${label} has ${time} after ${this.labels.get(latest.zxid)} had ${latest.time}`,
        );
      }
      latest = { zxid, time };
    }
    return out;
  }
}

function statText(ctx: Context, s: Stat): string {
  ctx.time(s.czxid, s.ctime);
  ctx.time(s.mzxid, s.mtime);
  return (
    `{czxid=${ctx.zxid(s.czxid)} mzxid=${ctx.zxid(s.mzxid)} pzxid=${ctx.zxid(s.pzxid)} ` +
    `version=${s.version} cversion=${s.cversion} aversion=${s.aversion} owner=${ctx.owner(s.ephemeralOwner)} ` +
    `dataLength=${s.dataLength} numChildren=${s.numChildren}}`
  );
}

function aclText(acl: readonly ACL[] | null): string {
  if (acl === null) return "null";
  return `[${acl.map((a) => `${a.perms} ${a.id.scheme}:${a.id.id}`).join(", ")}]`;
}

function sorted(items: readonly string[] | null): string {
  return items === null ? "null" : `[${[...items].sort().join(", ")}]`;
}

function multiResultText(ctx: Context, r: MultiResult, op: MultiOp | undefined): string {
  switch (r.type) {
    case OpCode.create:
      return `create ${r.path}`;
    case OpCode.create2:
      // Difference 2: ZooKeeper 3.8.0 reports a create2 sub-op as a plain create, and so a
      // createContainer sub-op whose flags are not CONTAINER (3.8.0 decays it to create; 3.9 keeps
      // opcode 19, answers type 15 and, oddly, makes the node a container).
      if (op?.type === OpCode.create2 || (op?.type === OpCode.createContainer && op.flags !== 4))
        return `create ${r.path}`;
      return `create2 ${r.path} ${statText(ctx, r.stat)}`;
    case OpCode.delete:
      return "delete";
    case OpCode.setData:
      return `setData ${statText(ctx, r.stat)}`;
    case OpCode.check:
      return "check";
    case OpCode.getData:
      return `getData ${dataText(r.data)} ${statText(ctx, r.stat)}`;
    case OpCode.getChildren:
      return `getChildren ${sorted(r.children)}`;
    case OpCode.error:
      return `error ${errText(r.err)}`;
  }
}

function bodyText(ctx: Context, body: Response, request: Request | null): string {
  switch (body.record) {
    case "CreateResponse":
    case "SyncResponse":
      return `path=${body.path}`;
    case "Create2Response":
      return `path=${body.path} ${statText(ctx, body.stat)}`;
    case "ExistsResponse":
    case "SetDataResponse":
    case "SetACLResponse":
      return statText(ctx, body.stat);
    case "GetDataResponse":
      return `data=${dataText(body.data)} ${statText(ctx, body.stat)}`;
    case "GetACLResponse":
      return `acl=${aclText(body.acl)} ${statText(ctx, body.stat)}`;
    case "GetChildrenResponse":
      return `children=${sorted(body.children)}`;
    case "GetChildren2Response":
      return `children=${sorted(body.children)} ${statText(ctx, body.stat)}`;
    case "MultiResponse": {
      const ops = request !== null && "ops" in request ? request.ops : [];
      return `results=[${body.results.map((r, i) => multiResultText(ctx, r, ops[i])).join("; ")}]`;
    }
    case "GetEphemeralsResponse":
      return `ephemerals=${sorted(body.ephemerals)}`;
    case "GetAllChildrenNumberResponse":
      return `total=${body.totalNumber}`;
    case "WhoAmIResponse":
      return `clientInfo=${sorted(body.clientInfo?.map((c) => `${c.authScheme}:${c.user}`) ?? null)}`;
    case "ErrorResponse":
      return `err=${errText(body.err)}`;
    case "SetSASLResponse":
      return "sasl";
  }
}

function sessionLabel(slot: number, generation: number): string {
  return generation === 0 ? `s${slot}` : `s${slot}#${generation}`;
}

/** What ZooKeeper 3.8.0 did that 3.9.2+ would not, found by following ACLs and logins. */
interface ReadChecks {
  /** Difference 4: notifications for a node the watching session could not READ. */
  readonly droppedEvents: Set<Notified>;
  /** Difference 5: steps where `exists` succeeded on a node the session could not READ. */
  readonly existsNoAuth: Set<number>;
  /** Difference 5: check/removeWatches that found only a watch 3.9 would not have set. */
  readonly phantomWatchReplies: Set<number>;
}

/**
 * Follows the ACLs of successful creates and setACLs and the digest logins, as the ZooKeeper
 * transcript reports them, to find where 3.9.2's READ checks would have answered differently.
 */
export function readChecks(script: Script, transcript: Transcript): ReadChecks {
  const acls = new Map<string, readonly ACL[]>();
  const logins: Set<string>[] = Array.from({ length: script.sessions }, () => new Set<string>());
  const dropped = new Set<Notified>();
  const existsNoAuth = new Set<number>();
  // Data watches 3.8.0 set on an exists that 3.9 refuses; their first event would not exist in 3.9.
  const phantoms: Set<string>[] = Array.from({ length: script.sessions }, () => new Set<string>());
  const phantomWatchReplies = new Set<number>();
  const expand = (acl: readonly ACL[] | null, slot: number): ACL[] =>
    (acl ?? []).flatMap((a) =>
      a.id.scheme === "auth"
        ? [...logins[slot]!].map((id) => ({ perms: a.perms, id: { scheme: "digest", id } }))
        : [a],
    );
  const readable = (slot: number, path: string): boolean => {
    const acl = acls.get(path);
    if (acl === undefined || acl.length === 0) return true;
    return acl.some((a) => (a.perms & Perms.READ) !== 0 && idMatches(a.id.scheme, a.id.id, logins[slot]!));
  };
  script.steps.forEach((step, index) => {
    const record = transcript.steps[index];
    if (record === undefined) return;
    const ok = record.outcome.kind === "reply" && record.outcome.err === 0;
    if (step.kind === "connect") {
      logins[step.session] = new Set();
      phantoms[step.session]!.clear();
    }
    if (step.kind === "auth" && ok) logins[step.session]!.add(digestId(step.credential));
    if (step.kind === "request" && ok && record.outcome.kind === "reply") {
      const { request } = step;
      const body = record.outcome.body;
      if (request.type === OpCode.exists && !readable(step.session, request.path)) {
        existsNoAuth.add(index);
        if (request.watch) phantoms[step.session]!.add(request.path);
      } else if ("watch" in request && request.watch) phantoms[step.session]!.delete(request.path);
      if ("acl" in request && request.type !== OpCode.setACL && body !== null && "path" in body) {
        acls.set(body.path, expand(request.acl, step.session));
      }
      if (request.type === OpCode.setACL) acls.set(request.path, expand(request.acl, step.session));
      if (request.type === OpCode.multi && body?.record === "MultiResponse") {
        body.results.forEach((r, i) => {
          const op = request.ops[i];
          if (op !== undefined && "acl" in op && "path" in r) acls.set(r.path, expand(op.acl, step.session));
        });
      }
    }
    if (
      step.kind === "request" &&
      (step.request.type === OpCode.removeWatches || step.request.type === OpCode.checkWatches) &&
      step.request.watcherType !== 1 &&
      phantoms[step.session]!.has(step.request.path)
    ) {
      phantomWatchReplies.add(index);
      if (step.request.type === OpCode.removeWatches && ok) phantoms[step.session]!.delete(step.request.path);
    }
    for (const e of record.events) {
      const phantom = e.event.type !== 4 && phantoms[e.session]!.delete(e.event.path);
      if (phantom || !readable(e.session, e.event.path)) dropped.add(e);
    }
  });
  return { droppedEvents: dropped, existsNoAuth, phantomWatchReplies };
}

/** Whether an ACL id matches a session on 127.0.0.1 with the given digest logins. */
function idMatches(scheme: string, id: string, logins: Set<string>): boolean {
  if (scheme === "world") return id === "anyone";
  if (scheme === "digest") return logins.has(id);
  if (scheme !== "ip") return false;
  const [address, bitsText] = id.split("/");
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  const toInt = (a: string): number => a.split(".").reduce((n, part) => n * 256 + Number(part), 0);
  const block = 2 ** (32 - bits);
  return Math.floor(toInt("127.0.0.1") / block) === Math.floor(toInt(address ?? "") / block);
}

/** Difference 8: whether 3.9 would refuse to decode this multi. */
function undecodableIn39(request: Request): boolean {
  if (request.type !== OpCode.multi) return false;
  return request.ops.some(
    (op) =>
      (op.type === OpCode.create || op.type === OpCode.create2 || op.type === OpCode.createContainer) &&
      !(op.flags >= 0 && op.flags <= 4),
  );
}

/** Difference 7: replies to checkWatches that the reference answered OK (difference 5 adds more). */
export function unreliableCheckWatches(script: Script, reference: Transcript): Set<number> {
  const out = new Set<number>();
  script.steps.forEach((step, index) => {
    const o = reference.steps[index]?.outcome;
    if (
      step.kind === "request" &&
      step.request.type === OpCode.checkWatches &&
      o?.kind === "reply" &&
      o.err === 0
    )
      out.add(index);
  });
  return out;
}

function outcomeLines(
  ctx: Context,
  record: StepRecord,
  step: Step,
  labels: string[],
  existsNoAuth: boolean,
  checkWatchesEither: boolean,
  side: Side,
): string[] {
  const o = record.outcome;
  switch (o.kind) {
    case "connect":
      ctx.sessionLabels.set(o.sessionId, labels[step.session]!);
      return [`connected ${labels[step.session]} timeOut=${o.timeOut}`];
    case "connect-failed":
      return [`connect failed: ${o.why}`];
    case "lost":
      return [`no reply: connection ${o.why}`];
    case "reply": {
      const request = step.kind === "request" ? step.request : null;
      if (existsNoAuth) return [`NOAUTH zxid=${ctx.zxid(o.zxid)}`];
      if (checkWatchesEither && (o.err === 0 || o.err === -121))
        return [`OK or NOWATCHER zxid=${ctx.zxid(o.zxid)}`];
      if (side === "zookeeper" && request !== null && undecodableIn39(request) && o.err === 0)
        return [`MARSHALLINGERROR zxid=${ctx.zxid(o.zxid)}`];
      let line = `${errText(o.err)} zxid=${ctx.zxid(o.zxid)}`;
      if (o.body !== null) line += ` ${bodyText(ctx, o.body, request)}`;
      if (o.malformed !== null) line += ` MALFORMED(${o.malformed})`;
      return [line];
    }
  }
}

/** `reference` is the ZooKeeper transcript of the same script, needed by difference 7. */
export function normalise(
  script: Script,
  transcript: Transcript,
  side: Side,
  reference: Transcript,
): Normalised {
  const eitherCheckWatches = unreliableCheckWatches(script, reference);
  for (const index of readChecks(script, reference).phantomWatchReplies) eitherCheckWatches.add(index);
  const ctx = new Context();
  const generations = new Array<number>(script.sessions).fill(-1);
  const labels = new Array<string>(script.sessions).fill("");
  const checks: ReadChecks =
    side === "zookeeper"
      ? readChecks(script, transcript)
      : { droppedEvents: new Set(), existsNoAuth: new Set(), phantomWatchReplies: new Set() };
  const steps = script.steps.map((step, index) => {
    ctx.atStep(index);
    if (step.kind === "connect") {
      generations[step.session]!++;
      labels[step.session] = sessionLabel(step.session, generations[step.session]!);
    }
    const record = transcript.steps[index];
    if (record === undefined) return ["(not run)"];
    const lines = outcomeLines(
      ctx,
      record,
      step,
      labels,
      checks.existsNoAuth.has(index),
      eitherCheckWatches.has(index),
      side,
    );
    const before: string[] = [];
    for (const e of record.events) {
      if (checks.droppedEvents.has(e)) continue;
      const text = `event to ${labels[e.session]}: ${EVENT_NAMES[e.event.type] ?? `type${e.event.type}`} ${e.event.path} state=${e.event.state}`;
      if (e.session === step.session && !e.afterReply) before.push(`${text} (before the reply)`);
      else lines.push(e.session === step.session ? `${text} (after the reply)` : text);
    }
    return [...before, ...lines];
  });
  return { steps, relations: ctx.relations() };
}
