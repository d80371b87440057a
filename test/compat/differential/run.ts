// Runs one script against one server and records what every session saw. Steps run one at a time;
// after each step every open session sends a ping, whose reply is a barrier: each notification the
// step caused is then already in, so an event is attributed to exactly the step that fired it and
// the transcript is the same from run to run. Nothing is interpreted here; normalise.ts does that.
// A detached slot keeps its session's id, password and last zxid for the step that resumes it; an
// expiring slot is left unpinged until a probe sees the server has removed its ephemerals.

import { CreateFlag, Err, OpCode, Perms } from "../../../src/protocol/constants.js";
import type { WatcherEvent } from "../../../src/protocol/events.js";
import { JuteDecodeError } from "../../../src/protocol/jute.js";
import type { Request } from "../../../src/protocol/requests.js";
import {
  decodeResponseBody,
  type Response,
  type ResponseRecordName,
} from "../../../src/protocol/responses.js";
import { type Outcome, RawSession } from "./raw-session.js";
import { type Reconnect, type Script, SESSION_TIMEOUT_MS } from "./script.js";

export interface Connected {
  readonly kind: "connect";
  readonly sessionId: bigint;
  readonly timeOut: number;
}

export interface Replied {
  readonly kind: "reply";
  /** The xid the request went out under, and the one its reply came back under. */
  readonly sentXid: number;
  readonly xid: number;
  readonly err: number;
  readonly zxid: bigint;
  readonly body: Response | null;
  /** Bytes after the record we expected, or why the body did not decode. */
  readonly malformed: string | null;
}

export interface Lost {
  readonly kind: "lost";
  readonly why: "closed" | "timeout";
}

export interface Notified {
  readonly kind: "event";
  readonly session: number;
  readonly event: WatcherEvent;
  readonly zxid: bigint;
  /** For the acting session: whether the event came after the step's own reply. */
  readonly afterReply: boolean;
}

export interface Reconnected {
  readonly kind: "reconnect";
  readonly sessionId: bigint;
  readonly timeOut: number;
  /** The answers to the auth packets sent again, then to setWatches. */
  readonly auth: readonly (Replied | Lost)[];
  readonly setWatches: Replied | Lost;
}

export interface Expired {
  readonly kind: "expire";
  /** Whether the session's probe ephemeral was gone within EXPIRY_WAIT_MS, or why there was none. */
  readonly expired: boolean | string;
  /** Whether the server had also closed the session's socket by then. */
  readonly closedByServer: boolean;
}

export interface StepRecord {
  readonly outcome:
    | Connected
    | Replied
    | Lost
    | Reconnected
    | Expired
    | { readonly kind: "disconnect" }
    | { readonly kind: "connect-failed"; readonly why: string };
  readonly events: readonly Notified[];
}

export interface Transcript {
  readonly steps: readonly StepRecord[];
}

const REPLY_TIMEOUT_MS = 5_000;
/**
 * ZooKeeper expires a session in the first tick bucket after its timeout (4 s here, buckets of
 * tickTime 2 s), so it is gone within 6 s of its last ping; the rest is room for a loaded machine.
 */
const EXPIRY_WAIT_MS = 15_000;
/** How often the probe asks whether the expiring session's ephemeral is gone yet. */
const EXPIRY_POLL_MS = 250;
/** After the expiry is applied, how long the server may take to close the session's socket. */
const CLOSE_WAIT_MS = 2_000;

interface DetachedSession {
  readonly sessionId: bigint;
  readonly passwd: Buffer;
  readonly lastZxidSeen: bigint;
  readonly timeOut: number;
}

/** The record each request's success reply carries; null for replies with no body. */
export function responseRecord(type: number): ResponseRecordName | null {
  switch (type) {
    case OpCode.create:
      return "CreateResponse";
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      return "Create2Response";
    case OpCode.exists:
      return "ExistsResponse";
    case OpCode.getData:
      return "GetDataResponse";
    case OpCode.setData:
      return "SetDataResponse";
    case OpCode.getACL:
      return "GetACLResponse";
    case OpCode.setACL:
      return "SetACLResponse";
    case OpCode.getChildren:
      return "GetChildrenResponse";
    case OpCode.getChildren2:
      return "GetChildren2Response";
    case OpCode.sync:
      return "SyncResponse";
    case OpCode.multi:
    case OpCode.multiRead:
      return "MultiResponse";
    case OpCode.addWatch:
      return "ErrorResponse";
    case OpCode.getEphemerals:
      return "GetEphemeralsResponse";
    case OpCode.getAllChildrenNumber:
      return "GetAllChildrenNumberResponse";
    case OpCode.whoAmI:
      return "WhoAmIResponse";
    default:
      return null;
  }
}

