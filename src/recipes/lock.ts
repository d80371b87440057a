// Locks from ephemeral sequential nodes: a mutex (reentrant per Mutex object, with timeouts), a
// read-write lock and a counting semaphore. Each waiter watches only what can let it in, so a
// release wakes one waiter, not the herd (the semaphore watches the children list, which is what
// can change its count). Holding is tied to the session: when it expires the node is gone, so the
// lease's `lost` signal fires and the holder must stop; a mere connection loss keeps the lock.

import { type Client, ClientError, type ConnectionState, SessionExpiredError } from "../client/index.js";
import {
  bySequence,
  createProtected,
  deadlineOf,
  deleteIfExists,
  ensurePath,
  retrying,
  timeoutError,
  waitUntil,
  watchOnce,
} from "./support.js";

/** A held lock or semaphore permit. */
export interface Lease {
  /** The lock node this lease owns. */
  readonly path: string;
  /** Aborted (with SessionExpiredError) if the session ends while the lease is held. */
  readonly lost: AbortSignal;
  /** Releases the lease; idempotent, and a no-op once lost. */
  release(): Promise<void>;
}

/** How long an acquire may wait. */
export interface AcquireOptions {
  /** Give up (OperationTimeoutError) after this long; default wait forever. */
  readonly timeoutMs?: number;
  /** Give up (with the signal's reason) when aborted. */
  readonly signal?: AbortSignal;
}

/**
 * Chooses, from the children in sequence order, what a node must wait for: undefined when it may
 * hold the lock now, else a sibling name to watch, or "children" to watch the whole list.
 */
type Decide = (mine: string, sorted: readonly string[]) => string | "children" | undefined;

async function acquireNode(
  client: Client,
  dir: string,
  prefix: string,
  decide: Decide,
  options: AcquireOptions,
): Promise<Lease> {
  const { timeoutMs, signal } = options;
  const deadline = deadlineOf(timeoutMs);
  const aborted = new Promise<void>((resolve) =>
    signal?.addEventListener("abort", () => resolve(), { once: true }),
  );
  await ensurePath(client, dir);
  signal?.throwIfAborted();
  const ours = await createProtected(client, dir, prefix);
  const mine = ours.slice(dir.length + 1);
  try {
    for (;;) {
      const { watch, fired } = watchOnce();
      const sorted = bySequence(await retrying(client, () => client.getChildren(dir)));
      if (!sorted.includes(mine)) throw new SessionExpiredError(-112, { path: ours });
      const wait = decide(mine, sorted);
      if (wait === undefined) return leaseFor(client, ours);
      if (wait === "children") await retrying(client, () => client.getChildren(dir, { watch }));
      else if ((await retrying(client, () => client.exists(`${dir}/${wait}`, { watch }))) === null) continue;
      if (!(await waitUntil(Promise.race([fired, aborted]), deadline))) throw timeoutError(timeoutMs, dir);
      signal?.throwIfAborted();
    }
  } catch (error) {
    await deleteIfExists(client, ours).catch(() => {});
    throw error;
  }
}

function leaseFor(client: Client, path: string): Lease {
  const controller = new AbortController();
  let released = false;
  const onState = (state: ConnectionState): void => {
    if (state === "expired" || state === "closed" || state === "authFailed") {
      client.off("state", onState);
      controller.abort(new SessionExpiredError(-112, { path }));
    }
  };
  client.on("state", onState);
  return {
    path,
    lost: controller.signal,
    release: async () => {
      if (released || controller.signal.aborted) return;
      released = true;
      client.off("state", onState);
      await deleteIfExists(client, path);
    },
  };
}

const isWriter = (name: string): boolean => name.includes("-write-");

/** A distributed mutex; reentrant for the same Mutex object (each acquire needs a release). */
export class Mutex {
  private held: { lease: Lease; count: number } | undefined;
  private acquiring: Promise<Lease> | undefined;

  /** `path` is the lock's directory, created on the first acquire. */
  constructor(
    private readonly client: Client,
    /** The lock directory's client path. */
    readonly path: string,
  ) {}

  /** Whether this Mutex object holds the lock now (false once the lease is lost). */
  get isHeld(): boolean {
    return this.held !== undefined && !this.held.lease.lost.aborted;
  }

