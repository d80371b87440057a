// multi and multiRead: the operation and result types, the transaction builder, and the mapping of
// MultiResponse entries to typed results. A multi is all-or-nothing; when it fails, the caller gets
// the typed error of the first failing op, carrying that op's index and every op's code (ZooKeeper
// reports ops before the failure as 0 and after it as RUNTIMEINCONSISTENCY).

import { OpCode } from "../protocol/constants.js";
import type { ACL, Stat } from "../protocol/data.js";
import { OPEN_ACL_UNSAFE } from "../protocol/data.js";
import type { MultiOp } from "../protocol/requests.js";
import type { MultiResult } from "../protocol/responses.js";
import { toClientPath, toServerPath, validatePath } from "./connect-string.js";
import { ClientError, type ServerError, serverError } from "./errors.js";

/** How a node is created: lifetime (persistent, ephemeral, container, TTL) and whether sequential. */
export type CreateMode =
  | "persistent"
  | "ephemeral"
  | "persistentSequential"
  | "ephemeralSequential"
  | "container"
  | "persistentWithTtl"
  | "persistentSequentialWithTtl";

const createFlags: Record<CreateMode, number> = {
  persistent: 0,
  ephemeral: 1,
  persistentSequential: 2,
  ephemeralSequential: 3,
  container: 4,
  persistentWithTtl: 5,
  persistentSequentialWithTtl: 6,
};

/** Options of `create`, `createWithStat` and `Transaction.create`. */
export interface CreateOptions {
  /** Default "persistent". */
  readonly mode?: CreateMode;
  /** Default OPEN_ACL_UNSAFE. */
  readonly acl?: readonly ACL[];
  /** Milliseconds an empty TTL node lives unmodified; required for the TTL modes, refused for the others. */
  readonly ttlMs?: number;
}

/** Node data: bytes, a string (sent as UTF-8), or null for none. */
export type Data = Buffer | string | null;

export function toBuffer(data: Data): Buffer | null {
  return typeof data === "string" ? Buffer.from(data, "utf8") : data;
}

/** The create request for `options`, on a server path; the opcode always returns a Stat. */
export function createRequest(serverPath: string, data: Data, options: CreateOptions = {}): MultiOp {
  const mode = options.mode ?? "persistent";
  const flags = createFlags[mode];
  const withTtl = mode === "persistentWithTtl" || mode === "persistentSequentialWithTtl";
  if (withTtl !== (options.ttlMs !== undefined)) {
    throw new ClientError(
      "PDK_BAD_ARGUMENT",
      `ttlMs is ${withTtl ? "required" : "only allowed"} for TTL modes`,
    );
  }
  const base = { path: serverPath, data: toBuffer(data), acl: options.acl ?? OPEN_ACL_UNSAFE, flags };
  if (withTtl) return { type: OpCode.createTTL, ...base, ttl: BigInt(options.ttlMs!) };
  return { type: mode === "container" ? OpCode.createContainer : OpCode.create2, ...base };
}

export function isSequential(options: CreateOptions = {}): boolean {
  return (options.mode ?? "persistent").includes("equential");
}

/** The result of one op of a committed multi, in the order the ops were added. */
export type OpResult =
  | { readonly type: "create"; readonly path: string; readonly stat: Stat | undefined }
  | { readonly type: "delete" }
  | { readonly type: "setData"; readonly stat: Stat }
  | { readonly type: "check" };

/** One read of a `multiRead`. */
export type ReadOp =
  | { readonly type: "getData"; readonly path: string }
  | { readonly type: "getChildren"; readonly path: string };

/** One result of a `multiRead`; a failed read is an entry with its error, not a rejection. */
export type ReadResult =
  | { readonly type: "getData"; readonly data: Buffer | null; readonly stat: Stat }
  | { readonly type: "getChildren"; readonly children: string[] }
  | { readonly type: "error"; readonly error: ServerError };

/** Collects the ops of one multi; `commit()` sends them as one atomic request. */
export class Transaction {
  private readonly ops: MultiOp[] = [];
  private readonly paths: string[] = [];

