// Which xid does a reply carry? Every request a client can send goes out raw over TCP with ordinary
// xids and with the Java client's fixed ones (-1, -2, -4, -8), and the xid and error of each frame
// the server writes back are compared with what Apache ZooKeeper 3.8 answered to the same bytes,
// recorded in test/fixtures/reply-xids/zookeeper-3.8.json. Clients other than Java's (go-zookeeper)
// number auth and setWatches like any request and hang when the reply does not carry that number.
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
import { CASES, caseBase, XIDS } from "./reply-xids/cases.js";
import { type ProbeAnswer, probe } from "./reply-xids/probe.js";

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
  if (name === "check" || name === "deleteContainer")
    return { frames: [[xid, Err.UNIMPLEMENTED]], end: "closed" };
  if (name === "sasl") return { frames: [[xid, Err.AUTHFAILED]], end: "closed" };
  return zookeeper;
}

async function probeAll(port: number): Promise<Answers> {
  const work = CASES.flatMap((c) => XIDS.map((xid) => ({ c, xid })));
  const answers: Answers = {};
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < work.length) {
      const { c, xid } = work[next++]!;
      answers[key(c.name, xid)] = await probe(
        port,
        xid,
        c.type,
        c.body(caseBase(c.name, xid)),
        PROBE_TIMEOUT_MS,
      );
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
      // One line per probe, in case order, so a new recording reads well as a diff.
      const lines = CASES.flatMap((c) =>
        XIDS.map(
          (xid) => `  ${JSON.stringify(key(c.name, xid))}: ${JSON.stringify(answers[key(c.name, xid)])}`,
        ),
      );
      writeFileSync(recordingPath, `{\n${lines.join(",\n")}\n}\n`);
    }
  });

  after(async () => {
    await target?.stop();
  });

  for (const c of CASES) {
    test(`${c.name}: each xid gets ZooKeeper's reply xid, error and close`, (t) => {
      if (recording) {
        t.skip("recording ZooKeeper's answers");
        return;
      }
      const kind = target!.kind;
      const mismatches: string[] = [];
      for (const xid of XIDS) {
        const zookeeper = recorded[key(c.name, xid)];
        assert.ok(zookeeper, `no recorded ZooKeeper answer for ${key(c.name, xid)}; record again`);
        const expected = expectedOf(kind, c.name, xid, zookeeper);
        const actual = answers[key(c.name, xid)];
        if (JSON.stringify(actual) !== JSON.stringify(expected))
          mismatches.push(`xid ${xid}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
      }
      assert.deepEqual(mismatches, []);
    });
  }
});
