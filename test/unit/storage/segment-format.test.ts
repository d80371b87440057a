// Proves the block-wise search for a segment's zero-filled tail finds exactly the offset a byte-by-byte
// search finds, for non-zero bytes placed on, beside and between the search's 4 KiB blocks.

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { zeroTailStart } from "../../../src/storage/segment-format.js";

function byteByByte(b: Buffer, from: number): number {
  let i = b.length;
  while (i > from && b[i - 1] === 0) i--;
  return i;
}

test("zeroTailStart finds the end of the last non-zero byte wherever it lies", () => {
  const size = fc.constantFrom(0, 1, 4095, 4096, 4097, 8192, 3 * 4096 + 5, 65536);
  // Non-zero bytes at a distance from the end: often right at a block boundary, otherwise anywhere.
  const distance = fc.oneof(fc.constantFrom(0, 1, 4095, 4096, 4097, 8191, 8192, 8193), fc.nat());
  fc.assert(
    fc.property(size, fc.array(distance, { maxLength: 3 }), fc.nat(), (length, distances, fromSeed) => {
      const b = Buffer.alloc(length);
      for (const d of distances) if (length > 0) b[length - 1 - (d % length)] = 1 + (d % 255);
      const from = length === 0 ? 0 : fromSeed % (length + 1);
      assert.equal(zeroTailStart(b, from), byteByByte(b, from));
    }),
    { numRuns: 2000 },
  );
});

test("zeroTailStart of an all-zero buffer is where the search starts", () => {
  assert.equal(zeroTailStart(Buffer.alloc(3 * 4096 + 32), 32), 32);
  assert.equal(zeroTailStart(Buffer.alloc(3 * 4096 + 32), 0), 0);
});
