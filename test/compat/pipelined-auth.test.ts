// An auth packet pipelined behind other requests applies to the requests after it, not to those
// before it, even when those are still waiting behind a write: ZooKeeper stamps each request with
// the connection's identities when it arrives. The Java client and go-zookeeper send credentials
// first thing on a connection and so never show the difference; a client that pipelines does.
// Raw frames over TCP against the chosen target (PADDOCK_COMPAT_TARGET=zookeeper checks the test).

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Err, OpCode } from "../../src/protocol/constants.js";
import { decodeResponseBody } from "../../src/protocol/responses.js";
import { debianSkipReason } from "../support/debian.js";
import { startTarget, type Target, targetPackages } from "../support/targets.js";
import { type Outcome, RawSession } from "./differential/raw-session.js";
import { digestId } from "./differential/script.js";

const skip = debianSkipReason(targetPackages());
const REPLY_TIMEOUT_MS = 10_000;
const open = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];

function err(outcome: Outcome): number | string {
  return "reply" in outcome ? outcome.reply.header.err : outcome.lost;
}

describe("auth pipelined behind other requests", { skip }, () => {
  let target: Target | undefined;

  before(async () => {
    target = await startTarget();
  });

  after(async () => {
    await target?.stop();
  });

  test("a read sent before the auth is judged without it, one sent after with it", async () => {
    const owner = await RawSession.open(target!.port, 30_000, REPLY_TIMEOUT_MS);
    assert.equal(err(await owner.auth("digest", "alice:secret", 1)), 0);
    const acl = [{ perms: 31, id: { scheme: "digest", id: digestId("alice:secret") } }];
    const made = await Promise.all([
      owner.send({ type: OpCode.create, path: "/pipelined-secret", data: null, acl, flags: 0 }),
      owner.send({ type: OpCode.create, path: "/pipelined-open", data: null, acl: open, flags: 0 }),
    ]);
    assert.deepEqual(made.map(err), [0, 0]);

    const client = await RawSession.open(target!.port, 30_000, REPLY_TIMEOUT_MS);
    // All in one go: the write keeps the first read waiting until after the auth has arrived.
    const [write, readBefore, auth, readAfter, who] = await Promise.all([
      client.send({ type: OpCode.setData, path: "/pipelined-open", data: null, version: -1 }, 10),
      client.send({ type: OpCode.getData, path: "/pipelined-secret", watch: false }, 11),
      client.auth("digest", "alice:secret", 12),
      client.send({ type: OpCode.getData, path: "/pipelined-secret", watch: false }, 13),
      client.send({ type: OpCode.whoAmI }, 14),
    ]);
    assert.deepEqual([write, readBefore, auth, readAfter].map(err), [0, Err.NOAUTH, 0, 0]);
    assert.ok("reply" in who);
    const users = decodeResponseBody("WhoAmIResponse", who.reply.body).clientInfo?.map((c) => c.user);
    assert.ok(users?.includes("alice"), `whoAmI after the auth lists alice: ${users}`);
    for (const session of [owner, client]) {
      await session.send({ type: OpCode.closeSession });
      session.destroy();
    }
  });
});
