// Counts what happens during the measured window of a run: completed operations, errors by code,
// latencies. Before `start` (the warm-up) and after `stop` (the drain) events are ignored, so the
// figures cover exactly the window the CPU and wall-clock readings cover.

import { errorName } from "../src/protocol/constants.js";
import { LatencyHistogram, type LatencySummary } from "./histogram.js";

/** What every run reports about its window, whatever drove it. */
export interface Measured extends LatencySummary {
  ops: number;
  errors: number;
  errorsByName: Record<string, number>;
  seconds: number;
  opsPerSecond: number;
}

export class Recorder {
  recording = false;
  ops = 0;
  errors = 0;
  readonly latency = new LatencyHistogram();
  readonly errorsByName = new Map<string, number>();

  /** One finished operation: `err` is its ZooKeeper error code (0 for success). */
  done(err: number, latencyMs: number): void {
    if (!this.recording) return;
    this.latency.record(latencyMs * 1000);
    if (err === 0) this.ops++;
    else this.error(errorName(err) ?? `error ${err}`);
  }

  /** The window's figures, for a window of `seconds`. */
  measured(seconds: number): Measured {
    return {
      ops: this.ops,
      errors: this.errors,
      errorsByName: Object.fromEntries(this.errorsByName),
      seconds,
      opsPerSecond: this.ops / seconds,
      ...this.latency.summary(),
    };
  }

  /** An operation that failed outside the protocol: a lost connection, a refused session. */
  error(name: string, count = 1): void {
    if (!this.recording) return;
    this.errors += count;
    this.errorsByName.set(name, (this.errorsByName.get(name) ?? 0) + count);
  }
}
