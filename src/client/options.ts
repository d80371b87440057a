// The options a client is created with, their defaults and their limits. Every queue and stream
// the client keeps is bounded by one of these, so a slow consumer or a dead server costs memory
// in proportion to the limits, never in proportion to time.

import { JUTE_MAX_BUFFER_DEFAULT } from "../protocol/constants.js";
import { ClientError } from "./errors.js";

/**
 * Options of `createClient`, `connect` and `new Client`. Times are milliseconds, sizes bytes,
 * limits counts. Every number must be positive, or the constructor throws ClientError
 * `PDK_BAD_ARGUMENT`.
 */
export interface ClientOptions {
  /** Requested session timeout in ms; the server clamps it to its min/max (default 30000). */
  sessionTimeoutMs?: number;
  /** Per-host connect and handshake limit in ms (default: session timeout / number of hosts). */
  connectTimeoutMs?: number;
  /** Reject a request with RequestTimeoutError when no reply comes within this (default: none). */
  requestTimeoutMs?: number;
  /** Accept read-only servers (ZooKeeper's canBeReadOnly); writes then fail with NotReadOnlyError. */
  canBeReadOnly?: boolean;
  /** Resume an existing session (id and password from another client) instead of creating one; a refused one ends as expired. */
  session?: { id: bigint; password: Buffer };
  /** Requests written and awaiting replies, per connection (default 1000); more wait in the queue. */
  outstandingRequestsMax?: number;
  /** Requests waiting to be written, e.g. while disconnected (default 10000); beyond it requests fail with ClientError `PDK_QUEUE_FULL`. */
  queuedRequestsMax?: number;
  /** Unread events a state or watch iterator keeps before it ends with an overflow error (default 10000). */
  eventsMax?: number;
  /** Watchers of all kinds this client holds (default 100000); beyond it a watch fails with ClientError `PDK_QUEUE_FULL`. */
  watchesMax?: number;
  /** Largest reply frame accepted, in bytes (default 4 MiB, at least 1048575, jute.maxbuffer). */
  frameBytesMax?: number;
  /** Backoff between rounds over all hosts (default 50 ms doubling to 2000 ms, with jitter). */
  reconnectDelayMs?: { initial: number; max: number };
}

export type ResolvedOptions = Required<
  Omit<ClientOptions, "session" | "requestTimeoutMs" | "connectTimeoutMs">
> &
  Pick<ClientOptions, "requestTimeoutMs" | "connectTimeoutMs">;

export function resolveOptions(options: ClientOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
    connectTimeoutMs: options.connectTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs,
    canBeReadOnly: options.canBeReadOnly ?? false,
    outstandingRequestsMax: options.outstandingRequestsMax ?? 1000,
    queuedRequestsMax: options.queuedRequestsMax ?? 10_000,
    eventsMax: options.eventsMax ?? 10_000,
    watchesMax: options.watchesMax ?? 100_000,
    frameBytesMax: options.frameBytesMax ?? 4 * 1024 * 1024,
    reconnectDelayMs: options.reconnectDelayMs ?? { initial: 50, max: 2000 },
  };
  if (resolved.frameBytesMax < JUTE_MAX_BUFFER_DEFAULT) {
    throw new ClientError("PDK_BAD_ARGUMENT", "frameBytesMax must be at least jute.maxbuffer (1048575)");
  }
  for (const [name, value] of Object.entries(resolved)) {
    if (typeof value === "number" && !(value > 0))
      throw new ClientError("PDK_BAD_ARGUMENT", `${name} must be positive`);
  }
  return resolved;
}
