// Server-wide counters reported by srvr, stat, mntr, the admin server and /metrics: packets and bytes
// in and out, request latency, response sizes, commits. Everything here is a plain number or a
// Distribution, updated in place on the request path. `reset()` is what srst does; the monotonic
// counters Prometheus reads are left alone, as ZooKeeper's Prometheus provider leaves its own.

import { Distribution } from "./distribution.js";

export class ServerStats {
  packetsReceived = 0;
  packetsSent = 0;
  minLatencyMs = Number.MAX_SAFE_INTEGER;
  maxLatencyMs = 0;
  totalLatencyMs = 0;
  latencyCount = 0;
  /** Sizes of replies sent, as ZooKeeper's BufferStats: -1 until the first. */
  lastResponseBytes = -1;
  minResponseBytes = -1;
  maxResponseBytes = -1;
  /** Monotonic counters, under ZooKeeper's metric names in /metrics. */
  bytesReceived = 0;
  responseBytes = 0;
  watchBytes = 0;
  commitCount = 0;
  connectionRequests = 0;
  connectionRejected = 0;
  staleSessionsExpired = 0;
  readLatencyMs = new Distribution();
  updateLatencyMs = new Distribution();
  fsyncTimeMs = new Distribution();
  snapshotTimeMs = new Distribution();

  recordLatency(latencyMs: number, write: boolean): void {
    this.minLatencyMs = Math.min(this.minLatencyMs, latencyMs);
    this.maxLatencyMs = Math.max(this.maxLatencyMs, latencyMs);
    this.totalLatencyMs += latencyMs;
    this.latencyCount++;
    (write ? this.updateLatencyMs : this.readLatencyMs).observe(latencyMs);
  }

  recordResponse(bytes: number): void {
    this.responseBytes += bytes;
    this.lastResponseBytes = bytes;
    if (this.minResponseBytes < 0 || bytes < this.minResponseBytes) this.minResponseBytes = bytes;
    if (bytes > this.maxResponseBytes) this.maxResponseBytes = bytes;
  }

  get avgLatencyMs(): number {
    return this.latencyCount === 0 ? 0 : this.totalLatencyMs / this.latencyCount;
  }

  /** ZooKeeper reports min latency 0 before any request. */
  get reportedMinLatencyMs(): number {
    return this.latencyCount === 0 ? 0 : this.minLatencyMs;
  }

  reset(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.minLatencyMs = Number.MAX_SAFE_INTEGER;
    this.maxLatencyMs = 0;
    this.totalLatencyMs = 0;
    this.latencyCount = 0;
    this.lastResponseBytes = -1;
    this.minResponseBytes = -1;
    this.maxResponseBytes = -1;
  }
}
