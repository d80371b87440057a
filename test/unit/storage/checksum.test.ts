// Proves checksum() is zlib's CRC-32 on every range, on both sides of the length where it switches
// from its own table loop to zlib, by comparing it with node:zlib's crc32 over random bytes.

import assert from "node:assert/strict";
import { test } from "node:test";
import { crc32 } from "node:zlib";
import fc from "fast-check";
import { checksum } from "../../../src/storage/checksum.js";

test("checksum equals zlib's crc32 for every length up to 600 bytes at any offset", () => {
  const bytes = Buffer.from(fc.sample(fc.integer({ min: 0, max: 255 }), { numRuns: 700, seed: 7 }));
  for (let length = 0; length <= 600; length++) {
    for (const start of [0, 1, 3, 7, 8, 100 - (length % 97)]) {
      const end = start + length;
      if (end > bytes.length) continue;
      assert.equal(
        checksum(bytes, start, end),
        crc32(bytes.subarray(start, end)) >>> 0,
        `[${start}, ${end})`,
      );
    }
  }
});

test("checksum of random buffers and views equals zlib's crc32", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat(), fc.nat(), (data, a, b) => {
      const start = data.length === 0 ? 0 : a % data.length;
      const end = start + (data.length === 0 ? 0 : b % (data.length - start + 1));
      assert.equal(checksum(data, start, end), crc32(data.subarray(start, end)) >>> 0);
      assert.equal(checksum(data), crc32(data) >>> 0);
    }),
    { numRuns: 500 },
  );
});
