// fast-check generators for log entries: arbitrary ones (any strings and numbers, for codec
// round-trips) and "plausible" ones over a small path and session universe, so random programs
// actually collide on paths, versions, ACLs and sessions and reach the interesting error branches.

import fc from "fast-check";
import { digestOf } from "../../../src/data/acl.js";
import type { ACL, Id } from "../../../src/protocol/data.js";
import type { MultiOp } from "../../../src/protocol/requests.js";
import type { CreateOpcode, Entry, Txn } from "../../../src/state/entry.js";

/** fc.record with ordinary prototypes, so strict deepEqual compares decoded entries with generated ones. */
function rec<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true });
}

const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const text = fc.string({ unit: "binary", maxLength: 12 });
const bytes = fc.option(
  fc.uint8Array({ maxLength: 16 }).map((u) => Buffer.from(u)),
  { nil: null },
);
const anyId: fc.Arbitrary<Id> = rec({ scheme: text, id: text });
const anyAcl = fc.option(fc.array(rec({ perms: int32, id: anyId }), { maxLength: 3 }), { nil: null });
const createOpcode = fc.constantFrom<CreateOpcode>(1, 15, 19, 21);

const anyMultiOp: fc.Arbitrary<MultiOp> = fc.oneof(
  rec({ type: fc.constantFrom<1 | 15 | 19>(1, 15, 19), path: text, data: bytes, acl: anyAcl, flags: int32 }),
  rec({ type: fc.constant<21>(21), path: text, data: bytes, acl: anyAcl, flags: int32, ttl: int64 }),
  rec({ type: fc.constantFrom<2 | 13>(2, 13), path: text, version: int32 }),
  rec({ type: fc.constant<5>(5), path: text, data: bytes, version: int32 }),
);

const anyTxn: fc.Arbitrary<Txn> = fc.oneof(
  rec({ kind: fc.constant("createSession" as const), timeoutMs: int32 }),
  fc.constant({ kind: "closeSession" as const }),
  rec({
    kind: fc.constant("create" as const),
    opcode: createOpcode,
    request: rec({ path: text, data: bytes, acl: anyAcl, flags: int32, ttl: int64 }),
  }),
  rec({ kind: fc.constant("delete" as const), request: rec({ path: text, version: int32 }) }),
  rec({ kind: fc.constant("setData" as const), request: rec({ path: text, data: bytes, version: int32 }) }),
  rec({ kind: fc.constant("setACL" as const), request: rec({ path: text, acl: anyAcl, version: int32 }) }),
  rec({ kind: fc.constant("multi" as const), ops: fc.array(anyMultiOp, { maxLength: 4 }) }),
  rec({ kind: fc.constant("deleteContainer" as const), path: text }),
  rec({ kind: fc.constant("epochStart" as const) }),
  rec({
    kind: fc.constant("membership" as const),
    change: fc.uint8Array({ maxLength: 32 }).map((b) => Buffer.from(b)),
  }),
);

const anyOrigin = rec({
  server: fc.integer({ min: 1, max: 255 }),
  incarnation: fc.maxSafeNat(),
  seq: fc.maxSafeNat(),
});

/** Any entry the codec must carry; most are nonsense to the state machine. */
export function entryArbitrary(): fc.Arbitrary<Entry> {
  return fc.oneof(
    rec({
      zxid: int64,
      timeMs: int64,
      sessionId: int64,
      authIds: fc.array(anyId, { maxLength: 3 }),
      txn: anyTxn,
    }),
    rec({
      zxid: int64,
      timeMs: int64,
      sessionId: int64,
      authIds: fc.array(anyId, { maxLength: 3 }),
      origin: anyOrigin,
      txn: anyTxn,
    }),
  );
}

// Plausible programs.

