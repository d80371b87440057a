// Charts without Prometheus: once a second the console samples the server's counters into a ring of
// the last SAMPLES_MAX seconds: request rate, latency percentiles over that second (from the
// difference of the latency buckets), fsync time, outstanding requests and connections.

import { type Distribution, quantileOf } from "../../server/distribution.js";
import type { ZooKeeperService } from "../../server/service.js";

export const SAMPLES_MAX = 300;

export interface Sample {
  readonly timeMs: number;
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly fsyncP99Ms: number;
  readonly outstanding: number;
  readonly connections: number;
  readonly znodes: number;
}

/** The buckets a distribution gained since the last call, for percentiles over one interval. */
class Delta {
  private previous: Uint32Array;
  private previousCount = 0;

  constructor(private readonly of: () => Distribution) {
    this.previous = Uint32Array.from(of().buckets);
    this.previousCount = of().count;
  }

  take(): { count: number; p50: number; p99: number } {
    const d = this.of();
    const diff = new Uint32Array(d.buckets.length);
    for (let i = 0; i < diff.length; i++) diff[i] = d.buckets[i]! - this.previous[i]!;
    // srst or a reset distribution: start over from here rather than report negative counts.
    const count = Math.max(0, d.count - this.previousCount);
    this.previous = Uint32Array.from(d.buckets);
    this.previousCount = d.count;
    return { count, p50: quantileOf(diff, count, 0.5), p99: quantileOf(diff, count, 0.99) };
  }
}

export class ChartSampler {
  private readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly reads: Delta;
  private readonly writes: Delta;
  private readonly fsync: Delta;
  private lastMs: number;

  constructor(
    private readonly service: ZooKeeperService,
    private readonly nowMs: () => number,
  ) {
    const s = service.stats;
    this.reads = new Delta(() => s.readLatencyMs);
    this.writes = new Delta(() => s.updateLatencyMs);
    this.fsync = new Delta(() => s.fsyncTimeMs);
    this.lastMs = nowMs();
  }

  start(intervalMs = 1000): void {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  sample(): void {
    const now = this.nowMs();
    const seconds = Math.max(0.001, (now - this.lastMs) / 1000);
    this.lastMs = now;
    const reads = this.reads.take();
    const writes = this.writes.take();
    const fsync = this.fsync.take();
    this.samples.push({
      timeMs: now,
      requestsPerSecond: Math.round((reads.count + writes.count) / seconds),
      latencyP50Ms: Math.max(reads.p50, writes.p50),
      latencyP99Ms: Math.max(reads.p99, writes.p99),
      fsyncP99Ms: fsync.p99,
      outstanding: this.service.outstanding,
      connections: this.service.connections.size,
      znodes: this.service.state.znodeCount,
    });
    if (this.samples.length > SAMPLES_MAX) this.samples.shift();
  }

  series(): readonly Sample[] {
    return this.samples;
  }
}
