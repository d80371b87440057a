// Malformed input must fail as JuteDecodeError (answered with MARSHALLINGERROR, connection kept),
// never as another exception and never by reading past the end. Every strict prefix of every golden
// case is tried, and fast-check mutates golden bytes at random.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { JuteDecodeError, JuteReader } from "../../../src/protocol/jute.js";
import { codecFor, type GoldenCase, goldenBytes, goldenCases } from "./golden-fixtures.js";

/** The handshake records end with an optional byte, so dropping exactly that byte is valid. */
function prefixIsValid(c: GoldenCase, length: number): boolean {
  const optionalTrailer =
    (c.record === "ConnectRequest" || c.record === "ConnectResponse") && "readOnly" in c.fields;
  return optionalTrailer && length === c.hex.length / 2 - 1;
}

function decodeAll(c: GoldenCase, bytes: Buffer): unknown {
  const r = new JuteReader(bytes);
  const value = codecFor(c).decode(r);
  r.expectEnd(c.record);
  return value;
}

function assertJuteDecodeError(fn: () => unknown, what: string): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof JuteDecodeError) return;
    assert.fail(
      `${what}: threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}, not JuteDecodeError`,
    );
  }
  assert.fail(`${what}: decoded without error`);
}

describe("decoding truncated records", () => {
  for (const c of goldenCases) {
    test(`every strict prefix of "${c.name}" throws JuteDecodeError`, () => {
      const bytes = goldenBytes(c);
      for (let length = 0; length < bytes.length; length++) {
        const prefix = bytes.subarray(0, length);
        if (prefixIsValid(c, length)) {
          const value = decodeAll(c, prefix) as { readOnly: boolean | undefined };
          assert.equal(value.readOnly, undefined, "dropping the readOnly byte gives the old-client form");
          continue;
        }
        assertJuteDecodeError(
          () => decodeAll(c, prefix),
          `${c.name} cut to ${length} of ${bytes.length} bytes`,
        );
      }
    });
  }

  test("a trailing extra byte after a complete record is reported by expectEnd as JuteDecodeError", () => {
    for (const c of goldenCases) {
      if (c.record === "ConnectRequest" || c.record === "ConnectResponse") continue;
      const longer = Buffer.concat([goldenBytes(c), Buffer.from([0])]);
      assertJuteDecodeError(() => decodeAll(c, longer), `${c.name} plus one byte`);
    }
  });
});

describe("decoding corrupted records", () => {
  test("golden bytes with random bytes overwritten either decode or throw JuteDecodeError", () => {
    // Overwriting length prefixes produces huge, negative and off-by-some lengths and counts, and
    // overwriting multi headers produces unknown op types: all must surface as JuteDecodeError.
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: goldenCases.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (index, edits) => {
          const c = goldenCases[index]!;
          const bytes = Buffer.from(goldenBytes(c));
          for (const [position, value] of edits) bytes[position % bytes.length] = value;
          try {
            decodeAll(c, bytes);
          } catch (err) {
            if (!(err instanceof JuteDecodeError)) throw err;
          }
        },
      ),
      { numRuns: 5000 },
    );
  });

  test("random bytes of every record kind either decode or throw JuteDecodeError", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: goldenCases.length - 1 }),
        fc.uint8Array({ maxLength: 64 }),
        (index, raw) => {
          try {
            decodeAll(goldenCases[index]!, Buffer.from(raw));
          } catch (err) {
            if (!(err instanceof JuteDecodeError)) throw err;
          }
        },
      ),
      { numRuns: 5000 },
    );
  });

  test("a vector count larger than the bytes left is rejected before anything is allocated", () => {
    // GetChildrenResponse claiming 2^31-1 children in a 4-byte body.
    const c = goldenCases.find((g) => g.record === "GetChildrenResponse")!;
    assertJuteDecodeError(() => decodeAll(c, Buffer.from("7fffffff", "hex")), "huge vector count");
  });

  test("a buffer length of -2 is rejected, since only -1 means null", () => {
    const c = goldenCases.find((g) => g.record === "GetDataResponse")!;
    const bytes = Buffer.from(goldenBytes(c));
    bytes.writeInt32BE(-2, 0);
    assertJuteDecodeError(() => decodeAll(c, bytes), "buffer length -2");
  });
});
