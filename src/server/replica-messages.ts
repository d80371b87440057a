// What replicas tell each other besides the consensus core's messages, as service payloads of the
// peer transport (FIFO per pair): a follower forwards a write to the leader, and reports which of its
// sessions were active since its last report (ZooKeeper's learner ping reply), so the leader alone
// expires sessions while liveness costs no log entry.

import { JuteDecodeError, JuteReader, JuteWriter } from "../protocol/jute.js";
import { type Entry, type EntryDecoder, encodeEntry } from "../state/entry.js";
import type { EntryDraft } from "../storage/entry-log.js";

export type ReplicaMessage =
  /** A write for the leader to stamp and propose; the origin in it says who answers the client. */
  | { readonly kind: "forward"; readonly draft: EntryDraft }
  /** Sessions touched on the sender since its last report, with their timeouts. */
  | { readonly kind: "touches"; readonly sessions: ReadonlyArray<readonly [bigint, number]> };

const Tag = { forward: 1, touches: 2 } as const;
/** A report naming more sessions than this is refused: no member serves that many. */
const TOUCHES_MAX = 4_000_000;

export function encodeReplicaMessage(m: ReplicaMessage): Uint8Array {
  if (m.kind === "forward") {
    // The draft travels as an entry with zxid 0: the leader assigns the real one.
    const entry = encodeEntry({ zxid: 0n, ...m.draft });
    const out = Buffer.allocUnsafe(1 + entry.length);
    out[0] = Tag.forward;
    entry.copy(out, 1);
    return out;
  }
  const w = new JuteWriter(8 + 12 * m.sessions.length);
  w.writeByte(Tag.touches).writeInt(m.sessions.length);
  for (const [id, timeoutMs] of m.sessions) w.writeLong(id).writeInt(timeoutMs);
  return w.finish();
}

/** Throws JuteDecodeError for anything that is not a whole, well-formed message. */
export function decodeReplicaMessage(bytes: Uint8Array, decoder: EntryDecoder): ReplicaMessage {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length === 0) throw new JuteDecodeError("replica message: empty");
  switch (b[0]) {
    case Tag.forward: {
      const { zxid, ...draft }: Entry = decoder.decode(b, 1, b.length);
      if (zxid !== 0n) throw new JuteDecodeError("replica message: a forwarded write carries a zxid");
      return { kind: "forward", draft };
    }
    case Tag.touches: {
      const r = new JuteReader(b, 1, b.length);
      const count = r.readInt();
      if (count < 0 || count > TOUCHES_MAX || count * 12 > r.remaining) {
        throw new JuteDecodeError(`replica message: ${count} touched sessions`);
      }
      const sessions: [bigint, number][] = [];
      for (let i = 0; i < count; i++) sessions.push([r.readLong(), r.readInt()]);
      r.expectEnd("replica message");
      return { kind: "touches", sessions };
    }
    default:
      throw new JuteDecodeError(`replica message: unknown kind ${b[0]}`);
  }
}
