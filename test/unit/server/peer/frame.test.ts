// Peer frames must come out of the decoder exactly as sent however TCP splits the stream (byte by
// byte, at random points, many per chunk), and a damaged or hostile frame (a flipped bit anywhere,
// a length over the bound, an unknown kind) must be refused with a codec error, never delivered.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  encodeFrame,
  FRAME_HEADER_BYTES,
  FrameDecoder,
  FrameKind,
} from "../../../../src/server/peer/frame.js";
import { encodeMessage } from "../../../../src/server/peer/message-codec.js";
import { PeerCodecError } from "../../../../src/server/peer/wire.js";
import { message } from "./arbitraries.js";

interface Received {
  kind: FrameKind;
  payload: Buffer;
}

function feed(decoder: FrameDecoder, chunks: readonly Buffer[]): Received[] {
  const out: Received[] = [];
  for (const chunk of chunks)
    decoder.push(chunk, (kind, payload) => out.push({ kind, payload: Buffer.from(payload) }));
  return out;
}

function splitAt(stream: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const p of points) {
    chunks.push(stream.subarray(start, p));
    start = p;
  }
  chunks.push(stream.subarray(start));
  return chunks;
}

const frames = fc.array(
  fc
    .record({
      kind: fc.constantFrom(FrameKind.Raft, FrameKind.Service, FrameKind.SnapChunk, FrameKind.Ping),
      payload: fc.oneof(
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        message.map((m) => Buffer.from(encodeMessage(m))),
      ),
    })
    .map((f) => ({ ...f })),
  { maxLength: 12 },
);

describe("peer frame decoder", () => {
  test("a stream of frames fed one byte at a time yields exactly those frames", () => {
    fc.assert(
      fc.property(frames, (sent) => {
        const stream = Buffer.concat(sent.map((f) => encodeFrame(f.kind, f.payload)));
        const decoder = new FrameDecoder(1 << 20);
        assert.deepStrictEqual(
          feed(
            decoder,
            [...stream].map((b) => Buffer.from([b])),
          ),
          sent,
        );
        assert.equal(decoder.bufferedBytes, 0);
      }),
      { numRuns: 100 },
    );
  });

  test("a stream of frames split at random points yields exactly those frames", () => {
    fc.assert(
      fc.property(frames, fc.array(fc.nat(), { maxLength: 30 }), (sent, cuts) => {
        const stream = Buffer.concat(sent.map((f) => encodeFrame(f.kind, f.payload)));
        const decoder = new FrameDecoder(1 << 20);
        assert.deepStrictEqual(feed(decoder, splitAt(stream, cuts)), sent);
        assert.equal(decoder.bufferedBytes, 0);
      }),
      { numRuns: 500 },
    );
  });

  test("a flipped bit anywhere in a frame is never delivered as a frame", () => {
    fc.assert(
      fc.property(message, fc.nat(), fc.integer({ min: 0, max: 7 }), (m, at, bit) => {
        const frame = encodeFrame(FrameKind.Raft, encodeMessage(m));
        frame[at % frame.length]! ^= 1 << bit;
        const decoder = new FrameDecoder(1 << 20);
        try {
          // A flip in the length may leave the decoder waiting for bytes that never come: also safe.
          assert.deepStrictEqual(feed(decoder, [frame]), []);
        } catch (e) {
          assert.ok(e instanceof PeerCodecError, `${e}`);
        }
      }),
      { numRuns: 3000 },
    );
  });

  test("a length over the bound is refused from its four bytes alone, before any body is buffered", () => {
    const decoder = new FrameDecoder(1000);
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    header.writeUInt32BE(1001, 0);
    assert.throws(() => feed(decoder, [header]), /frame length 1001 is outside 1\.\.1000/);
    const zero = Buffer.alloc(FRAME_HEADER_BYTES);
    assert.throws(() => feed(new FrameDecoder(1000), [zero]), /frame length 0 is outside/);
  });

  test("an unknown frame kind with a valid checksum is refused", () => {
    const frame = encodeFrame(FrameKind.Raft, Buffer.from([1, 2, 3]));
    frame[FRAME_HEADER_BYTES] = 77;
    const fixed = encodeFrame(77 as FrameKind, Buffer.from([1, 2, 3]));
    assert.throws(() => feed(new FrameDecoder(100), [frame]), /checksum mismatch/);
    assert.throws(() => feed(new FrameDecoder(100), [fixed]), /unknown frame kind 77/);
  });

  test("random garbage is refused with a codec error or waits for more bytes, never anything else", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          feed(new FrameDecoder(4096), [Buffer.from(bytes)]);
        } catch (e) {
          assert.ok(e instanceof PeerCodecError, `${e}`);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
