// A bounded, single-consumer async iterator fed by the client: connection states and persistent
// watch events are delivered through it. When the consumer falls more than `capacity` events
// behind, the stream ends with an overflow error instead of growing without bound or silently
// dropping events; the consumer re-reads state and subscribes again, as after any lost watch.

import { ClientError } from "./errors.js";

export class EventStream<T> implements AsyncIterableIterator<T> {
  private readonly buffered: T[] = [];
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private ending: { error: unknown } | undefined;
  private done = false;

  constructor(
    private readonly capacity: number,
    /** Called once when the stream finishes for any reason, so the producer can unregister it. */
    private readonly onFinish: () => void = () => {},
  ) {}

  /** True while events may still be pushed and consumed. */
  get open(): boolean {
    return this.ending === undefined && !this.done;
  }

  push(event: T): void {
    if (!this.open) return;
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve({ value: event, done: false });
      return;
    }
    if (this.buffered.length >= this.capacity) {
      this.fail(
        new ClientError("PDK_EVENTS_OVERFLOW", `more than ${this.capacity} unread events; stream ended`),
      );
      return;
    }
    this.buffered.push(event);
  }

  /** Ends the stream after the buffered events; with an error, the iterator throws it at the end. */
  end(error?: unknown): void {
    if (!this.open) return;
    this.ending = { error };
    this.onFinish();
    this.settleWaiter();
  }

  private fail(error: unknown): void {
    this.buffered.length = 0;
    this.end(error);
  }

  private settleWaiter(): void {
    if (!this.waiter || this.buffered.length > 0 || !this.ending) return;
    const { resolve, reject } = this.waiter;
    this.waiter = undefined;
    this.done = true;
    if (this.ending.error === undefined) resolve({ value: undefined, done: true });
    else reject(this.ending.error);
  }

  next(): Promise<IteratorResult<T>> {
    const event = this.buffered.shift();
    if (event !== undefined) return Promise.resolve({ value: event, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    if (this.ending) {
      this.done = true;
      return this.ending.error === undefined
        ? Promise.resolve({ value: undefined, done: true })
        : Promise.reject(this.ending.error);
    }
    if (this.waiter) return Promise.reject(new Error("EventStream has a single consumer"));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Called by `break` in a for-await loop: the consumer is gone, so the stream ends quietly. */
  return(): Promise<IteratorResult<T>> {
    this.buffered.length = 0;
    this.end();
    this.done = true;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