function toRecord(outcome: Outcome, request: Request | null, sentXid: number): Replied | Lost {
  if ("lost" in outcome) return { kind: "lost", why: outcome.lost };
  const { header, body } = outcome.reply;
  const record = request === null || header.err !== 0 ? null : responseRecord(request.type);
  let decoded: Response | null = null;
  let malformed: string | null = null;
  try {
    if (record !== null) decoded = decodeResponseBody(record, body);
    if (body.remaining > 0) malformed = `${body.remaining} trailing bytes`;
  } catch (error) {
    if (!(error instanceof JuteDecodeError)) throw error;
    malformed = error.message;
  }
  return {
    kind: "reply",
    sentXid,
    xid: header.xid,
    err: header.err,
    zxid: header.zxid,
    body: decoded,
    malformed,
  };
}

/** Resumes a detached session, sends its credentials again and re-registers the step's watches. */
async function resumeSession(
  port: number,
  detached: DetachedSession,
  step: Reconnect,
  zxidAfterStep: readonly bigint[],
): Promise<{ session: RawSession; outcome: Reconnected; eventsBefore: number }> {
  const session = await RawSession.resume(port, detached, detached.timeOut, REPLY_TIMEOUT_MS);
  const auth: (Replied | Lost)[] = [];
  for (const [i, credential] of step.credentials.entries()) {
    const xid = step.authXids[i]!;
    auth.push(toRecord(await session.auth("digest", credential, xid), null, xid));
  }
  const relativeZxid =
    step.relative.kind === "last"
      ? detached.lastZxidSeen
      : step.relative.kind === "zero"
        ? 0n
        : (zxidAfterStep[step.relative.step] ?? 0n);
  const lists = {
    relativeZxid,
    dataWatches: step.dataWatches,
    existWatches: step.existWatches,
    childWatches: step.childWatches,
  };
  const sent = await session.send(
    step.opcode === OpCode.setWatches2
      ? {
          type: OpCode.setWatches2,
          ...lists,
          persistentWatches: step.persistentWatches,
          persistentRecursiveWatches: step.persistentRecursiveWatches,
        }
      : { type: OpCode.setWatches, ...lists },
    step.setWatchesXid,
  );
  return {
    session,
    outcome: {
      kind: "reconnect",
      sessionId: session.sessionId,
      timeOut: session.timeOut,
      auth,
      setWatches: toRecord(sent, null, step.setWatchesXid),
    },
    eventsBefore: "reply" in sent ? sent.reply.eventsBefore : 0,
  };
}

/**
 * Waits until an unpinged session has been expired, seen through an ephemeral it owns. The socket
 * closing is no evidence: ZooKeeper's connection expirer may close it before the session tracker has
 * even queued the closeSession. The node vanishing is: all the session's ephemerals go in that one
 * transaction, whose watch events are then queued ahead of any later ping's reply.
 */
async function expire(port: number, session: RawSession, probePath: string): Promise<Expired> {
  const created = await session.send({
    type: OpCode.create,
    path: probePath,
    data: null,
    acl: [{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }],
    flags: CreateFlag.EPHEMERAL,
  });
  if (!("reply" in created) || created.reply.header.err !== 0) {
    return { kind: "expire", expired: "no probe ephemeral", closedByServer: session.isClosed };
  }
  const probe = await RawSession.open(port, SESSION_TIMEOUT_MS, REPLY_TIMEOUT_MS);
  let expired = false;
  try {
    for (let polls = Math.ceil(EXPIRY_WAIT_MS / EXPIRY_POLL_MS); polls > 0 && !expired; polls--) {
      const answer = await probe.send({ type: OpCode.exists, path: probePath, watch: false });
      expired = "reply" in answer && answer.reply.header.err === Err.NONODE;
      if (!expired) await new Promise((resolve) => setTimeout(resolve, EXPIRY_POLL_MS));
    }
  } finally {
    await probe.send({ type: OpCode.closeSession });
    probe.destroy();
  }
  const closedByServer = await session.closedWithin(expired ? CLOSE_WAIT_MS : 0);
  return { kind: "expire", expired, closedByServer };
}

