// Leader election in two styles. LeaderLatch: join once and stay a candidate; the oldest candidate
// leads until it leaves or its session ends, and leadership is observable as a flag, events and a
// promise. LeaderSelector: take turns running a leadership callback, one process at a time; the
// callback's AbortSignal fires when leadership is lost with the session, so work stops in time.

import { EventEmitter } from "node:events";
import type { Client, ConnectionState } from "../client/index.js";
import { type Lease, Mutex } from "./lock.js";
import { bySequence, createProtected, deleteIfExists, ensurePath, retrying, watchOnce } from "./support.js";

/**
 * Leader election as a latch: after `start()` this process is a candidate until `close()` or the
 * end of its session; the oldest candidate leads. Emits `leader` and `notLeader`, and `error` (if
 * someone listens) when following the election fails.
 */
export class LeaderLatch extends EventEmitter<{ leader: []; notLeader: []; error: [Error] }> {
  private node: string | undefined;
  private leading = false;
  private closed = false;
  private readonly onState = (state: ConnectionState): void => {
    if (state === "expired" || state === "closed" || state === "authFailed") this.stop();
  };

  /** Does nothing until `start()`. */
  constructor(
    private readonly client: Client,
    /** The election's directory, created on `start()`. */
    readonly path: string,
    /** This candidate's id, stored in its node and listed by `participants()`. */
    readonly id = "",
  ) {
    super();
  }

  /** Whether this latch leads now. */
  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * Joins the election; leadership is then reported by events and `awaitLeadership()`.
   * @throws {SessionExpiredError | NoAuthError} from creating the candidate node.
   */
  async start(): Promise<void> {
    await ensurePath(this.client, this.path);
    this.node = await createProtected(this.client, this.path, "latch-", Buffer.from(this.id));
    this.client.on("state", this.onState);
    void this.watchLoop().catch((error: Error) => {
      this.stop();
      // Without an "error" listener, losing the election is reported by notLeader alone.
      if (!this.closed && this.listenerCount("error") > 0) this.emit("error", error);
    });
  }

  /** Resolves when this latch leads; rejects with an Error if it stops (closed, session ended) first. */
  awaitLeadership(): Promise<void> {
    if (this.leading) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onLeader = (): void => {
        this.off("notLeader", onStop);
        resolve();
      };
      const onStop = (): void => {
        if (!this.node) {
          this.off("leader", onLeader);
          reject(new Error("the latch stopped before it led"));
        }
      };
      this.once("leader", onLeader);
      this.on("notLeader", onStop);
    });
  }

  /** Ids of every candidate, the leader first. @throws {NoNodeError} a candidate left during the read. */
  async participants(): Promise<string[]> {
    const sorted = bySequence(await retrying(this.client, () => this.client.getChildren(this.path)));
    const ids = await Promise.all(
      sorted.map(async (name) => (await this.client.getData(`${this.path}/${name}`)).data?.toString() ?? ""),
    );
    return ids;
  }

  /** Leaves the election (deleting its node); a leader gives up leadership. */
  async close(): Promise<void> {
    this.closed = true;
    const node = this.node;
    this.stop();
    if (node && this.client.state !== "expired" && this.client.state !== "closed")
      await deleteIfExists(this.client, node);
  }

  private stop(): void {
    this.client.off("state", this.onState);
    this.node = undefined;
    this.setLeader(false);
    this.emit("notLeader");
  }

  private setLeader(leading: boolean): void {
    if (this.leading === leading) return;
    this.leading = leading;
    if (leading) this.emit("leader");
  }

  private async watchLoop(): Promise<void> {
    while (this.node) {
      const mine = this.node.slice(this.path.length + 1);
      const sorted = bySequence(await retrying(this.client, () => this.client.getChildren(this.path)));
      const index = sorted.indexOf(mine);
      if (index < 0) throw new Error(`latch node ${this.node} disappeared`);
      if (index === 0) {
        this.setLeader(true);
        // A leader waits until its own node goes away (session end or close).
        const { watch, fired } = watchOnce();
        if ((await retrying(this.client, () => this.client.exists(this.node ?? "/", { watch }))) === null)
          return;
        await fired;
        continue;
      }
      const { watch, fired } = watchOnce();
      const before = `${this.path}/${sorted[index - 1]}`;
      if ((await retrying(this.client, () => this.client.exists(before, { watch }))) !== null) await fired;
    }
  }
}

/** Runs `onLeadership` whenever this process wins; requeues after each turn until closed. */
export class LeaderSelector {
  private readonly mutex: Mutex;
  private running = false;
  private loop: Promise<void> | undefined;
  private current: AbortController | undefined;
  private readonly stopping = new AbortController();

  /**
   * `onLeadership` runs each time this process wins and should return when its `signal` aborts
   * (leadership lost with the session, or `close()`); a turn ends when it settles.
   */
  constructor(
    client: Client,
    /** The election's directory (a Mutex), created on `start()`. */
    readonly path: string,
    private readonly onLeadership: (signal: AbortSignal) => Promise<void>,
  ) {
    this.mutex = new Mutex(client, path);
  }

  /** Starts taking turns; idempotent. Never throws: errors end a turn, session expiry ends the loop. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops taking turns; an ongoing turn is aborted and its lease released. */
  async close(): Promise<void> {
    this.running = false;
    this.stopping.abort(new Error("the selector was closed"));
    this.current?.abort(new Error("the selector was closed"));
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let lease: Lease;
      try {
        lease = await this.mutex.acquire({ signal: this.stopping.signal });
      } catch {
        // Closed, or the session ended: an expired client never comes back, so stop taking turns.
        return;
      }
      const controller = new AbortController();
      this.current = controller;
      const onLost = (): void => controller.abort(lease.lost.reason);
      lease.lost.addEventListener("abort", onLost);
      try {
        if (this.running) await this.onLeadership(controller.signal);
      } catch {
        // A failing turn ends the turn, not the selector.
      } finally {
        lease.lost.removeEventListener("abort", onLost);
        this.current = undefined;
        await lease.release().catch(() => {});
      }
    }
  }
}
