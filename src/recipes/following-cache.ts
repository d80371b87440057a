// The lifecycle the caches share: started by the caller, followed until closed, stopped for good
// by the first failure (usually the session ending), which is kept in `failure` and emitted as
// `error` only if someone listens, so an unwatched cache never throws an unhandled error.

import { EventEmitter } from "node:events";
import type { Client } from "../client/index.js";

// biome-ignore lint/suspicious/noExplicitAny: EventEmitter's own event-map constraint uses any[].
type EventMap = Record<string, any[]>;

export abstract class FollowingCache<
  Events extends EventMap & { error: [Error] },
> extends EventEmitter<Events> {
  protected closed = false;
  private failed: Error | undefined;

  /** Does nothing until `start()`. */
  constructor(
    protected readonly client: Client,
    /** The watched node's client path. */
    readonly path: string,
  ) {
    super();
  }

  /** Stops following changes; `current` keeps the last contents. */
  close(): void | Promise<void> {
    this.closed = true;
  }

  /** Why the cache stopped following changes (session ended, or a failed read), if it did. */
  get failure(): Error | undefined {
    return this.failed;
  }

  protected fail(error: Error): void {
    if (this.closed || this.failed) return;
    this.failed = error;
    // The events map always has `error`, but TypeScript cannot see that through the generic.
    const self = this as unknown as EventEmitter<{ error: [Error] }>;
    if (self.listenerCount("error") > 0) self.emit("error", error);
  }
}
