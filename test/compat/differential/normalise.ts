// Turns a transcript into lines that can be compared across servers: values that legitimately
// differ between two runs (session ids, zxids, times) are replaced by their relations, and the
// differences where Paddock follows ZooKeeper 3.9 on purpose are normalised away. The reference
// server is ZooKeeper 3.8.0 (Debian), and these are the intended 3.9 differences handled here:
//
// 1. Notification zxid: 3.9 sends the zxid of the transaction that fired the watch, 3.8 sends -1
//    (ZOOKEEPER-4655). Notification zxids are not compared at all.
// 2. create2 inside multi: 3.9 answers sub-result type 15 with a Stat, 3.8.0 answers type 1 with
//    the path only (ZOOKEEPER-4026). A type-15 result to a create2 sub-op (or to a createContainer
//    sub-op with non-container flags, which 3.8.0 also decays to create) is shown as type 1. Such a
//    sub-op with ephemeral flags makes an ephemeral in 3.8.0 and a container in 3.9, so the
//    generator never sends one.
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
//
// Notes that are not differences but shape the rules above:
// - Catch-up events from setWatches (DataTree.setWatches) go out through ServerCnxn.process(event),
//    which checks READ against a null ACL and so always delivers: difference 4 never drops them.
// - A session logged in with the super digest passes every ACL check (ZooKeeperServer.checkACL), so
//    3.9 neither drops its events nor refuses its exists; creator-all expands only to its digest id,
//    since fixupACL skips the "super" id, which has no authentication provider.
// - Auth belongs to the connection: a resumed session has only what it sends again.
// - Several scripts share each server, so a reply that reports the server's last zxid rather than a
//    transaction of its own (reads, pings, setWatches) may carry another script's zxid. Such a zxid
//    is shown as the latest zxid of this script at or below it: the same relation on both servers.

import { errorName, OpCode, Perms } from "../../../src/protocol/constants.js";
import type { ACL, Stat } from "../../../src/protocol/data.js";
import type { MultiOp, Request } from "../../../src/protocol/requests.js";
import type { MultiResult, Response } from "../../../src/protocol/responses.js";
import type { Lost, Notified, Replied, StepRecord, Transcript } from "./run.js";
import { digestId, type Script, type Step, SUPER_DIGEST } from "./script.js";

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

  /** `own`: this script's transaction zxids in ascending order (see ownZxids). */
  constructor(private readonly own: readonly bigint[]) {}

  /** The label of the latest own zxid at or below `value`, for replies that report the server's last zxid. */
  lastOwn(value: bigint): string {
    let low = 0;
    let high = this.own.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.own[mid]! <= value) low = mid + 1;
      else high = mid;
    }
    return this.zxid(low === 0 ? value : this.own[low - 1]!);
  }

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

/**
 * ZooKeeper keeps a connection's auth ids in a ConcurrentHashMap key set (ServerCnxn.authInfo), so
 * an "auth" ACL expands to the session's digests in hash order: adjacent digest entries are
 * compared as a set. The one explicit list with two digests (alice-read+bob-admin) is in that order.
 */