export async function runScript(script: Script, port: number): Promise<Transcript> {
  const sessions: (RawSession | undefined)[] = new Array(script.sessions).fill(undefined);
  const detached: (DetachedSession | undefined)[] = new Array(script.sessions).fill(undefined);
  // The highest zxid any of this script's sessions had seen when each step ended: a relative zxid
  // "as of step k" that means the same on both servers, whatever other scripts did meanwhile.
  const zxidAfterStep: bigint[] = [];
  let highestZxid = 0n;
  const steps: StepRecord[] = [];
  try {
    for (const step of script.steps) {
      let outcome: StepRecord["outcome"];
      let eventsBefore = 0;
      const session = sessions[step.session];
      if (step.kind === "connect") {
        session?.destroy();
        detached[step.session] = undefined;
        try {
          const opened = await RawSession.open(port, step.timeOutMs, REPLY_TIMEOUT_MS);
          sessions[step.session] = opened;
          outcome = { kind: "connect", sessionId: opened.sessionId, timeOut: opened.timeOut };
        } catch (error) {
          sessions[step.session] = undefined;
          outcome = { kind: "connect-failed", why: (error as Error).message };
        }
      } else if (step.kind === "disconnect") {
        if (session !== undefined) {
          detached[step.session] = session;
          session.destroy();
          sessions[step.session] = undefined;
        }
        outcome = { kind: "disconnect" };
      } else if (step.kind === "reconnect") {
        const previous = detached[step.session];
        detached[step.session] = undefined;
        if (previous === undefined) outcome = { kind: "connect-failed", why: "no detached session" };
        else {
          try {
            const resumed = await resumeSession(port, previous, step, zxidAfterStep);
            sessions[step.session] = resumed.session;
            outcome = resumed.outcome;
            eventsBefore = resumed.eventsBefore;
          } catch (error) {
            outcome = { kind: "connect-failed", why: (error as Error).message };
          }
        }
      } else if (step.kind === "expire") {
        // Outside the script's root, so nothing in the script can see it; under "/" so that no
        // getEphemerals prefix a script uses other than "/" matches it, and the session asks none later.
        const probePath = `/expiry-probe${script.root.replaceAll("/", "-")}`;
        outcome =
          session === undefined
            ? { kind: "expire", expired: "no session", closedByServer: false }
            : await expire(port, session, probePath);
        // Events the server wrote to the expiring connection just before closing it may or may
        // not be flushed (ZooKeeper closes without draining), so they are not part of the record.
        session?.takeEvents();
        session?.destroy();
        sessions[step.session] = undefined;
      } else if (session === undefined) {
        outcome = { kind: "lost", why: "closed" };
      } else {
        const sent =
          step.kind === "auth"
            ? await session.auth(step.scheme, step.credential, step.xid)
            : await session.send(step.request, step.xid);
        if ("reply" in sent) eventsBefore = sent.reply.eventsBefore;
        outcome = toRecord(sent, step.kind === "auth" ? null : step.request, step.xid);
      }
      await Promise.all(sessions.map((s) => s?.ping()));
      const events: Notified[] = [];
      sessions.forEach((s, index) => {
        if (s !== undefined && s.lastZxidSeen > highestZxid) highestZxid = s.lastZxidSeen;
        const arrived = s?.takeEvents() ?? [];
        arrived.forEach((a, i) => {
          const afterReply = index === step.session && step.kind !== "connect" && i >= eventsBefore;
          events.push({ kind: "event", session: index, event: a.event, zxid: a.zxid, afterReply });
        });
      });
      zxidAfterStep.push(highestZxid);
      steps.push({ outcome, events });
    }
  } finally {
    // Close the sessions properly so their ephemerals and watches do not leak into later scripts;
    // a detached one is resumed first, since closeSession needs a connection.
    await Promise.all(
      sessions.map(async (s, index) => {
        let open = s;
        const previous = detached[index];
        if (open === undefined && previous !== undefined) {
          open = await RawSession.resume(port, previous, previous.timeOut, REPLY_TIMEOUT_MS).catch(
            () => undefined,
          );
        }
        if (open === undefined || open.isClosed) return;
        await open.send({ type: OpCode.closeSession });
        open.destroy();
      }),
    );
  }
  return { steps };
}
