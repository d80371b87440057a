// Length-prefixed framing: every message is a 4-byte big-endian length then that many bytes. The
// decoder accepts a byte stream in arbitrary chunks and hands out whole frames; a length below zero
// or above the limit (jute.maxbuffer) is an error the caller answers by closing the connection, as
// ZooKeeper does, and no bytes of such a frame are buffered.

export class FrameLengthError extends Error {
  constructor(
    readonly length: number,
    readonly limit: number,
  ) {
    super(`frame length ${length} is outside 0..${limit} (jute.maxbuffer); closing the connection`);
    this.name = "FrameLengthError";
  }
}

export class FrameDecoder {
  /** Bytes of an incomplete frame (or length prefix) carried over from earlier chunks. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(readonly frameBytesMax: number) {}

  /** Bytes held for a frame not yet complete. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /**
   * Feeds a chunk and calls `onFrame` for each complete frame's payload, in order. Payloads may be
   * views into `chunk`: copy anything kept past the callback. Throws FrameLengthError.
   */
  push(chunk: Buffer, onFrame: (payload: Buffer) => void): void {
    let buf = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      // Concatenate only once the awaited frame is complete, so a large frame arriving in many
      // small chunks is copied once rather than once per chunk.
      if (this.pendingBytes < 4 || this.pendingBytes < 4 + this.awaitedLength()) return;
      buf = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let offset = 0;
    while (buf.length - offset >= 4) {
      const length = buf.readInt32BE(offset);
      if (length < 0 || length > this.frameBytesMax) throw new FrameLengthError(length, this.frameBytesMax);
      if (buf.length - offset - 4 < length) break;
      onFrame(buf.subarray(offset + 4, offset + 4 + length));
      offset += 4 + length;
    }
    if (offset < buf.length) {
      // Copy so that the caller's chunk can be reused and a small tail does not pin a large chunk.
      const rest = Buffer.from(buf.subarray(offset));
      this.pending.push(rest);
      this.pendingBytes = rest.length;
    }
  }

  /** The length prefix of the buffered frame; only called with at least 4 bytes buffered. */
  private awaitedLength(): number {
    const first = this.pending[0]!;
    const length = first.length >= 4 ? first.readInt32BE(0) : Buffer.concat(this.pending, 4).readInt32BE(0);
    if (length < 0 || length > this.frameBytesMax) throw new FrameLengthError(length, this.frameBytesMax);
    return length;
  }
}

/** Prefixes a payload with its length. */
export function frame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeInt32BE(payload.length, 0);
  out.set(payload, 4);
  return out;
}
