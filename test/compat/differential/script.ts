// The seeded generator of operation scripts for the differential test. A script is a list of steps,
// each one request by one of a few session slots, drawn from a small pool of paths under a root of
// its own so that creates, deletes, watches and ACL checks keep colliding. The generator keeps no
// model of the tree: both servers run the same blind script and their answers are compared.

import { createHash } from "node:crypto";
import { CreateFlag, OpCode, WatcherType } from "../../../src/protocol/constants.js";
import type { ACL } from "../../../src/protocol/data.js";
import type { MultiOp, Request } from "../../../src/protocol/requests.js";

export type Step =
  | { readonly session: number; readonly kind: "connect" }
  | { readonly session: number; readonly kind: "auth"; readonly scheme: string; readonly credential: string }
  | { readonly session: number; readonly kind: "request"; readonly request: Request };

export interface Script {
  readonly seed: number;
  readonly root: string;
  readonly sessions: number;
  readonly steps: readonly Step[];
}

/** mulberry32: small, fast and the same on every platform, which is all a replayable seed needs. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
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

/** The digest id ZooKeeper derives from `user:password`: user:base64(sha1(user:password)). */
export function digestId(credential: string): string {
  const user = credential.slice(0, credential.indexOf(":"));
  return `${user}:${createHash("sha1").update(credential).digest("base64")}`;
}

export const CREDENTIALS = { alice: "alice:secret", bob: "bob:hunter2" } as const;
const ALICE = digestId(CREDENTIALS.alice);
const BOB = digestId(CREDENTIALS.bob);

export const SESSION_SLOTS = 3;

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

  const writeOp = (): MultiOp =>
    rng.weighted<() => MultiOp>([
      [4, createOp],
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

  const push = (step: Step): void => {
    if (step.kind === "connect") {
      open[step.session] = true;
      persistent[step.session]!.clear();
      standard[step.session]!.clear();
    }
    if (step.kind === "request" && step.request.type === OpCode.closeSession) open[step.session] = false;
    steps.push(step);
  };

  for (let s = 0; s < SESSION_SLOTS; s++) push({ session: s, kind: "connect" });
  // Two open persistent children give the script parents to work under from the start.
  for (const path of [root, `${root}/a`, `${root}/b`]) {
    push({
      session: 0,
      kind: "request",
      request: { type: OpCode.create, path, data: null, acl: [world(31)], flags: 0 },
    });
  }
  while (steps.length < stepCount) {
    const session = rng.int(SESSION_SLOTS);
    if (!open[session]) {
      push({ session, kind: "connect" });
      continue;
    }
    if (rng.chance(0.04)) {
      const user = rng.pick(["alice", "bob"] as const);
      push({ session, kind: "auth", scheme: "digest", credential: CREDENTIALS[user] });
      continue;
    }
    slot = session;
    push({ session, kind: "request", request: request() });
  }
  return { seed, root, sessions: SESSION_SLOTS, steps };
}
