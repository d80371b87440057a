// Which xid does a reply carry? Every request a client can send goes out raw over TCP with ordinary
// xids and with the Java client's fixed ones (-1, -2, -4, -8), and the xid and error of each frame
// the server writes back are compared with what Apache ZooKeeper 3.8 answered to the same bytes,
// recorded in test/fixtures/reply-xids/zookeeper-3.8.json. Clients other than Java's (go-zookeeper)
// number auth and setWatches like any request and hang when the reply does not carry that number.
// A few requests are also sent after the handshakes clients differ in (no readOnly byte, a null or
// empty password, pipelined behind the ConnectRequest, one byte at a time), to show that the answers
// do not depend on the Java client's habits either.
// PADDOCK_COMPAT_TARGET=zookeeper checks the recording against a live ZooKeeper;
// PADDOCK_RECORD_REPLY_XIDS=1 with that target writes the recording afresh.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Err } from "../../src/protocol/constants.js";
import { debianSkipReason } from "../support/debian.js";
import { repoRoot } from "../support/paths.js";
import { startTarget, type Target, targetKind, targetPackages } from "../support/targets.js";
import { CASES, caseBase, type RequestCase, XIDS } from "./reply-xids/cases.js";
import { type Handshake, JAVA_HANDSHAKE, type ProbeAnswer, probe } from "./reply-xids/probe.js";

const skip = debianSkipReason(targetPackages());
const recordingPath = join(repoRoot, "test", "fixtures", "reply-xids", "zookeeper-3.8.json");
const recording = process.env.PADDOCK_RECORD_REPLY_XIDS === "1";
if (recording && targetKind() !== "zookeeper")
  throw new Error(
    "PADDOCK_RECORD_REPLY_XIDS=1 records ZooKeeper's answers: set PADDOCK_COMPAT_TARGET=zookeeper",
  );

/** Far above a loopback round trip; only a request the server never answers waits this long. */
const PROBE_TIMEOUT_MS = 5_000;
/** Probes run a few at a time: each is a session of its own. */
const PARALLEL = 8;

type Answers = Record<string, ProbeAnswer>;

const key = (name: string, xid: number): string => `${name} xid=${xid}`;

/** Handshakes other than the Java client's, each followed by HANDSHAKE_CASES under xid 5. */
const HANDSHAKES: Record<string, Handshake> = {
  "no readOnly byte": { ...JAVA_HANDSHAKE, readOnly: undefined },
  "asks for read-only": { ...JAVA_HANDSHAKE, readOnly: true },
  "null password": { ...JAVA_HANDSHAKE, passwd: null },
  "empty password": { ...JAVA_HANDSHAKE, passwd: Buffer.alloc(0) },
  "pipelined behind the ConnectRequest": { ...JAVA_HANDSHAKE, pipelined: true },
  "one byte at a time": { ...JAVA_HANDSHAKE, byteByByte: true },
};
const HANDSHAKE_CASES = ["getData", "auth-digest", "setWatches", "closeSession"];

interface Probe {
  readonly key: string;
  readonly request: RequestCase;
  readonly xid: number;
  readonly handshake: Handshake;
}

const PROBES: readonly Probe[] = [
  ...CASES.flatMap((request) =>
    XIDS.map((xid) => ({ key: key(request.name, xid), request, xid, handshake: JAVA_HANDSHAKE })),
  ),
  ...Object.entries(HANDSHAKES).flatMap(([name, handshake]) =>
    CASES.filter((c) => HANDSHAKE_CASES.includes(c.name)).map((request) => ({
      key: key(`${name}: ${request.name}`, 5),
      request,
      xid: 5,
      handshake,
    })),
  ),
];

/**
 * Where Paddock answers otherwise on purpose, always with the request's xid (README, "Where Paddock
 * differs"): a top-level check gets UNIMPLEMENTED and a close, as in 3.9, where 3.8 sends nothing
 * and logs a transaction it cannot read back; deleteContainer, the server's own clean-up opcode,
 * is refused like an unknown one, where 3.8 runs it for any client without an ACL check; and sasl,
 * with no mechanism configured, fails with AUTHFAILED and a close, where 3.8 answers OK with no
 * token and so leaves a SASL client waiting for an exchange that never completes.
 */
function expectedOf(target: Target["kind"], name: string, xid: number, zookeeper: ProbeAnswer): ProbeAnswer {
  if (target !== "paddock") return zookeeper;
  const { connect } = zookeeper;
  if (name === "check" || name === "deleteContainer")
    return { connect, frames: [[xid, Err.UNIMPLEMENTED]], end: "closed" };
  if (name === "sasl") return { connect, frames: [[xid, Err.AUTHFAILED]], end: "closed" };
  return zookeeper;
}

async function probeAll(port: number): Promise<Answers> {
  const answers: Answers = {};
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < PROBES.length) {
      const { key, request, xid, handshake } = PROBES[next++]!;
      const body = request.body(caseBase(key));
      answers[key] = await probe(port, xid, request.type, body, PROBE_TIMEOUT_MS, handshake);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return answers;
}

describe("reply xids: every request, with ordinary and special xids, is answered as ZooKeeper 3.8 does", {
  skip,
}, () => {
  let target: Target | undefined;
  let answers: Answers = {};
  const recorded = recording ? {} : (JSON.parse(readFileSync(recordingPath, "utf8")) as Answers);

  before(async () => {
    // TTL nodes are off by default in ZooKeeper; the recording was made with them on.
    target = await startTarget({ extraConfig: { extendedTypesEnabled: "true" } });
    answers = await probeAll(target.port);
    if (recording) {
      // One line per probe, in probe order, so a new recording reads well as a diff.
      const lines = PROBES.map((p) => `  ${JSON.stringify(p.key)}: ${JSON.stringify(answers[p.key])}`);
      writeFileSync(recordingPath, `{\n${lines.join(",\n")}\n}\n`);
    }
  });

  after(async () => {
    await target?.stop();
  });

  /** Every probe of the group answered as ZooKeeper answered it, but for the deliberate differences. */
  const judge = (group: readonly Probe[]) => (t: { skip(message: string): void }) => {
    if (recording) {
      t.skip("recording ZooKeeper's answers");
      return;
    }
    const mismatches: string[] = [];
    for (const { key, request, xid } of group) {
      const zookeeper = recorded[key];
      assert.ok(zookeeper, `no recorded ZooKeeper answer for ${key}; record again`);
      const expected = expectedOf(target!.kind, request.name, xid, zookeeper);
      const actual = answers[key];
      if (JSON.stringify(actual) !== JSON.stringify(expected))
        mismatches.push(`${key}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    }
    assert.deepEqual(mismatches, []);
  };

  for (const c of CASES) {
    const group = PROBES.filter((p) => p.request === c && p.handshake === JAVA_HANDSHAKE);
    test(`${c.name}: each xid gets ZooKeeper's reply xid, error and close`, judge(group));
  }
  for (const [name, handshake] of Object.entries(HANDSHAKES)) {
    const group = PROBES.filter((p) => p.handshake === handshake);
    test(`after a handshake with ${name}: ZooKeeper's ConnectResponse form and replies`, judge(group));
  }
});