function aclText(acl: readonly ACL[] | null): string {
  if (acl === null) return "null";
  const texts = acl.map((a) => `${a.perms} ${a.id.scheme}:${a.id.id}`);
  for (let start = 0; start < acl.length; ) {
    let end = start;
    while (end < acl.length && acl[end]!.id.scheme === "digest") end++;
    if (end > start + 1) texts.splice(start, end - start, ...texts.slice(start, end).sort());
    start = Math.max(end, start + 1);
  }
  return `[${texts.join(", ")}]`;
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
  const superUser = new Array<boolean>(script.sessions).fill(false);
  const dropped = new Set<Notified>();
  const existsNoAuth = new Set<number>();
  // Data watches 3.8.0 set on an exists that 3.9 refuses; their first event would not exist in 3.9.
  const phantoms: Set<string>[] = Array.from({ length: script.sessions }, () => new Set<string>());
  // Paths where a session may already hold a real data watch (from setWatches): an exists that 3.9
  // refuses then adds nothing to it in 3.8 either, so its later event is no phantom's.
  const realDataWatches: Set<string>[] = Array.from({ length: script.sessions }, () => new Set<string>());
  const phantomWatchReplies = new Set<number>();
  const expand = (acl: readonly ACL[] | null, slot: number): ACL[] =>
    (acl ?? []).flatMap((a) =>
      a.id.scheme === "auth"
        ? [...logins[slot]!].map((id) => ({ perms: a.perms, id: { scheme: "digest", id } }))
        : [a],
    );
  const login = (slot: number, credential: string): void => {
    const id = digestId(credential);
    logins[slot]!.add(id);
    if (id === SUPER_DIGEST) superUser[slot] = true;
  };
  const readable = (slot: number, path: string): boolean => {
    if (superUser[slot]) return true;
    const acl = acls.get(path);
    if (acl === undefined || acl.length === 0) return true;
    return acl.some((a) => (a.perms & Perms.READ) !== 0 && idMatches(a.id.scheme, a.id.id, logins[slot]!));
  };
  script.steps.forEach((step, index) => {
    const record = transcript.steps[index];
    if (record === undefined) return;
    const ok = record.outcome.kind === "reply" && record.outcome.err === 0;
    if (step.kind === "connect" || step.kind === "reconnect") {
      logins[step.session] = new Set();
      superUser[step.session] = false;
    }
    // A watch belongs to the connection, so a lost or new connection takes the phantoms with it.
    if (step.kind === "connect" || step.kind === "reconnect" || step.kind === "disconnect") {
      phantoms[step.session]!.clear();
      realDataWatches[step.session]!.clear();
    }
    if (step.kind === "reconnect")
      for (const path of [...step.dataWatches, ...step.existWatches])
        realDataWatches[step.session]!.add(path);
    if (step.kind === "reconnect" && record.outcome.kind === "reconnect") {
      const answers = record.outcome.auth;
      step.credentials.forEach((credential, i) => {
        const answer = answers[i];
        if (answer?.kind === "reply" && answer.err === 0) login(step.session, credential);
      });
    }
    if (step.kind === "auth" && ok) login(step.session, step.credential);
    if (step.kind === "request" && ok && record.outcome.kind === "reply") {
      const { request } = step;
      const body = record.outcome.body;
      if (request.type === OpCode.exists && !readable(step.session, request.path)) {
        existsNoAuth.add(index);
        if (request.watch && !realDataWatches[step.session]!.has(request.path))
          phantoms[step.session]!.add(request.path);
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
    if (step.kind === "request" && step.request.type === OpCode.removeWatches && ok)
      realDataWatches[step.session]!.delete(step.request.path);
    for (const e of record.events) {
      if (e.event.type !== 4) realDataWatches[e.session]!.delete(e.event.path);
      // Catch-up events from setWatches are never filtered (see the notes at the top).
      if (step.kind === "reconnect") continue;
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

/** Requests that are transactions of their own: their reply carries their zxid, not the server's last. */
const TRANSACTIONS: ReadonlySet<number> = new Set([
  OpCode.create,
  OpCode.create2,
  OpCode.createContainer,
  OpCode.createTTL,
  OpCode.delete,
  OpCode.setData,
  OpCode.setACL,
  OpCode.multi,
  OpCode.closeSession,
]);

function statsOf(body: Response): Stat[] {
  switch (body.record) {
    case "Create2Response":
    case "ExistsResponse":
    case "SetDataResponse":
    case "SetACLResponse":
    case "GetDataResponse":
    case "GetACLResponse":
    case "GetChildren2Response":
      return [body.stat];
    case "MultiResponse":
      return body.results.flatMap((r) => ("stat" in r ? [r.stat] : []));
    default:
      return [];
  }
}

/**
 * The zxids of this script's own transactions: the replies to its writes and every zxid in a Stat it
 * was shown (which also catches transactions it did not send, such as an expiry's closeSession).
 */
function ownZxids(script: Script, transcript: Transcript): bigint[] {
  const own = new Set<bigint>();
  script.steps.forEach((step, index) => {
    const o = transcript.steps[index]?.outcome;
    if (o?.kind !== "reply") return;
    if (step.kind === "request" && TRANSACTIONS.has(step.request.type)) own.add(o.zxid);
    if (o.body === null) return;
    for (const stat of statsOf(o.body)) for (const z of [stat.czxid, stat.mzxid, stat.pzxid]) own.add(z);
  });
  return [...own].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Empty when the reply came back under its request's xid, as every reply but a ping's does. */
function xidNote(o: Replied): string {
  return o.xid === o.sentXid ? "" : ` UNDER XID ${o.xid} (sent ${o.sentXid})`;
}

function replyLine(ctx: Context, o: Replied | Lost, what: string): string {
  if (o.kind === "lost") return `${what}: no reply: connection ${o.why}`;
  return `${what} ${errText(o.err)} zxid=${ctx.lastOwn(o.zxid)}${o.malformed === null ? "" : ` MALFORMED(${o.malformed})`}${xidNote(o)}`;
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
    case "disconnect":
      return [`${labels[step.session]} drops its connection`];
    case "reconnect": {
      const lines = [`${labels[step.session]} resumed as ${ctx.owner(o.sessionId)} timeOut=${o.timeOut}`];
      for (const [i, a] of o.auth.entries()) lines.push(replyLine(ctx, a, `auth #${i}`));
      lines.push(replyLine(ctx, o.setWatches, "setWatches"));
      return lines;
    }
    case "expire": {
      const label = labels[step.session];
      if (typeof o.expired === "string") return [`${label} could not be expired: ${o.expired}`];
      if (!o.expired) return [`${label} was not expired when the wait for it ended`];
      return [
        `the server expired ${label}${o.closedByServer ? " and closed its connection" : ", connection left open"}`,
      ];
    }
    case "lost":
      return [`no reply: connection ${o.why}`];
    case "reply": {
      const request = step.kind === "request" ? step.request : null;
      const transaction = request !== null && TRANSACTIONS.has(request.type);
      const zxid = transaction ? ctx.zxid(o.zxid) : ctx.lastOwn(o.zxid);
      const xid = xidNote(o);
      if (existsNoAuth) return [`NOAUTH zxid=${zxid}${xid}`];
      if (checkWatchesEither && (o.err === 0 || o.err === -121))
        return [`OK or NOWATCHER zxid=${zxid}${xid}`];
      if (side === "zookeeper" && request !== null && undecodableIn39(request) && o.err === 0)
        return [`MARSHALLINGERROR zxid=${zxid}${xid}`];
      let line = `${errText(o.err)} zxid=${zxid}`;
      if (o.body !== null) line += ` ${bodyText(ctx, o.body, request)}`;
      if (o.malformed !== null) line += ` MALFORMED(${o.malformed})`;
      return [line + xid];
    }
  }
}

function endsSession(step: Step): boolean {
  return step.kind === "expire" || (step.kind === "request" && step.request.type === OpCode.closeSession);
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
  const ctx = new Context(ownZxids(script, transcript));
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
    const after: string[] = [];
    for (const e of record.events) {
      if (checks.droppedEvents.has(e)) continue;
      const text = `event to ${labels[e.session]}: ${EVENT_NAMES[e.event.type] ?? `type${e.event.type}`} ${e.event.path} state=${e.event.state}`;
      if (e.session === step.session && !e.afterReply) before.push(`${text} (before the reply)`);
      else after.push(e.session === step.session ? `${text} (after the reply)` : text);
    }
    // ZooKeeper deletes a closing session's ephemerals in the iteration order of a java.util.HashSet
    // (PrepRequestProcessor closeSession, DataTree.killSession): no order a client may rely on, so
    // the events of a session's end are compared as a set.
    if (endsSession(step)) {
      before.sort();
      after.sort();
    }
    return [...before, ...lines, ...after];
  });
  return { steps, relations: ctx.relations() };
}
