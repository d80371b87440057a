// Proves apply checks the session as ZooKeeper's prep stage does (sessionTracker.checkSession): every
// client write from a session that is not live fails with SESSIONEXPIRED at the point ZooKeeper checks
// it, a multi fails at its first op, and session entries and the server's clean-up are exempt.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CreateFlag, Err } from "../../../src/protocol/constants.js";
import { Harness } from "./harness.js";

const err = Harness.err;
const DEAD = { session: 99n };

describe("writes need a live session", () => {
  test("create, delete, setData and setACL from an unknown session are SESSIONEXPIRED", () => {
    const h = new Harness();
    h.create("/a");
    assert.equal(err(h.create("/b", DEAD)), Err.SESSIONEXPIRED);
    assert.equal(err(h.delete("/a", -1, DEAD)), Err.SESSIONEXPIRED);
    assert.equal(err(h.setData("/a", null, -1, DEAD)), Err.SESSIONEXPIRED);
    assert.equal(err(h.setACL("/a", null, -1, DEAD)), Err.SESSIONEXPIRED);
    assert.equal(h.m.statOf("/b"), undefined);
  });

  test("the session is checked first, except that create validates its mode and TTL before it", () => {
    const h = new Harness();
    assert.equal(err(h.delete("/", -1, DEAD)), Err.SESSIONEXPIRED);
    assert.equal(err(h.setData("bad", null, -1, DEAD)), Err.SESSIONEXPIRED);
    assert.equal(err(h.create("/x", { ...DEAD, flags: 9 })), Err.BADARGUMENTS);
    assert.equal(
      err(h.create("/x", { ...DEAD, opcode: 21, flags: CreateFlag.PERSISTENT_WITH_TTL, ttl: 5n })),
      Err.UNIMPLEMENTED,
    );
    assert.equal(err(h.create("missing-slash", DEAD)), Err.SESSIONEXPIRED);
  });

  test("a multi from a dead session fails at its first op, check included", () => {
    const h = new Harness();
    const o = h.apply(
      {
        kind: "multi",
        ops: [
          { type: 13, path: "/", version: -1 },
          { type: 2, path: "/a", version: -1 },
        ],
      },
      DEAD,
    );
    assert.deepEqual(o.result, {
      err: 0,
      kind: "multi",
      results: [
        { type: -1, err: Err.SESSIONEXPIRED },
        { type: -1, err: Err.RUNTIMEINCONSISTENCY },
      ],
    });
  });

  test("a session's writes fail once its closeSession is applied", () => {
    const h = new Harness();
    h.createSession(7n);
    assert.equal(err(h.create("/mine", { session: 7n })), 0);
    h.closeSession(7n);
    assert.equal(err(h.setData("/mine", null, -1, { session: 7n })), Err.SESSIONEXPIRED);
  });

  test("the server's clean-up runs as session 0 and closing an unknown session still succeeds", () => {
    const h = new Harness();
    h.create("/c", { opcode: 19, flags: CreateFlag.CONTAINER });
    assert.equal(err(h.apply({ kind: "deleteContainer", path: "/c" }, { session: 0n, auth: [] })), 0);
    assert.equal(err(h.closeSession(123n)), 0);
  });
});
