// The binary form of a consensus Message between peers: every field of the record, numbers as
// varints (a heartbeat takes about a dozen bytes), zxids as exact 64-bit fields, payloads as
// length-prefixed bytes. A snapshot's data rides inline only for small snapshots sent with the
// message; snapshot files travel through the chunked stream (snapshot-stream.ts) instead.

import {
  type ConfState,
  type Entry,
  EntryType,
  type Message,
  MessageType,
  type Snapshot,
} from "../../consensus/types.js";
import { FrameKind, frameWriter, sealWriterFrame } from "./frame.js";
import { WireReader, WireWriter } from "./wire.js";

const FLAG_REJECT = 1;
const FLAG_FORCE = 2;
const FLAG_SNAPSHOT = 4;
const FLAGS_KNOWN = FLAG_REJECT | FLAG_FORCE | FLAG_SNAPSHOT;

/** The smallest encoded entry: four one-byte varints or bytes, an 8-byte zxid, an empty payload. */
const ENTRY_BYTES_MIN = 12;

export function encodeMessage(m: Message): Uint8Array {
  const w = new WireWriter(encodedBytesGuess(m));
  writeMessage(w, m);
  return w.finish();
}

/** The message as a Raft frame, encoded in place. */
export function encodeMessageFrame(m: Message): Buffer {
  const w = frameWriter(encodedBytesGuess(m));
  writeMessage(w, m);
  return sealWriterFrame(FrameKind.Raft, w);
}

function encodedBytesGuess(m: Message): number {
  let n = 48 + (m.snapshot ? m.snapshot.data.length + 64 : 0);
  for (const e of m.entries) n += e.data.length + 24;
  return n;
}

function writeMessage(w: WireWriter, m: Message): void {
  w.u8(m.type);
  w.u8((m.reject ? FLAG_REJECT : 0) | (m.force ? FLAG_FORCE : 0) | (m.snapshot ? FLAG_SNAPSHOT : 0));
  w.varint(m.from);
  w.varint(m.to);
  w.varint(m.term);
  w.varint(m.logTerm);
  w.varint(m.index);
  w.varint(m.commit);
  w.varint(m.rejectHint);
  w.varint(m.context);
  w.varint(m.entries.length);
  for (const e of m.entries) {
    w.varint(e.term);
    w.varint(e.index);
    w.u64(e.zxid);
    w.u8(e.type);
    w.bytes(e.data);
  }
  if (m.snapshot) writeSnapshot(w, m.snapshot);
}

function writeSnapshot(w: WireWriter, s: Snapshot): void {
  w.varint(s.meta.index);
  w.varint(s.meta.term);
  w.u64(s.meta.zxid);
  writeIds(w, s.meta.conf.voters);
  writeIds(w, s.meta.conf.learners);
  w.bytes(s.data);
}

function writeIds(w: WireWriter, ids: readonly number[]): void {
  w.varint(ids.length);
  for (const id of ids) w.varint(id);
}

/** Decodes one message; anything malformed throws PeerCodecError naming the field. */
export function decodeMessage(bytes: Uint8Array): Message {
  const r = new WireReader(bytes, "raft message");
  const type = r.u8("type");
  if (type < MessageType.App || type > MessageType.TransferLeader) r.fail(`unknown message type ${type}`);
  const flags = r.u8("flags");
  if ((flags & ~FLAGS_KNOWN) !== 0) r.fail(`unknown flags 0x${flags.toString(16)}`);
  const m: Message = {
    type: type as MessageType,
    from: r.varint("from"),
    to: r.varint("to"),
    term: r.varint("term"),
    logTerm: r.varint("logTerm"),
    index: r.varint("index"),
    commit: r.varint("commit"),
    rejectHint: r.varint("rejectHint"),
    context: r.varint("context"),
    entries: [],
    reject: (flags & FLAG_REJECT) !== 0,
    force: (flags & FLAG_FORCE) !== 0,
    snapshot: null,
  };
  const n = r.count("entry count", ENTRY_BYTES_MIN);
  for (let k = 0; k < n; k++) m.entries.push(readEntry(r));
  if (flags & FLAG_SNAPSHOT) m.snapshot = readSnapshot(r);
  r.end();
  return m;
}

function readEntry(r: WireReader): Entry {
  const term = r.varint("entry term");
  const index = r.varint("entry index");
  const zxid = r.u64("entry zxid");
  const type = r.u8("entry type");
  if (type !== EntryType.Normal && type !== EntryType.ConfChange) r.fail(`unknown entry type ${type}`);
  return { term, index, zxid, type: type as EntryType, data: r.bytes("entry data") };
}

function readSnapshot(r: WireReader): Snapshot {
  const index = r.varint("snapshot index");
  const term = r.varint("snapshot term");
  const zxid = r.u64("snapshot zxid");
  const conf: ConfState = { voters: readIds(r, "voter"), learners: readIds(r, "learner") };
  return { meta: { index, term, zxid, conf }, data: r.bytes("snapshot data") };
}

function readIds(r: WireReader, what: string): number[] {
  const n = r.count(`${what} count`, 1);
  const ids: number[] = [];
  for (let k = 0; k < n; k++) ids.push(r.varint(what));
  return ids;
}
