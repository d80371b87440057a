// FrameDecoder must hand out exactly the frames that were sent however TCP splits the stream: one
// byte at a time, at random split points, or many frames in one chunk. A bad length prefix must be
// reported as soon as its four bytes are known, without waiting for (or buffering) a body.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { JUTE_MAX_BUFFER_DEFAULT } from "../../../src/protocol/constants.js";
import { FrameDecoder, FrameLengthError, frame } from "../../../src/protocol/framing.js";
import { splitAt } from "../../support/split.js";
import { goldenBytes, goldenCases } from "./golden-fixtures.js";

/** Feeds chunks in order and returns copies of every payload (payloads may be views into chunks). */
function collect(decoder: FrameDecoder, chunks: readonly Buffer[]): Buffer[] {
  const frames: Buffer[] = [];
  for (const chunk of chunks) decoder.push(chunk, (payload) => frames.push(Buffer.from(payload)));
  return frames;
}

const payloads = goldenCases.map(goldenBytes);
const stream = Buffer.concat(payloads.map((p) => frame(p)));

describe("FrameDecoder", () => {
  test("yields exactly the frames when the stream arrives one byte at a time", () => {
    const decoder = new FrameDecoder(JUTE_MAX_BUFFER_DEFAULT);
    const bytes = [...stream].map((b) => Buffer.from([b]));
    assert.deepStrictEqual(collect(decoder, bytes), payloads);
    assert.equal(decoder.bufferedBytes, 0);
  });

  test("yields exactly the frames when the stream is split at random points", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 40 }), (cuts) => {
        const decoder = new FrameDecoder(JUTE_MAX_BUFFER_DEFAULT);
        assert.deepStrictEqual(collect(decoder, splitAt(stream, cuts)), payloads);
        assert.equal(decoder.bufferedBytes, 0);
      }),
      { numRuns: 300 },
    );
  });

  test("yields random frames, including empty ones, in order under random splits", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (raw, cuts) => {
          const sent = raw.map((r) => Buffer.from(r));
          const decoder = new FrameDecoder(300);
          const received = collect(decoder, splitAt(Buffer.concat(sent.map((p) => frame(p))), cuts));
          assert.deepStrictEqual(received, sent);
        },
      ),
    );
  });

  test("delivers every frame when many frames arrive in one chunk", () => {
    const decoder = new FrameDecoder(JUTE_MAX_BUFFER_DEFAULT);
    assert.deepStrictEqual(collect(decoder, [stream]), payloads);
    assert.equal(decoder.bufferedBytes, 0);
  });

  test("holds an incomplete tail across chunks and completes it with the next chunk", () => {
    const decoder = new FrameDecoder(JUTE_MAX_BUFFER_DEFAULT);
    const cut = frame(payloads[0]!).length + 6;
    assert.deepStrictEqual(collect(decoder, [stream.subarray(0, cut)]), [payloads[0]]);
    assert.equal(decoder.bufferedBytes, 6);
    assert.deepStrictEqual(collect(decoder, [stream.subarray(cut)]), payloads.slice(1));
  });

  test("payloads stay intact after the caller reuses its chunk buffer", () => {
    const decoder = new FrameDecoder(100);
    const chunk = Buffer.from(frame(Buffer.from("abc")));
    const frames = collect(decoder, [chunk.subarray(0, 5)]);
    const rest = Buffer.from(chunk.subarray(5));
    chunk.fill(0);
    frames.push(...collect(decoder, [rest]));
    assert.deepStrictEqual(frames, [Buffer.from("abc")]);
  });

  test("accepts a frame of exactly the maximum length", () => {
    const decoder = new FrameDecoder(1000);
    const payload = Buffer.alloc(1000, 7);
    assert.deepStrictEqual(collect(decoder, [frame(payload)]), [payload]);
  });

  test("rejects a length one above the maximum as soon as the prefix arrives, with no body buffered", () => {
    const decoder = new FrameDecoder(JUTE_MAX_BUFFER_DEFAULT);
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(JUTE_MAX_BUFFER_DEFAULT + 1);
    assert.throws(
      () => collect(decoder, [prefix]),
      (err: unknown) =>
        err instanceof FrameLengthError && err.length === 0x100000 && err.limit === JUTE_MAX_BUFFER_DEFAULT,
    );
  });

  test("rejects an oversized length that arrives one byte at a time on its fourth byte", () => {
    const decoder = new FrameDecoder(JUTE_MAX_BUFFER_DEFAULT);
    const prefix = Buffer.from("00100000", "hex");
    collect(decoder, [prefix.subarray(0, 1), prefix.subarray(1, 2), prefix.subarray(2, 3)]);
    assert.throws(() => collect(decoder, [prefix.subarray(3)]), FrameLengthError);
  });

  test("rejects a negative length", () => {
    const decoder = new FrameDecoder(JUTE_MAX_BUFFER_DEFAULT);
    assert.throws(
      () => collect(decoder, [Buffer.from("ffffffff", "hex")]),
      (err: unknown) => err instanceof FrameLengthError && err.length === -1,
    );
    const other = new FrameDecoder(JUTE_MAX_BUFFER_DEFAULT);
    assert.throws(() => collect(other, [Buffer.from("80000000", "hex")]), FrameLengthError);
  });

  test("an HTTP request on the client port is a frame length error, not a 1 GiB allocation", () => {
    // "GET " read as a length is 1 195 725 856 (wire-protocol.md section 1).
    const decoder = new FrameDecoder(JUTE_MAX_BUFFER_DEFAULT);
    assert.throws(
      () => collect(decoder, [Buffer.from("GET / HTTP/1.1\r\n")]),
      (err: unknown) => err instanceof FrameLengthError && err.length === 1195725856,
    );
  });

  test("frames before a bad length in the same chunk are still delivered", () => {
    const decoder = new FrameDecoder(100);
    const frames: Buffer[] = [];
    const chunk = Buffer.concat([frame(Buffer.from("ok")), Buffer.from("7fffffff", "hex")]);
    assert.throws(() => decoder.push(chunk, (p) => frames.push(Buffer.from(p))), FrameLengthError);
    assert.deepStrictEqual(frames, [Buffer.from("ok")]);
  });
});
