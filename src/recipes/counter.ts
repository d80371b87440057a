// An atomic counter kept as a decimal string in one znode, updated optimistically: read the value
// and its version, write the new value conditional on that version, and start over when another
// writer got in first (BadVersion). The number of attempts is bounded so a hot counter reports
// contention instead of spinning forever.

import { BadVersionError, type Client, ClientError, NodeExistsError, NoNodeError } from "../client/index.js";
import { ensurePath, retrying } from "./support.js";

const ATTEMPTS_MAX = 100;

/**
 * A counter of arbitrary size (bigint) in one znode, as decimal text; missing means 0. Updates are
 * compare-and-set on the node's version.
 */
export class AtomicCounter {
  /** `path` is the counter node; it and its parents are created on the first `add`. */
  constructor(
    private readonly client: Client,
    /** The counter node's client path. */
    readonly path: string,
  ) {}

  /**
   * The current value (0n when the node does not exist); retried across connection loss.
   * @throws {SyntaxError} the node holds something other than a decimal integer.
   */
  async get(): Promise<bigint> {
    try {
      const { data } = await retrying(this.client, () => this.client.getData(this.path));
      return BigInt(data?.toString() || "0");
    } catch (error) {
      if (error instanceof NoNodeError) return 0n;
      throw error;
    }
  }

  /**
   * Adds `delta` (may be negative) and returns the new value.
   * @throws {ConnectionLossError} the connection dropped during the write; `mayHaveBeenApplied`
   * says whether it may have counted (it is not retried, to never add twice).
   * @throws {ClientError} `PDK_CONTENDED` after 100 attempts lost to other writers.
   * @throws {RangeError} `delta` is a non-integer number.
   */
  async add(delta: bigint | number): Promise<bigint> {
    const step = BigInt(delta);
    const parent = this.path.slice(0, this.path.lastIndexOf("/")) || "/";
    for (let attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
      try {
        const { data, stat } = await retrying(this.client, () => this.client.getData(this.path));
        const next = BigInt(data?.toString() || "0") + step;
        // Not retried on connection loss: the write may have applied, so the caller gets
        // ConnectionLossError(mayHaveBeenApplied) rather than risking a double add.
        await this.client.setData(this.path, next.toString(), stat.version);
        return next;
      } catch (error) {
        if (error instanceof NoNodeError) {
          await ensurePath(this.client, parent);
          try {
            await this.client.create(this.path, step.toString());
            return step;
          } catch (createError) {
            if (!(createError instanceof NodeExistsError)) throw createError;
          }
        } else if (!(error instanceof BadVersionError)) {
          throw error;
        }
      }
    }
    throw new ClientError(
      "PDK_CONTENDED",
      `counter ${this.path} too contended: ${ATTEMPTS_MAX} attempts lost`,
    );
  }

  /** `add(1n)`; throws what `add` throws. */
  increment(): Promise<bigint> {
    return this.add(1n);
  }

  /** `add(-1n)`; throws what `add` throws. */
  decrement(): Promise<bigint> {
    return this.add(-1n);
  }
}
