// The znodes every workload works on, and the step that creates them. Everything lives under
// /bench so a run against a shared server touches nothing else; populating is pipelined deeply
// over a few sessions so that a million znodes take seconds, not minutes.

import { CreateFlag, Err, OpCode } from "../src/protocol/constants.js";
import { OPEN_ACL_UNSAFE } from "../src/protocol/data.js";
import { BenchSession, requestTemplate } from "./session.js";

export const ROOT = "/bench";
export const KEYS = `${ROOT}/k`;
export const WIDE = `${ROOT}/wide`;
export const WATCHED = `${ROOT}/watch`;
export const CHURN = `${ROOT}/churn`;
export const CREATE_DELETE = `${ROOT}/cd`;

export interface Address {
  host: string;
  port: number;
}

export function keyPath(index: number): string {
  return `${KEYS}/k${String(index).padStart(7, "0")}`;
}

export function createTemplate(
  path: string,
  data: Buffer | null,
  flags: number = CreateFlag.PERSISTENT,
): Buffer {
  return requestTemplate({ type: OpCode.create, path, data, acl: OPEN_ACL_UNSAFE, flags });
}

export interface PumpResult {
  errors: number;
  firstError: string | undefined;
}

/**
 * Sends `count` requests, `templateOf(i)` for i in [0, count), over `sessionCount` new sessions with
 * at most `depth` in flight on each, and waits for every reply. Errors in `tolerated` are not counted.
 */
export async function pump(
  address: Address,
  sessionCount: number,
  depth: number,
  count: number,
  templateOf: (index: number) => Buffer,
  tolerated: readonly number[] = [],
): Promise<PumpResult> {
  const sessions = await Promise.all(
    Array.from({ length: Math.max(1, Math.min(sessionCount, count)) }, () =>
      BenchSession.open(address.host, address.port),
    ),
  );
  let next = 0;
  let finished = 0;
  const result: PumpResult = { errors: 0, firstError: undefined };
  await new Promise<void>((resolve, reject) => {
    if (count === 0) resolve();
    for (const session of sessions) {
      session.onReply = (_tag, err) => {
        if (err !== 0 && !tolerated.includes(err)) {
          result.errors++;
          result.firstError ??= `error ${err}`;
        }
        finished++;
        if (next < count) session.send(templateOf(next++), 0);
        else if (finished === count) resolve();
      };
      session.onLost = reject;
      for (let i = 0; i < depth && next < count; i++) session.send(templateOf(next++), 0);
    }
  });
  await Promise.all(sessions.map((session) => session.close()));
  return result;
}

export interface KeySpace {
  keys: number;
  valueBytes: number;
  width: number;
}

/** Creates the key space, the wide node's children and the fixed nodes; existing nodes are kept. */
export async function populate(address: Address, space: KeySpace): Promise<PumpResult> {
  const value = Buffer.alloc(space.valueBytes, 0x61);
  const fixed = [ROOT, KEYS, WIDE, WATCHED, CHURN, CREATE_DELETE];
  const first = await pump(address, 1, 1, fixed.length, (i) => createTemplate(fixed[i]!, value), [
    Err.NODEEXISTS,
  ]);
  if (first.errors > 0) return first;
  const keys = await pump(address, 4, 256, space.keys, (i) => createTemplate(keyPath(i), value), [
    Err.NODEEXISTS,
  ]);
  if (keys.errors > 0) return keys;
  return pump(
    address,
    2,
    256,
    space.width,
    (i) => createTemplate(`${WIDE}/c${String(i).padStart(6, "0")}`, null),
    [Err.NODEEXISTS],
  );
}
