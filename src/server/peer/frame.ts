// Frames on a peer connection: a 4-byte big-endian body length, a CRC-32 of the body, then the body,
// which is a kind byte and the kind's payload. The length is checked against a bound as soon as its
// four bytes arrive, so a bad or hostile length is refused before anything is buffered for it; the
// bound is small until the handshake names a configured peer and the configured maximum afterwards.

import { checksum } from "../../storage/checksum.js";
import { PeerCodecError, WireWriter } from "./wire.js";

export const FrameKind = {
  Hello: 1,
  HelloReply: 2,
  /** Keeps an idle connection proven alive, so a dead peer is noticed without TCP keepalive. */
  Ping: 3,
  Raft: 4,
  Service: 5,
  SnapOffer: 6,
  SnapAnswer: 7,
  SnapChunk: 8,
  SnapEnd: 9,
  SnapResult: 10,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

const KIND_MAX = FrameKind.SnapResult;

/** Length and checksum before the body. */
export const FRAME_HEADER_BYTES = 8;

/** A frame with room for `payloadBytes` of payload; fill `payload`, then call sealFrame. */
export function allocFrame(kind: FrameKind, payloadBytes: number): { frame: Buffer; payload: Buffer } {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + 1 + payloadBytes);
  frame.writeUInt32BE(1 + payloadBytes, 0);
  frame[FRAME_HEADER_BYTES] = kind;
  return { frame, payload: frame.subarray(FRAME_HEADER_BYTES + 1) };
}

export function sealFrame(frame: Buffer): Buffer {
  frame.writeUInt32BE(checksum(frame, FRAME_HEADER_BYTES), 4);
  return frame;
}

/** A writer with room ahead for the header and kind, so a record is encoded straight into its frame. */
export function frameWriter(payloadBytes: number): WireWriter {
  return new WireWriter(FRAME_HEADER_BYTES + 1 + payloadBytes, FRAME_HEADER_BYTES + 1);
}

/** The frame a frameWriter's record makes. */
export function sealWriterFrame(kind: FrameKind, w: WireWriter): Buffer {
  const frame = w.finishWithHead();
  frame.writeUInt32BE(frame.length - FRAME_HEADER_BYTES, 0);
  frame[FRAME_HEADER_BYTES] = kind;
  return sealFrame(frame);
}

export function encodeFrame(kind: FrameKind, payload: Uint8Array): Buffer {
  const { frame, payload: room } = allocFrame(kind, payload.length);
  room.set(payload);
  return sealFrame(frame);
}

/**
 * Turns a byte stream split anywhere into frames. Payloads handed to `onFrame` are views into
 * receive buffers: copy what must outlive the callback.
 */
export class FrameDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The whole length of the first buffered frame once its header is known; 0 before. */
  private awaitedBytes = 0;
  private halted = false;

  /** `frameBytesMax` bounds a frame's body (kind byte and payload); it may be raised later. */
  constructor(public frameBytesMax: number) {}

  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** Stops delivering frames, from inside a callback too: the connection is being closed. */
  halt(): void {
    this.halted = true;
    this.pending = [];
    this.pendingBytes = 0;
    this.awaitedBytes = 0;
  }

  /** Throws PeerCodecError on a length over the bound, a checksum mismatch or an unknown kind. */
  push(chunk: Buffer, onFrame: (kind: FrameKind, payload: Buffer) => void): void {
    if (this.halted) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < FRAME_HEADER_BYTES) return;
    // Concatenate only once the awaited frame is whole: a 1 MiB frame arriving in 64 KiB reads is
    // then copied once, not once per read.
    if (this.awaitedBytes === 0) {
      const first = this.pending[0]!;
      const head =
        first.length >= FRAME_HEADER_BYTES ? first : Buffer.concat(this.pending, FRAME_HEADER_BYTES);
      this.awaitedBytes = FRAME_HEADER_BYTES + this.bodyLength(head, 0);
    }
    if (this.pendingBytes < this.awaitedBytes) return;
    this.awaitedBytes = 0;
    const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    let at = 0;
    while (!this.halted && buf.length - at >= FRAME_HEADER_BYTES) {
      const length = this.bodyLength(buf, at);
      const end = at + FRAME_HEADER_BYTES + length;
      if (end > buf.length) break;
      const body = buf.subarray(at + FRAME_HEADER_BYTES, end);
      const expected = buf.readUInt32BE(at + 4);
      const actual = checksum(body);
      if (actual !== expected) {
        throw new PeerCodecError(
          `frame checksum mismatch (expected ${hex(expected)}, computed ${hex(actual)} over ${length} bytes)`,
        );
      }
      const kind = body[0]!;
      if (kind < FrameKind.Hello || kind > KIND_MAX) throw new PeerCodecError(`unknown frame kind ${kind}`);
      onFrame(kind as FrameKind, body.subarray(1));
      at = end;
    }
    if (this.halted) return;
    // Copy a small tail so that it does not pin a large receive buffer.
    const rest = at === buf.length ? null : at === 0 ? buf : Buffer.from(buf.subarray(at));
    this.pending = rest ? [rest] : [];
    this.pendingBytes = rest ? rest.length : 0;
  }

  private bodyLength(buf: Buffer, at: number): number {
    const length = buf.readUInt32BE(at);
    if (length < 1 || length > this.frameBytesMax) {
      throw new PeerCodecError(`frame length ${length} is outside 1..${this.frameBytesMax}`);
    }
    return length;
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}