  /**
   * Acquires the lock, or re-enters it when this object holds it already (each acquire needs its
   * own `release()`).
   * @throws {OperationTimeoutError} not acquired within `timeoutMs` (its node is removed).
   * @throws the signal's reason when `signal` aborts first.
   * @throws {SessionExpiredError | NoAuthError} from the lock's znode operations.
   */
  async acquire(options: AcquireOptions = {}): Promise<Lease> {
    if (this.acquiring) await this.acquiring.catch(() => {});
    if (this.held && !this.held.lease.lost.aborted) {
      this.held.count++;
      return this.reentrantLease(this.held.lease);
    }
    this.acquiring = acquireNode(
      this.client,
      this.path,
      "lock-",
      (mine, sorted) => {
        const index = sorted.indexOf(mine);
        return index === 0 ? undefined : sorted[index - 1];
      },
      options,
    );
    try {
      const lease = await this.acquiring;
      this.held = { lease, count: 1 };
      return this.reentrantLease(lease);
    } finally {
      this.acquiring = undefined;
    }
  }

  private reentrantLease(lease: Lease): Lease {
    let released = false;
    return {
      path: lease.path,
      lost: lease.lost,
      release: async () => {
        if (released || !this.held || this.held.lease !== lease) return;
        released = true;
        if (--this.held.count > 0) return;
        this.held = undefined;
        await lease.release();
      },
    };
  }
}

/** A read-write lock: many readers or one writer; a waiting writer holds back later readers. */
export class ReadWriteLock {
  /** `path` is the lock's directory, created on the first acquire. */
  constructor(
    private readonly client: Client,
    /** The lock directory's client path. */
    readonly path: string,
  ) {}

  /**
   * Acquires a read lease: granted when no writer holds or waits before it.
   * @throws {OperationTimeoutError} not acquired within `timeoutMs` (its node is removed).
   * @throws the signal's reason when `signal` aborts first.
   * @throws {SessionExpiredError | NoAuthError} from the lock's znode operations.
   */
  acquireRead(options: AcquireOptions = {}): Promise<Lease> {
    return acquireNode(
      this.client,
      this.path,
      "read-",
      (mine, sorted) => sorted.slice(0, sorted.indexOf(mine)).filter(isWriter).at(-1),
      options,
    );
  }

  /**
   * Acquires the write lease: granted when every earlier reader and writer has released.
   * @throws {OperationTimeoutError} not acquired within `timeoutMs` (its node is removed).
   * @throws the signal's reason when `signal` aborts first.
   * @throws {SessionExpiredError | NoAuthError} from the lock's znode operations.
   */
  acquireWrite(options: AcquireOptions = {}): Promise<Lease> {
    return acquireNode(
      this.client,
      this.path,
      "write-",
      (mine, sorted) => {
        const index = sorted.indexOf(mine);
        return index === 0 ? undefined : sorted[index - 1];
      },
      options,
    );
  }
}

/** A counting semaphore: at most `maxLeases` holders at once, served in arrival order. */
export class Semaphore {
  /**
   * `path` is the semaphore's directory, created on the first acquire.
   * @throws {ClientError} `PDK_BAD_ARGUMENT` when `maxLeases` is not a positive integer.
   */
  constructor(
    private readonly client: Client,
    /** The semaphore directory's client path. */
    readonly path: string,
    /** Holders allowed at once; every process must use the same number. */
    readonly maxLeases: number,
  ) {
    if (!Number.isInteger(maxLeases) || maxLeases < 1) {
      throw new ClientError("PDK_BAD_ARGUMENT", "maxLeases must be a positive integer");
    }
  }

  /**
   * Acquires one of the `maxLeases` leases, in arrival order.
   * @throws {OperationTimeoutError} not acquired within `timeoutMs` (its node is removed).
   * @throws the signal's reason when `signal` aborts first.
   * @throws {SessionExpiredError | NoAuthError} from the lock's znode operations.
   */
  acquire(options: AcquireOptions = {}): Promise<Lease> {
    return acquireNode(
      this.client,
      this.path,
      "lease-",
      (mine, sorted) => (sorted.indexOf(mine) < this.maxLeases ? undefined : "children"),
      options,
    );
  }
}
