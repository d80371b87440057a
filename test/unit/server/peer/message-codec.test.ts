// The peer message codec must give back every field exactly (zxids over all 64 bits, counters up to
// 2^53), and bytes that are not an encoded message (truncated, bit-flipped, random) must be refused
// with a PeerCodecError naming what was wrong, never another exception or a crash.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { emptyMessage, MessageType } from "../../../../src/consensus/types.js";
import { decodeMessage, encodeMessage } from "../../../../src/server/peer/message-codec.js";
import { PeerCodecError } from "../../../../src/server/peer/wire.js";
import { message } from "./arbitraries.js";

/** Runs the decoder and returns the codec error's message, or null when the bytes decoded. */
function refusal(bytes: Uint8Array): string | null {
  try {
    decodeMessage(bytes);
    return null;
  } catch (e) {
    assert.ok(e instanceof PeerCodecError, `expected a PeerCodecError, got ${e}`);
    return e.message;
  }
}

describe("message codec", () => {
  test("every message decodes to exactly what was encoded", () => {
    fc.assert(
      fc.property(message, (m) => assert.deepStrictEqual(decodeMessage(encodeMessage(m)), m)),
      { numRuns: 2000 },
    );
  });

  test("a heartbeat takes a dozen bytes", () => {
    const m = { ...emptyMessage(MessageType.Heartbeat, 3, 1, 7), commit: 1000 };
    assert.ok(encodeMessage(m).length <= 12, `${encodeMessage(m).length} bytes`);
  });

  test("the highest zxid and the largest safe counters survive exactly", () => {
    const m = emptyMessage(MessageType.App, 1, 2, Number.MAX_SAFE_INTEGER);
    m.entries = [
      {
        term: 1,
        index: Number.MAX_SAFE_INTEGER,
        zxid: 0xffff_ffff_ffff_ffffn,
        type: 0,
        data: new Uint8Array([1]),
      },
    ];
    assert.deepStrictEqual(decodeMessage(encodeMessage(m)), m);
  });

  test("every truncation of an encoded message is refused with a codec error", () => {
    fc.assert(
      fc.property(message, (m) => {
        const bytes = encodeMessage(m);
        for (let n = 0; n < bytes.length; n++)
          assert.notEqual(refusal(bytes.subarray(0, n)), null, `prefix ${n}`);
      }),
      { numRuns: 300 },
    );
  });

  test("a bit flip either decodes to some message or is refused with a codec error", () => {
    fc.assert(
      fc.property(message, fc.nat(), fc.integer({ min: 0, max: 7 }), (m, at, bit) => {
        const bytes = encodeMessage(m).slice();
        bytes[at % bytes.length]! ^= 1 << bit;
        refusal(bytes);
      }),
      { numRuns: 3000 },
    );
  });

  test("random bytes are refused with a codec error or decode, never throw anything else", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void refusal(bytes)),
      { numRuns: 3000 },
    );
  });

  test("refusals name the problem", () => {
    assert.match(refusal(new Uint8Array([99, 0]))!, /unknown message type 99/);
    assert.match(refusal(new Uint8Array([1, 0x80]))!, /unknown flags 0x80/);
    const tooMany = encodeMessage(emptyMessage(MessageType.App, 1, 2, 1)).slice();
    tooMany[tooMany.length - 1] = 100; // the entry count, last byte of a message without entries
    assert.match(refusal(tooMany)!, /entry count 100 cannot fit/);
    const trailing = new Uint8Array([...encodeMessage(emptyMessage(MessageType.Vote, 1, 2, 1)), 0]);
    assert.match(refusal(trailing)!, /1 unexpected trailing bytes/);
    const longVarint = new Uint8Array([1, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    assert.match(refusal(longVarint)!, /from varint is longer than 8 bytes/);
  });
});
