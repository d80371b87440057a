// Proves log entries survive encodeEntry/decodeEntry unchanged for every txn kind (fast-check over
// random entries) and that truncated, padded or unknown input is refused rather than misread.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { decodeEntry, type Entry, encodeEntry } from "../../../src/state/entry.js";
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
});
