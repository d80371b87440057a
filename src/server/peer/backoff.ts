// Reconnect delays: exponential from a base to a cap, with "equal jitter" (half the delay fixed,
// half random) so that members restarted together do not redial in lockstep, yet never retry
// sooner than half the nominal delay. A refused handshake is not a network blip: it waits the cap.

import type { Rng } from "../../consensus/types.js";

export interface BackoffLimits {
  baseMs: number;
  maxMs: number;
}

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly limits: BackoffLimits,
    private readonly rng: Rng,
  ) {}

  /** The delay before the next attempt; each call without a reset doubles the nominal delay. */
  next(): number {
    const nominal = Math.min(this.limits.maxMs, this.limits.baseMs * 2 ** this.attempt);
    if (nominal < this.limits.maxMs) this.attempt++;
    return jitter(nominal, this.rng);
  }

  /** After a refusal: jump to the cap, since retrying sooner would only be refused again. */
  refused(): number {
    this.attempt = Math.ceil(Math.log2(this.limits.maxMs / Math.max(1, this.limits.baseMs)));
    return jitter(this.limits.maxMs, this.rng);
  }

  /** After a connection that completed its handshake: start again from the base. */
  reset(): void {
    this.attempt = 0;
  }
}

function jitter(nominalMs: number, rng: Rng): number {
  const half = Math.floor(nominalMs / 2);
  return nominalMs - half + rng.int(half + 1);
}
