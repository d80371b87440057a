// fast-check generators (plain objects, as the decoder builds them) for consensus messages spanning every field's range: counters up to 2^53,
// zxids over all 64 bits, entries of both types, and snapshots with and without inline data.

import fc from "fast-check";
import type { Entry, Message, MessageType, Snapshot } from "../../../../src/consensus/types.js";

const counter = fc.oneof(fc.nat(300), fc.maxSafeNat());
const id = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.nat());
const zxid = fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn });

const entry: fc.Arbitrary<Entry> = fc
  .record({
    term: counter,
    index: counter,
    zxid,
    type: fc.constantFrom(0 as const, 1 as const),
    data: fc.uint8Array({ maxLength: 40 }),
  })
  .map((e) => ({ ...e }));

const snapshot: fc.Arbitrary<Snapshot> = fc
  .record({
    meta: fc.record({
      index: counter,
      term: counter,
      zxid,
      conf: fc.record({ voters: fc.array(id, { maxLength: 7 }), learners: fc.array(id, { maxLength: 3 }) }),
    }),
    data: fc.uint8Array({ maxLength: 64 }),
  })
  .map((s) => ({ meta: { ...s.meta, conf: { ...s.meta.conf } }, data: s.data }));

export const message: fc.Arbitrary<Message> = fc
  .record({
    type: fc.integer({ min: 1, max: 13 }).map((t) => t as MessageType),
    from: id,
    to: id,
    term: counter,
    logTerm: counter,
    index: counter,
    entries: fc.array(entry, { maxLength: 5 }),
    commit: counter,
    reject: fc.boolean(),
    rejectHint: counter,
    snapshot: fc.option(snapshot, { nil: null }),
    context: counter,
    force: fc.boolean(),
  })
  .map((m) => ({ ...m }));
