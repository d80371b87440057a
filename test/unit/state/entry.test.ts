// Proves log entries survive encodeEntry/decodeEntry unchanged for every txn kind (fast-check over
// random entries), that truncated, padded or unknown input is refused rather than misread, and that a
// decoder reused across a log (sharing repeated fields) decodes each entry exactly as a fresh one does.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { decodeEntry, type Entry, EntryDecoder, encodeEntry } from "../../../src/state/entry.js";
import { entryArbitrary } from "./arbitraries.js";

describe("entry encoding", () => {
  test("random entries of every txn kind round-trip exactly", () => {
    fc.assert(
      fc.property(entryArbitrary(), (e: Entry) => {
        assert.deepEqual(decodeEntry(encodeEntry(e)), e);
      }),
      { numRuns: 500 },
    );
  });

  test("every proper prefix of an encoded entry is refused", () => {
    fc.assert(
      fc.property(entryArbitrary(), (e: Entry) => {
        const bytes = encodeEntry(e);
        for (let n = 0; n < bytes.length; n++) assert.throws(() => decodeEntry(bytes.subarray(0, n)));
      }),
      { numRuns: 50 },
    );
  });

  test("trailing bytes, an unknown format and an unknown txn tag are refused", () => {
    const e: Entry = { zxid: 1n, timeMs: 2n, sessionId: 3n, authIds: [], txn: { kind: "closeSession" } };
    const bytes = encodeEntry(e);
    assert.throws(() => decodeEntry(Buffer.concat([bytes, Buffer.from([0])])), /trailing/);
    const badFormat = Buffer.from(bytes);
    badFormat[0] = 99;
    assert.throws(() => decodeEntry(badFormat), /format/);
    const badTag = Buffer.from(bytes);
    badTag[badTag.length - 1] = 42;
    assert.throws(() => decodeEntry(badTag), /tag/);
  });

  test("the encoding owns its bytes: later encodes do not change an earlier result", () => {
    const a = encodeEntry({
      zxid: 1n,
      timeMs: 0n,
      sessionId: 0n,
      authIds: [],
      txn: { kind: "deleteContainer", path: "/a" },
    });
    const copy = Buffer.from(a);
    encodeEntry({
      zxid: 2n,
      timeMs: 0n,
      sessionId: 0n,
      authIds: [],
      txn: { kind: "deleteContainer", path: "/zzzz" },
    });
    assert.deepEqual(a, copy);
  });

  test("a decoder reused over a run of entries decodes each as decodeEntry does, wherever it sits in a buffer", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(entryArbitrary(), repeatingEntry), { maxLength: 20 }), (entries) => {
        const parts = entries.map((e) => encodeEntry(e));
        // One buffer with a junk byte around each entry, as records sit in a segment.
        const bytes = Buffer.concat(parts.flatMap((p) => [Buffer.from([0xee]), p]));
        const decoder = new EntryDecoder();
        let at = 0;
        for (let i = 0; i < entries.length; i++) {
          at += 1;
          assert.deepEqual(decoder.decode(bytes, at, at + parts[i]!.length), entries[i]);
          at += parts[i]!.length;
        }
      }),
      { numRuns: 300 },
    );
  });

  test("entries with the same session, identities and ACL share one frozen copy of each", () => {
    const decoder = new EntryDecoder();
    const a = decoder.decode(encodeEntry(createAt(1n, "/a")));
    const b = decoder.decode(encodeEntry(createAt(2n, "/b")));
    assert.equal(b.sessionId, a.sessionId);
    assert.equal(b.authIds, a.authIds);
    assert.ok(Object.isFrozen(a.authIds) && Object.isFrozen(a.authIds[0]));
    assert.ok(a.txn.kind === "create" && b.txn.kind === "create");
    const acl = a.txn.request.acl!;
    assert.equal(b.txn.request.acl, acl);
    assert.ok(Object.isFrozen(acl) && Object.isFrozen(acl[0]) && Object.isFrozen(acl[0]!.id));
    assert.notEqual(b.txn.request.data, a.txn.request.data, "data stays a private copy per entry");
  });

  test("a field that repeats the previous entry's bytes is still refused when the entry is cut inside it", () => {
    const decoder = new EntryDecoder();
    const whole = encodeEntry(createAt(1n, "/a"));
    decoder.decode(whole);
    const next = encodeEntry(createAt(2n, "/a"));
    for (let n = 0; n < next.length; n++) assert.throws(() => decoder.decode(next, 0, n));
    assert.deepEqual(decoder.decode(next), createAt(2n, "/a"));
  });

  test("longs on both sides of 2^53 and at the 64-bit limits decode exactly", () => {
    const decoder = new EntryDecoder();
    const limit = 1n << 53n;
    for (const v of [
      0n,
      -1n,
      limit - 1n,
      limit,
      limit + 1n,
      -limit,
      -limit - 1n,
      (1n << 63n) - 1n,
      -(1n << 63n),
    ]) {
      const e: Entry = { zxid: v, timeMs: v, sessionId: v, authIds: [], txn: { kind: "closeSession" } };
      assert.deepEqual(decoder.decode(encodeEntry(e)), e);
    }
  });
});

function createAt(zxid: bigint, path: string): Entry {
  return {
    zxid,
    timeMs: 1_700_000_000_000n,
    sessionId: 0x1a2b3c4d5e6f7081n,
    authIds: [{ scheme: "ip", id: "127.0.0.1" }],
    txn: {
      kind: "create",
      opcode: 1,
      request: {
        path,
        data: Buffer.from("payload"),
        acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }],
        flags: 0,
        ttl: -1n,
      },
    },
  };
}

/** Entries drawn from a few values per field, so consecutive ones often repeat some fields and not others. */
const repeatingEntry: fc.Arbitrary<Entry> = fc
  .record({
    zxid: fc.bigInt({ min: 1n, max: 1000n }),
    path: fc.constantFrom("/a", "/b"),
    sessionId: fc.constantFrom(1n, 0x1a2b3c4d5e6f7081n),
    timeMs: fc.constantFrom(0n, 1_700_000_000_000n),
    authIds: fc.constantFrom<Entry["authIds"]>([], [{ scheme: "ip", id: "127.0.0.1" }]),
    acl: fc.constantFrom(
      null,
      [{ perms: 31, id: { scheme: "world", id: "anyone" } }],
      [{ perms: 1, id: { scheme: "world", id: "anyone" } }],
    ),
    ttl: fc.constantFrom(-1n, 5000n),
  })
  .map(({ zxid, path, sessionId, timeMs, authIds, acl, ttl }) => ({
    zxid,
    timeMs,
    sessionId,
    authIds,
    txn: {
      kind: "create",
      opcode: ttl === -1n ? 1 : 21,
      request: { path, data: null, acl, flags: 0, ttl },
    },
  }));
