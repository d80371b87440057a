// Barriers. Barrier: one process sets it, any number wait until it is removed. DoubleBarrier: a
// group of `memberCount` processes enter together and leave together; entering members are
// ephemeral, so a member whose session ends stops counting, and the last to arrive creates a
// "ready" node that wakes the others with a single watch.

import { randomUUID } from "node:crypto";
import { type Client, NodeExistsError } from "../client/index.js";
import {
  deadlineOf,
  deleteIfExists,
  ensurePath,
  retrying,
  timeoutError,
  waitUntil,
  watchOnce,
} from "./support.js";

/**
 * A barrier at one znode: `set()` raises it, `wait()` blocks until `remove()` deletes it.
 * Operations retry across connection loss and reject with SessionExpiredError once the session ends.
 */
export class Barrier {
  /** `path` is the barrier node; it and its parents are created by `set()`. */
  constructor(
    private readonly client: Client,
    /** The barrier node's client path. */
    readonly path: string,
  ) {}

  /** Raises the barrier; waiting processes block until `remove()`. */
  async set(): Promise<void> {
    const parent = this.path.slice(0, this.path.lastIndexOf("/")) || "/";
    await ensurePath(this.client, parent);
    try {
      await retrying(this.client, () => this.client.create(this.path));
    } catch (error) {
      if (!(error instanceof NodeExistsError)) throw error;
    }
  }

  /** Lowers the barrier, waking every waiter; already gone is fine. */
  async remove(): Promise<void> {
    await deleteIfExists(this.client, this.path);
  }

  /**
   * Resolves once the barrier node is gone, waiting at most `timeoutMs` milliseconds (default: forever).
   * @throws {OperationTimeoutError} the barrier was still up after `timeoutMs`.
   */
  async wait(timeoutMs?: number): Promise<void> {
    const deadline = deadlineOf(timeoutMs);
    for (;;) {
      const { watch, fired } = watchOnce();
      if ((await retrying(this.client, () => this.client.exists(this.path, { watch }))) === null) return;
      if (!(await waitUntil(fired, deadline))) throw timeoutError(timeoutMs, this.path);
    }
  }
}

const READY = "ready";

/**
 * A double barrier: `memberCount` processes `enter()` together and `leave()` together. Members are
 * ephemeral children of `path`, so a member whose session ends stops counting. Operations retry
 * across connection loss and reject with SessionExpiredError once the session ends.
 */
export class DoubleBarrier {
  private readonly member: string;

  /** `memberId` names this member's node (default a random UUID). */
  constructor(
    private readonly client: Client,
    /** The barrier's directory, created on `enter()`. */
    readonly path: string,
    /** Members that must have entered before any `enter()` resolves. */
    readonly memberCount: number,
    memberId: string = randomUUID(),
  ) {
    this.member = `${path}/${memberId}`;
  }

  /**
   * Joins; resolves when `memberCount` members have entered, waiting at most `timeoutMs` ms
   * (default: forever).
   * @throws {OperationTimeoutError} too few members after `timeoutMs`; this member has left again.
   */
  async enter(timeoutMs?: number): Promise<void> {
    const deadline = deadlineOf(timeoutMs);
    await ensurePath(this.client, this.path);
    const ready = `${this.path}/${READY}`;
    const { watch, fired } = watchOnce();
    const readyBefore = await retrying(this.client, () => this.client.exists(ready, { watch }));
    try {
      await retrying(this.client, () => this.client.create(this.member, null, { mode: "ephemeral" }));
    } catch (error) {
      if (!(error instanceof NodeExistsError)) throw error;
    }
    if (readyBefore !== null) return;
    const members = (await retrying(this.client, () => this.client.getChildren(this.path))).filter(
      (n) => n !== READY,
    );
    if (members.length >= this.memberCount) {
      try {
        await retrying(this.client, () => this.client.create(ready));
      } catch (error) {
        if (!(error instanceof NodeExistsError)) throw error;
      }
      return;
    }
    if (!(await waitUntil(fired, deadline))) {
      await deleteIfExists(this.client, this.member);
      throw timeoutError(timeoutMs, this.path);
    }
  }

  /**
   * Leaves; resolves when every member has left, waiting at most `timeoutMs` ms (default: forever).
   * @throws {OperationTimeoutError} members remained after `timeoutMs`.
   */
  async leave(timeoutMs?: number): Promise<void> {
    const deadline = deadlineOf(timeoutMs);
    await deleteIfExists(this.client, this.member);
    for (;;) {
      const { watch, fired } = watchOnce();
      const members = (
        await retrying(this.client, () => this.client.getChildren(this.path, { watch }))
      ).filter((n) => n !== READY);
      if (members.length === 0) {
        await deleteIfExists(this.client, `${this.path}/${READY}`);
        return;
      }
      if (!(await waitUntil(fired, deadline))) throw timeoutError(timeoutMs, this.path);
    }
  }
}
