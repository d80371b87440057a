// A distributed FIFO queue with optional priorities, on persistent sequential nodes. Items are
// named `qn-<priority>-<sequence>`, so sorting names orders by priority and then arrival. Taking
// an item is reading it and deleting it: the delete decides which consumer won it, and a consumer
// that loses the race moves to the next item. A put that failed with a connection loss may have
// been applied; the caller is told so by the error (ConnectionLossError.mayHaveBeenApplied).

import { type Client, ClientError, NoNodeError } from "../client/index.js";
import { deadlineOf, ensurePath, retrying, timeoutError, waitUntil, watchOnce } from "./support.js";

const PRIORITY_MAX = 99_999;

/**
 * A FIFO queue with priorities: items are persistent sequential children of `path`, taken by
 * whichever consumer deletes them first. Reads are retried across connection loss; after session
 * expiry operations reject with SessionExpiredError.
 */
export class DistributedQueue {
  /** `path` is the queue's directory, created on first use. */
  constructor(
    private readonly client: Client,
    /** The queue directory's client path. */
    readonly path: string,
  ) {}

  /**
   * Adds an item and returns its node's path; lower `priority` (0..99999, default 50000) is taken
   * first.
   * @throws {ClientError} `PDK_BAD_ARGUMENT` for a priority outside 0..99999.
   * @throws {ConnectionLossError} with `mayHaveBeenApplied`: the item may have been added (not retried).
   */
  async put(data: Buffer | string, priority = 50_000): Promise<string> {
    if (!Number.isInteger(priority) || priority < 0 || priority > PRIORITY_MAX) {
      throw new ClientError("PDK_BAD_ARGUMENT", `priority must be an integer in 0..${PRIORITY_MAX}`);
    }
    await ensurePath(this.client, this.path);
    const name = `qn-${String(priority).padStart(5, "0")}-`;
    return this.client.create(`${this.path}/${name}`, data, { mode: "persistentSequential" });
  }

  /** Number of items waiting. */
  async size(): Promise<number> {
    await ensurePath(this.client, this.path);
    return (await retrying(this.client, () => this.client.getChildren(this.path))).length;
  }

  /** Removes and returns the head item, or null when the queue is empty. */
  async poll(): Promise<Buffer | null> {
    await ensurePath(this.client, this.path);
    const names = (await retrying(this.client, () => this.client.getChildren(this.path))).sort();
    return this.takeFirst(names);
  }

  /**
   * Removes and returns the head item, waiting at most `timeoutMs` ms for one (default: forever).
   * @throws {OperationTimeoutError} the queue stayed empty for `timeoutMs`.
   */
  async take(timeoutMs?: number): Promise<Buffer> {
    const deadline = deadlineOf(timeoutMs);
    await ensurePath(this.client, this.path);
    for (;;) {
      const { watch, fired } = watchOnce();
      const names = (await retrying(this.client, () => this.client.getChildren(this.path, { watch }))).sort();
      const item = await this.takeFirst(names);
      if (item !== null) return item;
      if (!(await waitUntil(fired, deadline))) throw timeoutError(timeoutMs, this.path);
    }
  }

  private async takeFirst(names: readonly string[]): Promise<Buffer | null> {
    for (const name of names) {
      const path = `${this.path}/${name}`;
      try {
        const { data, stat } = await retrying(this.client, () => this.client.getData(path));
        // A lost reply to this delete leaves it unknown whether we took the item; only a retry that
        // finds it gone would tell, and that is indistinguishable from another consumer winning it.
        await this.client.delete(path, stat.version);
        return data ?? Buffer.alloc(0);
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error;
      }
    }
    return null;
  }
}
