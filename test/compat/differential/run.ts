// Runs one script against one server and records what every session saw. Steps run one at a time;
// after each step every open session sends a ping, whose reply is a barrier: each notification the
// step caused is then already in, so an event is attributed to exactly the step that fired it and
// the transcript is the same from run to run. Nothing is interpreted here; normalise.ts does that.

import { OpCode } from "../../../src/protocol/constants.js";
import type { WatcherEvent } from "../../../src/protocol/events.js";
import { JuteDecodeError } from "../../../src/protocol/jute.js";
import type { Request } from "../../../src/protocol/requests.js";
import {
  decodeResponseBody,
  type Response,
  type ResponseRecordName,
} from "../../../src/protocol/responses.js";
import { type Outcome, RawSession } from "./raw-session.js";
import type { Script } from "./script.js";

export interface Connected {
  readonly kind: "connect";
  readonly sessionId: bigint;
  readonly timeOut: number;
}

export interface Replied {
  readonly kind: "reply";
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

export interface StepRecord {
  readonly outcome: Connected | Replied | Lost | { readonly kind: "connect-failed"; readonly why: string };
  readonly events: readonly Notified[];
}

export interface Transcript {
  readonly steps: readonly StepRecord[];
}

const SESSION_TIMEOUT_MS = 30_000;
const REPLY_TIMEOUT_MS = 5_000;

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

function toRecord(outcome: Outcome, request: Request | null): Replied | Lost {
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
  return { kind: "reply", err: header.err, zxid: header.zxid, body: decoded, malformed };
}

export async function runScript(script: Script, port: number): Promise<Transcript> {
  const sessions: (RawSession | undefined)[] = new Array(script.sessions).fill(undefined);
  const steps: StepRecord[] = [];
  try {
    for (const step of script.steps) {
      let outcome: StepRecord["outcome"];
      let eventsBefore = 0;
      const session = sessions[step.session];
      if (step.kind === "connect") {
        session?.destroy();
        try {
          const opened = await RawSession.open(port, SESSION_TIMEOUT_MS, REPLY_TIMEOUT_MS);
          sessions[step.session] = opened;
          outcome = { kind: "connect", sessionId: opened.sessionId, timeOut: opened.timeOut };
        } catch (error) {
          sessions[step.session] = undefined;
          outcome = { kind: "connect-failed", why: (error as Error).message };
        }
      } else if (session === undefined) {
        outcome = { kind: "lost", why: "closed" };
      } else {
        const sent =
          step.kind === "auth"
            ? await session.auth(step.scheme, step.credential)
            : await session.send(step.request);
        if ("reply" in sent) eventsBefore = sent.reply.eventsBefore;
        outcome = toRecord(sent, step.kind === "auth" ? null : step.request);
      }
      await Promise.all(sessions.map((s) => s?.ping()));
      const events: Notified[] = [];
      sessions.forEach((s, index) => {
        const arrived = s?.takeEvents() ?? [];
        arrived.forEach((a, i) => {
          const afterReply = index === step.session && step.kind !== "connect" && i >= eventsBefore;
          events.push({ kind: "event", session: index, event: a.event, zxid: a.zxid, afterReply });
        });
      });
      steps.push({ outcome, events });
    }
  } finally {
    // Close the sessions properly so their ephemerals and watches do not leak into later scripts.
    await Promise.all(
      sessions.map(async (s) => {
        if (s === undefined || s.isClosed) return;
        await s.send({ type: OpCode.closeSession });
        s.destroy();
      }),
    );
  }
  return { steps };
}
