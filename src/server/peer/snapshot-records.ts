// The records of one snapshot transfer on the quorum channel: the sender offers (the Snap message and
// the file's size), the receiver answers (accepted, or refused with a reason), chunks follow at
// increasing offsets, the end carries the whole file's CRC-32, and the receiver reports the result
// once the file is fsynced and renamed into place (or why it was not).

import { allocFrame, encodeFrame, FrameKind, sealFrame } from "./frame.js";
import { WireReader, WireWriter } from "./wire.js";

export interface SnapOffer {
  transferId: number;
  totalBytes: number;
  /** The encoded Snap message, its snapshot data empty. */
  message: Uint8Array;
}

export interface SnapReply {
  transferId: number;
  ok: boolean;
  /** Empty when ok. */
  reason: string;
}

export interface SnapChunk {
  transferId: number;
  offset: number;
  data: Uint8Array;
}

export interface SnapEnd {
  transferId: number;
  totalBytes: number;
  crc32: number;
}

const REASON_BYTES_MAX = 1024;
/** transferId (4) and offset (8) ahead of the data, fixed so the file can be read straight into a frame. */
export const CHUNK_HEADER_BYTES = 12;

export function encodeSnapOffer(o: SnapOffer): Buffer {
  const w = new WireWriter(32 + o.message.length);
  w.u32(o.transferId);
  w.varint(o.totalBytes);
  w.bytes(o.message);
  return encodeFrame(FrameKind.SnapOffer, w.finish());
}

export function decodeSnapOffer(payload: Uint8Array): SnapOffer {
  const r = new WireReader(payload, "snapshot offer");
  const o = {
    transferId: r.u32("transfer id"),
    totalBytes: r.varint("total bytes"),
    message: r.bytes("message"),
  };
  r.end();
  return o;
}

/** The answer to an offer (kind SnapAnswer) and the final result (kind SnapResult) share a shape. */
export function encodeSnapReply(
  kind: typeof FrameKind.SnapAnswer | typeof FrameKind.SnapResult,
  v: SnapReply,
) {
  const w = new WireWriter();
  w.u32(v.transferId);
  w.u8(v.ok ? 1 : 0);
  w.string(v.reason.slice(0, REASON_BYTES_MAX / 4));
  return encodeFrame(kind, w.finish());
}

export function decodeSnapReply(payload: Uint8Array): SnapReply {
  const r = new WireReader(payload, "snapshot reply");
  const transferId = r.u32("transfer id");
  const ok = r.u8("ok");
  if (ok > 1) r.fail(`ok flag ${ok}`);
  const v = { transferId, ok: ok === 1, reason: r.string("reason", REASON_BYTES_MAX) };
  r.end();
  return v;
}

/** A chunk frame with room for `dataBytes`; fill `data` (a file read lands there), then seal it. */
export function allocSnapChunk(transferId: number, offset: number, dataBytes: number) {
  const { frame, payload } = allocFrame(FrameKind.SnapChunk, CHUNK_HEADER_BYTES + dataBytes);
  payload.writeUInt32BE(transferId, 0);
  payload.writeBigUInt64BE(BigInt(offset), 4);
  return { frame, data: payload.subarray(CHUNK_HEADER_BYTES), seal: () => sealFrame(frame) };
}

export function decodeSnapChunk(payload: Uint8Array): SnapChunk {
  const r = new WireReader(payload, "snapshot chunk");
  const transferId = r.u32("transfer id");
  const offset = r.u64("offset");
  if (offset > BigInt(Number.MAX_SAFE_INTEGER)) r.fail(`offset ${offset} exceeds 2^53`);
  return { transferId, offset: Number(offset), data: r.rest() };
}

export function encodeSnapEnd(v: SnapEnd): Buffer {
  const w = new WireWriter();
  w.u32(v.transferId);
  w.varint(v.totalBytes);
  w.u32(v.crc32);
  return encodeFrame(FrameKind.SnapEnd, w.finish());
}

export function decodeSnapEnd(payload: Uint8Array): SnapEnd {
  const r = new WireReader(payload, "snapshot end");
  const v = { transferId: r.u32("transfer id"), totalBytes: r.varint("total bytes"), crc32: r.u32("crc32") };
  r.end();
  return v;
}
