// Jute, ZooKeeper's binary record encoding: big-endian fixed-width integers, length-prefixed
// buffers and strings (length -1 means null), counted vectors. The reader never reads past its
// end (it throws JuteDecodeError instead) so a malformed frame can be answered, not crash the server.
// 64-bit fields are bigint: zxids and session ids need all 64 bits.

export class JuteDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JuteDecodeError";
  }
}

const TWO_POW_32 = 4294967296;

/**
 * A signed 64-bit big-endian integer. Values within ±2^53 (zxids, times, most session ids) go through
 * an exact double and allocate one bigint; Buffer.readBigInt64BE allocates four.
 */
export function readInt64BE(buf: Buffer, offset: number): bigint {
  const high = buf.readInt32BE(offset);
  if (high >= -0x200000 && high < 0x200000) return BigInt(high * TWO_POW_32 + buf.readUInt32BE(offset + 4));
  return buf.readBigInt64BE(offset);
}

export class JuteReader {
  private offset: number;

  constructor(
    private readonly buf: Buffer,
    offset = 0,
    private readonly end = buf.length,
    /** Largest buffer/string/vector length accepted, like Java's jute.maxbuffer + extrasize. */
    private readonly fieldBytesMax = 2 * 0xfffff,
  ) {
    this.offset = offset;
  }

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number, what: string): void {
    if (this.end - this.offset < n) {
      throw new JuteDecodeError(
        `truncated record: ${what} needs ${n} bytes at offset ${this.offset}, ${this.end - this.offset} left`,
      );
    }
  }

  readInt(): number {
    this.need(4, "int");
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  readLong(): bigint {
    this.need(8, "long");
    const v = readInt64BE(this.buf, this.offset);
    this.offset += 8;
    return v;
  }

  readBool(): boolean {
    this.need(1, "boolean");
    return this.buf[this.offset++] !== 0;
  }

  readByte(): number {
    this.need(1, "byte");
    return this.buf.readInt8(this.offset++);
  }

  private readLength(what: string): number {
    const len = this.readInt();
    if (len < -1) throw new JuteDecodeError(`negative ${what} length ${len}`);
    if (len > this.fieldBytesMax)
      throw new JuteDecodeError(`${what} length ${len} exceeds ${this.fieldBytesMax}`);
    return len;
  }

  /** A jute buffer; null when the length is -1. The result is a copy, safe to keep. */
  readBuffer(): Buffer | null {
    const start = this.skipBuffer();
    if (start < 0) return null;
    // allocUnsafe is fully overwritten by the copy; Buffer.from(subarray) would make a second view.
    const out = Buffer.allocUnsafe(this.offset - start);
    this.buf.copy(out, 0, start, this.offset);
    return out;
  }

  /**
   * A jute buffer as a view of the bytes being read, not a copy: for a caller whose bytes are never
   * written again (a log segment read at start-up), spared a copy and a pool allocation per field.
   */
  readBufferView(): Buffer | null {
    const start = this.skipBuffer();
    return start < 0 ? null : this.buf.subarray(start, this.offset);
  }

  /** Moves past a jute buffer and returns where its body starts, or -1 when it is null. */
  private skipBuffer(): number {
    const len = this.readLength("buffer");
    if (len === -1) return -1;
    this.need(len, "buffer body");
    this.offset += len;
    return this.offset - len;
  }

  readString(): string | null {
    const len = this.readLength("ustring");
    if (len === -1) return null;
    this.need(len, "ustring body");
    const s = this.buf.toString("utf8", this.offset, this.offset + len);
    this.offset += len;
    return s;
  }

  /** Moves past `n` bytes the caller has already interpreted (for instance, by comparing them). */
  skip(n: number): void {
    this.need(n, "skipped bytes");
    this.offset += n;
  }

  /** A ustring where null is not meaningful to us: null reads as "". */
  readStringOrEmpty(): string {
    return this.readString() ?? "";
  }

  readVector<T>(readElement: (r: JuteReader) => T): T[] | null {
    const count = this.readLength("vector");
    if (count === -1) return null;
    // Each element takes at least one byte: a count beyond what is left is malformed, and
    // checking now avoids allocating for a hostile count.
    if (count > this.remaining)
      throw new JuteDecodeError(`vector count ${count} exceeds the ${this.remaining} bytes left`);
    const out: T[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = readElement(this);
    return out;
  }

  /** Asserts nothing is left over: trailing bytes mean the frame was not the record we expected. */
  expectEnd(what: string): void {
    if (this.offset !== this.end) {
      throw new JuteDecodeError(`${this.end - this.offset} unexpected trailing bytes after ${what}`);
    }
  }
}

/** A growable jute writer; `finish()` returns the bytes written so far. */
export class JuteWriter {
  private buf: Buffer;
  private offset: number;

  constructor(initialBytes = 256) {
    this.buf = Buffer.allocUnsafe(initialBytes);
    this.offset = 0;
  }

  get length(): number {
    return this.offset;
  }

  private ensure(n: number): void {
    if (this.offset + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.offset + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.offset);
    this.buf = next;
  }

  writeInt(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.offset);
    this.offset += 4;
    return this;
  }

  /** Writes an int at an earlier position, for length prefixes known only at the end. */
  patchInt(position: number, v: number): this {
    this.buf.writeInt32BE(v, position);
    return this;
  }

  writeLong(v: bigint): this {
    this.ensure(8);
    const n = Number(v);
    if (Number.isSafeInteger(n)) {
      const hi = Math.floor(n / TWO_POW_32);
      this.buf.writeInt32BE(hi | 0, this.offset);
      this.buf.writeUInt32BE((n - hi * TWO_POW_32) >>> 0, this.offset + 4);
      this.offset += 8;
      return this;
    }
    this.buf.writeBigInt64BE(BigInt.asIntN(64, v), this.offset);
    this.offset += 8;
    return this;
  }

  writeBool(v: boolean): this {
    this.ensure(1);
    this.buf[this.offset++] = v ? 1 : 0;
    return this;
  }

  writeByte(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.offset++);
    return this;
  }

  writeBuffer(v: Uint8Array | null): this {
    if (v === null) return this.writeInt(-1);
    this.writeInt(v.length);
    this.ensure(v.length);
    this.buf.set(v, this.offset);
    this.offset += v.length;
    return this;
  }

  /** A buffer held as a latin1 string (one char per byte), written as the bytes it stands for. */
  writeLatin1Buffer(v: string | null): this {
    if (v === null) return this.writeInt(-1);
    this.writeInt(v.length);
    this.ensure(v.length);
    this.offset += this.buf.write(v, this.offset, v.length, "latin1");
    return this;
  }

  writeString(v: string | null): this {
    if (v === null) return this.writeInt(-1);
    // Short ASCII strings (paths, child names) are copied byte by byte: cheaper than a native call.
    if (v.length < 64) {
      let ascii = true;
      for (let i = 0; i < v.length; i++) {
        if (v.charCodeAt(i) > 0x7f) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        this.writeInt(v.length);
        this.ensure(v.length);
        const buf = this.buf;
        let at = this.offset;
        for (let i = 0; i < v.length; i++) buf[at++] = v.charCodeAt(i);
        this.offset = at;
        return this;
      }
    }
    const byteLength = Buffer.byteLength(v, "utf8");
    this.writeInt(byteLength);
    this.ensure(byteLength);
    this.buf.write(v, this.offset, byteLength, "utf8");
    this.offset += byteLength;
    return this;
  }

  writeVector<T>(v: readonly T[] | null, writeElement: (w: JuteWriter, element: T) => void): this {
    if (v === null) return this.writeInt(-1);
    this.writeInt(v.length);
    for (const element of v) writeElement(this, element);
    return this;
  }

  /** The bytes written; a view of the writer's storage, so the writer must not be reused after. */
  finish(): Buffer {
    return this.buf.subarray(0, this.offset);
  }
}
