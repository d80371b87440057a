// The seeded generator of operation scripts for the differential test. A script is a list of steps,
// each one request by one of a few session slots, drawn from a small pool of paths under a root of
// its own so that creates, deletes, watches and ACL checks keep colliding. The generator keeps no
// model of the tree: both servers run the same blind script and their answers are compared. Besides
// requests, a slot may lose its connection and resume the session with setWatches, and a few seeds
// let one short-timeout session expire while the others watch its ephemerals go. Every request
// goes out under an xid of its own choosing (XidChooser): mostly a session's next number, as most
// clients send, but also the Java client's fixed ones on any opcode, zero, reused and wild values.

import { generateDigest } from "../../../src/data/acl.js";
import { CreateFlag, OpCode, WatcherType } from "../../../src/protocol/constants.js";
import type { ACL } from "../../../src/protocol/data.js";
import type { MultiOp, Request } from "../../../src/protocol/requests.js";
import { SeededRandom } from "../../../src/storage/sim-file-system.js";

/** Which relative zxid a resumed session re-registers its watches with. */
export type Relative =
  | { readonly kind: "last" }
  | { readonly kind: "zero" }
  | { readonly kind: "step"; readonly step: number };

export interface Reconnect {
  readonly session: number;
  readonly kind: "reconnect";
  /** Credentials sent again on the new connection before the watches, as the Java client does. */
  readonly credentials: readonly string[];
  /** The xid of each credential's auth packet. */
  readonly authXids: readonly number[];
  readonly setWatchesXid: number;
  readonly opcode: typeof OpCode.setWatches | typeof OpCode.setWatches2;
  readonly relative: Relative;
  readonly dataWatches: readonly string[];
  readonly existWatches: readonly string[];
  readonly childWatches: readonly string[];
  readonly persistentWatches: readonly string[];
  readonly persistentRecursiveWatches: readonly string[];
}

export type Step =
  | { readonly session: number; readonly kind: "connect"; readonly timeOutMs: number }
  | {
      readonly session: number;
      readonly kind: "auth";
      readonly scheme: string;
      readonly credential: string;
      readonly xid: number;
    }
  | { readonly session: number; readonly kind: "request"; readonly request: Request; readonly xid: number }
  /** Drops the socket without closeSession: the session lives on, the connection's watches go. */
  | { readonly session: number; readonly kind: "disconnect" }
  | Reconnect
  /** Stops pinging the session and waits until the server has expired it and removed its ephemerals. */
  | { readonly session: number; readonly kind: "expire" };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A step as the generator draws it, before XidChooser numbers its packets. */
type Draft = DistributiveOmit<Step, "xid" | "authXids" | "setWatchesXid">;

export interface Script {
  readonly seed: number;
  readonly root: string;
  readonly sessions: number;
  readonly steps: readonly Step[];
}

/** The storage simulator's seeded generator (mulberry32), with the picks the script generator needs. */
export class Rng extends SeededRandom {
  int(below: number): number {
    return this.below(below);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** Picks by weight; weights need not sum to anything in particular. */
  weighted<T>(choices: readonly (readonly [number, T])[]): T {
    const total = choices.reduce((sum, [w]) => sum + w, 0);
    let x = this.next() * total;
    for (const [w, value] of choices) {
      x -= w;
      if (x < 0) return value;
    }
    return choices[choices.length - 1]![1];
  }
}

/**
 * The digest id ZooKeeper derives from a digest credential, user:base64(sha1(credential)), with
 * everything before the first colon (or all of a credential without one) as the user. Shared with
 * the server: a wrong derivation would still show, as ZooKeeper refusing what Paddock allows.
 */
export const digestId = generateDigest;

const INT32_MAX = 0x7fffffff;

/**
 * The xids a script's packets go out under. A client may number its requests as it likes: the
 * server must answer each (but a ping) under the request's own xid, whichever it is. -1 is never
 * drawn: a reply under it cannot be told from a notification, by this runner or by any client.
 * It draws from a generator of its own, so adding it left every seed's operations as they were.
 */
class XidChooser {
  private readonly rng: Rng;
  private readonly next: number[];
  private readonly last: number[];