  /** Made by {@link Client.transaction}; not meant to be constructed directly. */
  constructor(
    private readonly chroot: string,
    private readonly send: (ops: MultiOp[], paths: string[]) => Promise<OpResult[]>,
  ) {}

  private add(path: string, op: MultiOp): this {
    this.paths.push(path);
    this.ops.push(op);
    return this;
  }

  /**
   * Adds a create.
   * @throws {ClientError} `PDK_BAD_ARGUMENT` for an invalid path or TTL option, synchronously.
   */
  create(path: string, data: Data = null, options: CreateOptions = {}): this {
    validatePath(path, isSequential(options));
    return this.add(path, createRequest(toServerPath(this.chroot, path), data, options));
  }

  /**
   * Adds a delete; `version` -1 matches any.
   * @throws {ClientError} `PDK_BAD_ARGUMENT` for an invalid path, synchronously.
   */
  delete(path: string, version = -1): this {
    validatePath(path);
    return this.add(path, { type: OpCode.delete, path: toServerPath(this.chroot, path), version });
  }

  /**
   * Adds a setData; `version` -1 matches any.
   * @throws {ClientError} `PDK_BAD_ARGUMENT` for an invalid path, synchronously.
   */
  setData(path: string, data: Data, version = -1): this {
    validatePath(path);
    return this.add(path, {
      type: OpCode.setData,
      path: toServerPath(this.chroot, path),
      data: toBuffer(data),
      version,
    });
  }

  /** Fails the whole transaction unless the node's version is `version`. */
  check(path: string, version: number): this {
    validatePath(path);
    return this.add(path, { type: OpCode.check, path: toServerPath(this.chroot, path), version });
  }

  /** Number of ops added so far. */
  get size(): number {
    return this.ops.length;
  }

  /**
   * Sends the ops as one multi: all apply or none does. Resolves with a result per op (an empty
   * transaction resolves with [] without a round trip).
   * @throws {ServerError} the typed error of the first failing op, with `transaction.opIndex` and
   * every op's code in `transaction.opErrors`; plus the errors every {@link Client} operation can give.
   */
  commit(): Promise<OpResult[]> {
    return this.send([...this.ops], [...this.paths]);
  }
}

/** Maps a multi's results; throws the first failing op's typed error. */
export function multiResults(
  chroot: string,
  results: readonly MultiResult[],
  paths: readonly string[],
): OpResult[] {
  const failed = results.findIndex((result) => result.type === OpCode.error && result.err !== 0);
  if (failed >= 0) {
    const opErrors = results.map((result) => (result.type === OpCode.error ? result.err : 0));
    throw serverError(opErrors[failed]!, { path: paths[failed], transaction: { opIndex: failed, opErrors } });
  }
  return results.map((result): OpResult => {
    switch (result.type) {
      case OpCode.create:
        return { type: "create", path: toClientPath(chroot, result.path), stat: undefined };
      case OpCode.create2:
        return { type: "create", path: toClientPath(chroot, result.path), stat: result.stat };
      case OpCode.delete:
        return { type: "delete" };
      case OpCode.setData:
        return { type: "setData", stat: result.stat };
      case OpCode.check:
        return { type: "check" };
      default:
        throw new ClientError("PDK_BAD_ARGUMENT", `unexpected result type ${result.type} in a multi reply`);
    }
  });
}

export function multiReadResults(results: readonly MultiResult[], paths: readonly string[]): ReadResult[] {
  return results.map((result, index): ReadResult => {
    switch (result.type) {
      case OpCode.getData:
        return { type: "getData", data: result.data, stat: result.stat };
      case OpCode.getChildren:
        return { type: "getChildren", children: [...result.children] };
      case OpCode.error:
        return { type: "error", error: serverError(result.err, { path: paths[index] }) };
      default:
        throw new ClientError(
          "PDK_BAD_ARGUMENT",
          `unexpected result type ${result.type} in a multiRead reply`,
        );
    }
  });
}