const PATHS = ["/a", "/b", "/a/x", "/a/y", "/b/x", "/a/x/z", "/zookeeper", "/a/", "/"];
const ALICE: Id = { scheme: "digest", id: digestOf("alice", "pw") };
const IDENTITIES: readonly (readonly Id[])[] = [
  [{ scheme: "ip", id: "127.0.0.1" }],
  [{ scheme: "ip", id: "10.1.2.3" }, ALICE],
  [{ scheme: "super", id: "" }],
];
const ACLS: readonly (readonly ACL[] | null)[] = [
  [{ perms: 31, id: { scheme: "world", id: "anyone" } }],
  [{ perms: 1, id: { scheme: "world", id: "anyone" } }],
  [{ perms: 31, id: { scheme: "auth", id: "" } }],
  [{ perms: 31, id: { scheme: "ip", id: "10.0.0.0/8" } }],
  [
    { perms: 15, id: { scheme: "digest", id: ALICE.id } },
    { perms: 1, id: { scheme: "world", id: "anyone" } },
  ],
  [],
  null,
];

const path = fc.constantFrom(...PATHS);
const data = fc.constantFrom<Buffer | null>(
  null,
  Buffer.alloc(0),
  Buffer.from("x"),
  Buffer.from("longer data"),
);
const version = fc.constantFrom(-1, 0, 1, 2);
const acl = fc.constantFrom(...ACLS);
const flags = fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 9);

const plausibleCreate = rec({
  type: fc.constantFrom<1 | 15 | 19>(1, 15, 19),
  path,
  data,
  acl,
  flags,
});

const plausibleOp: fc.Arbitrary<MultiOp> = fc.oneof(
  plausibleCreate,
  rec({
    type: fc.constant<21>(21),
    path,
    data,
    acl,
    flags,
    ttl: fc.constantFrom(-1n, 0n, 1000n),
  }),
  rec({ type: fc.constantFrom<2 | 13>(2, 13), path, version }),
  rec({ type: fc.constant<5>(5), path, data, version }),
);

const plausibleTxn: fc.Arbitrary<Txn> = fc.oneof(
  {
    weight: 1,
    arbitrary: rec({ kind: fc.constant("createSession" as const), timeoutMs: fc.constant(30000) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "closeSession" as const }) },
  {
    weight: 5,
    arbitrary: plausibleCreate.map(
      (c): Txn => ({ kind: "create", opcode: c.type, request: { ...c, ttl: -1n } }),
    ),
  },
  { weight: 3, arbitrary: rec({ kind: fc.constant("delete" as const), request: rec({ path, version }) }) },
  {
    weight: 3,
    arbitrary: rec({ kind: fc.constant("setData" as const), request: rec({ path, data, version }) }),
  },
  {
    weight: 1,
    arbitrary: rec({ kind: fc.constant("setACL" as const), request: rec({ path, acl, version }) }),
  },
  {
    weight: 3,
    arbitrary: rec({ kind: fc.constant("multi" as const), ops: fc.array(plausibleOp, { maxLength: 5 }) }),
  },
  { weight: 1, arbitrary: rec({ kind: fc.constant("deleteContainer" as const), path }) },
);

/** One step of a program: a txn and who runs it; zxids and times are stamped when the program runs. */
export interface Step {
  readonly txn: Txn;
  readonly sessionId: bigint;
  readonly authIds: readonly Id[];
}

export const stepArbitrary: fc.Arbitrary<Step> = rec({
  txn: plausibleTxn,
  sessionId: fc.constantFrom(1n, 2n, 3n),
  authIds: fc.constantFrom(...IDENTITIES),
});

export const multiStepArbitrary: fc.Arbitrary<Step> = rec({
  txn: fc.array(plausibleOp, { minLength: 1, maxLength: 6 }).map((ops): Txn => ({ kind: "multi", ops })),
  sessionId: fc.constantFrom(1n, 2n, 3n),
  authIds: fc.constantFrom(...IDENTITIES),
});

/** Creates the sessions steps run as, so that writes reach their other checks until a session closes. */
export function withLiveSessions(steps: readonly Step[]): Step[] {
  const open = [1n, 2n, 3n].map(
    (sessionId): Step => ({ txn: { kind: "createSession", timeoutMs: 30000 }, sessionId, authIds: [] }),
  );
  return [...open, ...steps];
}

/** Stamps steps into entries with increasing zxids and times. */
export function toEntries(steps: readonly Step[], firstZxid = 1n): Entry[] {
  return steps.map((s, i) => ({
    zxid: firstZxid + BigInt(i),
    timeMs: 1_700_000_000_000n + BigInt(i) * 10n,
    sessionId: s.sessionId,
    authIds: s.authIds,
    txn: s.txn,
  }));
}