  constructor(seed: number, sessions: number) {
    this.rng = new Rng(seed ^ 0x5eed1d5);
    this.next = new Array<number>(sessions).fill(1);
    this.last = new Array<number>(sessions).fill(1);
  }

  /** `special` is the Java client's xid for the packet (-4 auth, -8 setWatches), if it has one. */
  pick(session: number, special?: number): number {
    const rng = this.rng;
    const xid = rng.weighted<() => number>([
      [80, () => this.next[session]!++],
      [6, () => special ?? rng.pick([-2, -4, -8])],
      [3, () => 0],
      [3, () => 1 + rng.int(INT32_MAX)],
      [3, () => -2 - rng.int(INT32_MAX - 1)],
      [3, () => this.last[session]!],
      [2, () => INT32_MAX],
    ])();
    this.last[session] = xid;
    return xid;
  }

  number(draft: Draft): Step {
    switch (draft.kind) {
      case "request":
      case "auth":
        return { ...draft, xid: this.pick(draft.session, draft.kind === "auth" ? -4 : undefined) };
      case "reconnect":
        return {
          ...draft,
          authXids: draft.credentials.map(() => this.pick(draft.session, -4)),
          setWatchesXid: this.pick(draft.session, -8),
        };
      default:
        return draft;
    }
  }
}

/** carol logs in without a colon: ZooKeeper takes the whole string as user and as password. */
export const CREDENTIALS = {
  alice: "alice:secret",
  bob: "bob:hunter2",
  carol: "carol",
  super: "super:overlord",
} as const;
const ALICE = digestId(CREDENTIALS.alice);
const BOB = digestId(CREDENTIALS.bob);
const CAROL = digestId(CREDENTIALS.carol);
/** Both servers are started with this as their super digest: a session that logs in as it skips every ACL. */
export const SUPER_DIGEST = digestId(CREDENTIALS.super);

export const SESSION_SLOTS = 3;

/** The timeout most sessions ask for: long enough that no pause in a script expires them. */
export const SESSION_TIMEOUT_MS = 30_000;
/** The timeout an expiring session asks for: 2 x tickTime, the smallest both servers allow. */
const EXPIRING_SESSION_TIMEOUT_MS = 4_000;
/** One seed in this many lets a session expire; each expiry costs 4 to 6 s of waiting. */
const EXPIRY_EVERY_SEEDS = 25;
/** Steps the short-timeout session acts in before it stops pinging. */
const EXPIRING_SESSION_STEPS = 10;

const world = (perms: number): ACL => ({ perms, id: { scheme: "world", id: "anyone" } });
const digest = (id: string, perms: number): ACL => ({ perms, id: { scheme: "digest", id } });
const ip = (addr: string, perms: number): ACL => ({ perms, id: { scheme: "ip", id: addr } });

/** ACL lists by name, so a printed script says which one a step used. */
export const ACL_CHOICES: readonly (readonly [number, string, ACL[] | null])[] = [
  [10, "open", [world(31)]],
  [2, "world-read", [world(1)]],
  [1, "world-read-write", [world(3)]],
  [1, "world-no-read", [world(30)]],
  [2, "alice-all+world-read", [digest(ALICE, 31), world(1)]],
  [2, "alice-all", [digest(ALICE, 31)]],
  [1, "bob-all", [digest(BOB, 31)]],
  [1, "carol-all", [digest(CAROL, 31)]],
  [1, "alice-read+bob-admin", [digest(ALICE, 1), digest(BOB, 16)]],
  [2, "ip-loopback", [ip("127.0.0.1", 31)]],
  [1, "ip-cidr-loopback", [ip("127.0.0.0/8", 31)]],
  [1, "ip-elsewhere+world-read", [ip("10.0.0.0/8", 31), world(1)]],
  [1, "creator-all", [{ perms: 31, id: { scheme: "auth", id: "" } }]],
  [1, "duplicate-world", [world(31), world(31)]],
  [1, "empty", []],
  [1, "null", null],
  [1, "digest-no-colon", [digest("alice", 31)]],
  [1, "unknown-scheme", [{ perms: 31, id: { scheme: "nosuch", id: "x" } }]],
];

const NAMES = ["a", "b", "c"] as const;
const SEQUENCE_GUESSES = ["q-0000000000", "q-0000000001", "q-0000000002"] as const;

/**
 * Every path the script may touch, relative to its root, grouped by depth. Shallow paths are drawn
 * most often so that parents exist and deeper operations get past NONODE.
 */
function relativePaths(): string[][] {
  const depth1: string[] = [...NAMES, ...SEQUENCE_GUESSES];
  const depth2: string[] = [];
  const depth3: string[] = [];
  for (const a of NAMES) {
    for (const b of NAMES) {
      depth2.push(`${a}/${b}`);
      depth3.push(`${a}/${b}/${NAMES[0]}`);
    }
    for (const q of SEQUENCE_GUESSES) depth2.push(`${a}/${q}`);
  }
  return [depth1, depth2, depth3];
}

const TTL_CHOICES: readonly (readonly [number, bigint])[] = [
  [8, 3_600_000n],
  [1, 0n],
  [1, -1n],
  [1, 0x10000000000n],
];

export function generateScript(seed: number, stepCount: number): Script {
  const rng = new Rng(seed);
  const xids = new XidChooser(seed, SESSION_SLOTS);
  const root = `/diff-${seed}`;
  const paths = relativePaths();
  const steps: Step[] = [];
  const open = new Array<boolean>(SESSION_SLOTS).fill(false);
  // ZooKeeper 3.8.0 keeps one watch mode per session and path, 3.9 keeps a standard and persistent
  // watches side by side (ZOOKEEPER-4466) and removes them by type (ZOOKEEPER-4471). Scripts stay
  // where both agree: no standard watch where the session has a persistent one, no persistent
  // watch where it may have a standard one, one addWatch mode per path, and check/removeWatches of
  // type Any on paths with a persistent watch. These remember per slot what was asked for.
  const persistent = Array.from({ length: SESSION_SLOTS }, () => new Map<string, number>());
  const standard = Array.from({ length: SESSION_SLOTS }, () => new Set<string>());
  let slot = 0;
  const watchRead = (type: 3 | 4 | 8 | 12): Request => {
    const path = readPath();
    const watch = rng.chance(0.6) && !persistent[slot]!.has(path);
    if (watch) standard[slot]!.add(path);
    return { type, path, watch };
  };
  const addWatch = (): Request => {
    const path = readPath();
    if (standard[slot]!.has(path)) return { type: OpCode.sync, path };
    const mode = persistent[slot]!.get(path) ?? rng.pick([0, 1]);
    persistent[slot]!.set(path, mode);
    return { type: OpCode.addWatch, path, mode };
  };
  const watchesRequest = (): Request => {
    const path = readPath();
    const type = rng.pick([OpCode.checkWatches, OpCode.removeWatches] as const);
    // Persistent (4) and PersistentRecursive (5) are 3.9 types (ZOOKEEPER-4472): 3.8.0 answers
    // them with MARSHALLINGERROR, so the reference cannot say what the answer should be.
    const watcherType = persistent[slot]!.has(path)
      ? WatcherType.Any
      : rng.pick([WatcherType.Children, WatcherType.Data, WatcherType.Any]);
    if (type === OpCode.removeWatches && watcherType === WatcherType.Any) persistent[slot]!.delete(path);
    return { type, path, watcherType };
  };

  const anyPath = (): string =>
    `${root}/${rng.pick(
      rng.weighted([
        [6, paths[0]!],
        [3, paths[1]!],
        [1, paths[2]!],
      ]),
    )}`;
  // Reads and watches may also look at the root itself, writes never delete it.
  const readPath = (): string => (rng.chance(0.1) ? root : anyPath());
  const data = (): Buffer | null =>
    rng.weighted<Buffer | null>([
      [6, Buffer.from(`v${rng.int(100)}`)],
      [1, Buffer.alloc(0)],
      [1, null],
    ]);
  const version = (): number =>
    rng.weighted([
      [4, -1],
      [3, 0],
      [2, 1],
      [1, 2],
    ]);
  const acl = (): ACL[] | null => rng.weighted(ACL_CHOICES.map(([w, , list]) => [w, list] as const));

  const createOp = (): MultiOp => {
    const flags = rng.weighted([
      [5, CreateFlag.PERSISTENT],
      [3, CreateFlag.EPHEMERAL],
      [2, CreateFlag.PERSISTENT_SEQUENTIAL],
      [2, CreateFlag.EPHEMERAL_SEQUENTIAL],
      [2, CreateFlag.CONTAINER],
      [2, CreateFlag.PERSISTENT_WITH_TTL],
      [1, CreateFlag.PERSISTENT_SEQUENTIAL_WITH_TTL],
      [0.5, 7],
    ]);
    const sequential = flags === 2 || flags === 3 || flags === 6;
    const path = sequential
      ? `${root}/${rng.pick([...NAMES, ""].map((n) => (n ? `${n}/q-` : "q-")))}`
      : anyPath();
    const base = { path, data: data(), acl: acl(), flags };
    // Mostly the opcode a Java client would use for the mode, sometimes a mismatched one.
    let type: 1 | 15 | 19 | 21;
    if (flags === 4) type = rng.chance(0.85) ? OpCode.createContainer : rng.pick([1, 15] as const);
    else if (flags === 5 || flags === 6) type = rng.chance(0.85) ? OpCode.createTTL : OpCode.create;
    else
      type = rng.weighted([
        [6, 1],
        [6, 15],
        [1, 21],
        [1, 19],
      ] as const);
    // createTTL with a non-TTL mode and a negative ttl passes ZooKeeper's checks and then crashes
    // it when the node is applied (3.8.0 exits; EphemeralType rejects the ttl too late), so a
    // mismatched createTTL always carries a positive ttl and is refused with BADARGUMENTS.
    const ttlMode = flags === 5 || flags === 6;
    if (type === OpCode.createTTL)
      return { type, ...base, ttl: ttlMode ? rng.weighted(TTL_CHOICES) : 3_600_000n };
    return { type, ...base };
  };

  // Inside multi, 3.8.0 decays createContainer to create while 3.9 applies it as a container
  // whatever its flags (PrepRequestProcessor writes a CreateContainerTxn): with ephemeral flags one
  // makes an ephemeral and the other a container, which no normalisation can reconcile afterwards.
  const multiCreateOp = (): MultiOp => {
    const op = createOp();
    if (op.type === OpCode.createContainer && (op.flags === 1 || op.flags === 3))
      return { ...op, type: OpCode.create };
    return op;
  };

  const writeOp = (): MultiOp =>
    rng.weighted<() => MultiOp>([
      [4, multiCreateOp],
      [2, () => ({ type: OpCode.delete, path: anyPath(), version: version() })],
      [2, () => ({ type: OpCode.setData, path: anyPath(), data: data(), version: version() })],
      [2, () => ({ type: OpCode.check, path: readPath(), version: version() })],
    ])();

  const request = (): Request =>
    rng.weighted<() => Request>([
      [14, createOp],
      [5, () => ({ type: OpCode.delete, path: anyPath(), version: version() })],
      [4, () => watchRead(OpCode.exists)],
      [5, () => watchRead(OpCode.getData)],
      [6, () => ({ type: OpCode.setData, path: anyPath(), data: data(), version: version() })],
      [2, () => ({ type: OpCode.getACL, path: readPath() })],
      [2, () => ({ type: OpCode.setACL, path: anyPath(), acl: acl(), version: version() })],
      [3, () => watchRead(OpCode.getChildren)],
      [3, () => watchRead(OpCode.getChildren2)],
      [1, () => ({ type: OpCode.sync, path: readPath() })],
      [
        5,
        () => {
          const ops = Array.from({ length: 1 + rng.int(4) }, writeOp);
          // A check with an impossible version fails the multi at a chosen position.
          if (rng.chance(0.3))
            ops.splice(rng.int(ops.length + 1), 0, { type: OpCode.check, path: root, version: 99 });
          return { type: OpCode.multi, ops };
        },
      ],
      [
        2,
        () => ({
          type: OpCode.multiRead,
          ops: Array.from({ length: 1 + rng.int(3) }, () => ({
            type: rng.pick([OpCode.getData, OpCode.getChildren] as const),
            path: readPath(),
            watch: false,
          })),
        }),
      ],
      [1, () => ({ type: OpCode.getEphemerals, path: rng.pick([root, `${root}/a`, "/", `${root}/q`]) })],
      [1, () => ({ type: OpCode.getAllChildrenNumber, path: readPath() })],
      [1, () => ({ type: OpCode.whoAmI })],
      [2, watchesRequest],
      [2, addWatch],
      [1, () => ({ type: OpCode.closeSession })],
    ])();

  const detached = new Array<boolean>(SESSION_SLOTS).fill(false);
  // What each slot logged in with on its current connection, for a resumed session to send again.
  const credentials = Array.from({ length: SESSION_SLOTS }, () => [] as string[]);
  const push = (draft: Draft): void => {
    const step = xids.number(draft);
    switch (step.kind) {
      case "connect":
        open[step.session] = true;
        detached[step.session] = false;
        credentials[step.session] = [];
        persistent[step.session]!.clear();
        standard[step.session]!.clear();
        break;
      case "auth":
        credentials[step.session]!.push(step.credential);
        break;
      case "request":
        if (step.request.type === OpCode.closeSession) open[step.session] = false;
        break;
      case "disconnect":
        // Watches belong to the connection: the server drops them with it.
        detached[step.session] = true;
        persistent[step.session]!.clear();
        standard[step.session]!.clear();
        break;
      case "reconnect":
        detached[step.session] = false;
        credentials[step.session] = [...step.credentials];
        for (const path of [...step.dataWatches, ...step.existWatches, ...step.childWatches])
          standard[step.session]!.add(path);
        for (const path of step.persistentWatches) persistent[step.session]!.set(path, 0);
        for (const path of step.persistentRecursiveWatches) persistent[step.session]!.set(path, 1);
        break;
      case "expire":
        open[step.session] = false;
        break;
    }
    steps.push(step);
  };

  /** Watch lists drawn blind from the path pool, kept to what 3.8 and 3.9 treat alike. */
  const reconnect = (session: number): Omit<Reconnect, "authXids" | "setWatchesXid"> => {
    const opcode = rng.chance(0.6) ? OpCode.setWatches2 : OpCode.setWatches;
    const relative = rng.weighted<() => Relative>([
      [5, () => ({ kind: "last" })],
      [3, () => ({ kind: "step", step: rng.int(steps.length) })],
      [1, () => ({ kind: "zero" })],
    ])();
    const standardPaths = new Set<string>();
    const draw = (count: number): string[] => {
      const out: string[] = [];
      for (let k = 0; k < count; k++) {
        const path = readPath();
        standardPaths.add(path);
        out.push(path);
      }
      return out;
    };
    const dataWatches = draw(rng.int(4));
    const existWatches = draw(rng.int(3));
    const childWatches = draw(rng.int(4));
    // A persistent path is never also a standard one or of the other persistent mode (normalise.ts,
    // difference 6); a clashing draw is dropped rather than redrawn.
    const persistentWatches: string[] = [];
    const persistentRecursiveWatches: string[] = [];
    if (opcode === OpCode.setWatches2) {
      for (let k = rng.int(3); k > 0; k--) {
        const path = readPath();
        if (!standardPaths.has(path) && !persistentRecursiveWatches.includes(path))
          persistentWatches.push(path);
      }
      for (let k = rng.int(3); k > 0; k--) {
        const path = readPath();
        if (!standardPaths.has(path) && !persistentWatches.includes(path))
          persistentRecursiveWatches.push(path);
      }
    }
    return {
      session,
      kind: "reconnect",
      credentials: rng.chance(0.7) ? [...credentials[session]!] : [],
      opcode,
      relative,
      dataWatches,
      existWatches,
      childWatches,
      persistentWatches,
      persistentRecursiveWatches,
    };
  };

  /** Makes a slot usable for requests: resumes a detached session, opens a closed slot. */
  const ready = (session: number): void => {
    if (detached[session]) push(reconnect(session));
    if (!open[session]) push({ session, kind: "connect", timeOutMs: SESSION_TIMEOUT_MS });
  };
  const requestBy = (session: number, request: Request): void => push({ session, kind: "request", request });

  // The expiry scenario: a fresh short-timeout session creates ephemerals that another session
  // watches, takes part in the script for a while, then stops pinging until the server expires it.
  let expiryPlan: { readonly at: number; readonly slot: number } | undefined;
  if (seed % EXPIRY_EVERY_SEEDS === 0 && stepCount >= 3 * EXPIRING_SESSION_STEPS) {
    expiryPlan = { at: Math.floor(stepCount * (0.2 + 0.3 * rng.next())), slot: rng.int(SESSION_SLOTS) };
  }
  let expiring = -1;
  let expireAt = -1;
  const beginExpiry = (session: number): void => {
    if (detached[session]) push(reconnect(session));
    if (open[session]) requestBy(session, { type: OpCode.closeSession });
    push({ session, kind: "connect", timeOutMs: EXPIRING_SESSION_TIMEOUT_MS });
    const ephemeral = `${root}/${rng.pick(NAMES)}`;
    requestBy(session, { type: OpCode.create, path: ephemeral, data: null, acl: [world(31)], flags: 1 });
    requestBy(session, { type: OpCode.create, path: `${root}/a/q-`, data: null, acl: acl(), flags: 3 });
    const watcher = (session + 1) % SESSION_SLOTS;
    ready(watcher);
    for (const [type, path] of [
      [OpCode.exists, ephemeral],
      [OpCode.getChildren, `${root}/a`],
    ] as const) {
      const watch = !persistent[watcher]!.has(path);
      if (watch) standard[watcher]!.add(path);
      requestBy(watcher, { type, path, watch });
    }
    expiring = session;
    expireAt = steps.length + EXPIRING_SESSION_STEPS;
  };
  const finishExpiry = (): void => {
    push({ session: expiring, kind: "expire" });
    // Another session then looks at where the ephemerals were, to see they are gone.
    const checker = (expiring + 1) % SESSION_SLOTS;
    ready(checker);
    requestBy(checker, {
      type: OpCode.multiRead,
      ops: [root, ...NAMES.map((n) => `${root}/${n}`)].map((path) => ({
        type: OpCode.getChildren,
        path,
        watch: false,
      })),
    });
    expiring = -1;
  };

  for (let s = 0; s < SESSION_SLOTS; s++)
    push({ session: s, kind: "connect", timeOutMs: SESSION_TIMEOUT_MS });
  // Two open persistent children give the script parents to work under from the start.
  for (const path of [root, `${root}/a`, `${root}/b`]) {
    requestBy(0, { type: OpCode.create, path, data: null, acl: [world(31)], flags: 0 });
  }
  while (steps.length < stepCount) {
    if (expiryPlan !== undefined && steps.length >= expiryPlan.at) {
      beginExpiry(expiryPlan.slot);
      expiryPlan = undefined;
      continue;
    }
    if (expiring >= 0 && steps.length >= expireAt) {
      finishExpiry();
      continue;
    }
    const session = rng.int(SESSION_SLOTS);
    if (!open[session]) {
      push({ session, kind: "connect", timeOutMs: SESSION_TIMEOUT_MS });
      continue;
    }
    if (detached[session]) {
      push(reconnect(session));
      continue;
    }
    // The expiring session keeps its one connection until it expires.
    if (session !== expiring && rng.chance(0.03)) {
      push({ session, kind: "disconnect" });
      continue;
    }
    if (rng.chance(0.04)) {
      const user = rng.weighted([
        [2, "alice"],
        [2, "bob"],
        [1, "carol"],
        [1, "super"],
      ] as const);
      push({ session, kind: "auth", scheme: "digest", credential: CREDENTIALS[user] });
      continue;
    }
    slot = session;
    const next = request();
    requestBy(
      session,
      session === expiring && next.type === OpCode.closeSession ? { type: OpCode.sync, path: root } : next,
    );
  }
  if (expiring >= 0) finishExpiry();
  return { seed, root, sessions: SESSION_SLOTS, steps };
}
