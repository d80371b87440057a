// Real processes: a server is SIGKILLed at random moments while several clients write, then restarted
// on the same data directory, over and over; every write a client saw acknowledged must be there after
// every restart. This is the durability contract end to end (ZOOKEEPER-1069: kill during writes).

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { type Client, createClient } from "../../src/client/index.js";
import { freeLoopbackPort } from "../support/ports.js";
import { startServer, tail, writeConfig } from "./paddock-process.js";

const CYCLES = 50;
const CLIENTS = 3;
// A safety bound, not a speed requirement: 50 cycles take under a minute on an idle 2-core machine.
const TIME_BUDGET_MS = 240_000;

/** Writes /k/<tag>-<n> until stopped, recording each create the server acknowledged. */
async function writer(client: Client, tag: string, acked: string[], stop: { now: boolean }): Promise<void> {
  for (let n = 0; n < 100_000 && !stop.now; n++) {
    const path = `/k/${tag}-${n}`;
    try {
      await client.create(path, Buffer.from(path));
      acked.push(path);
    } catch {
      return; // the server died under us; unacknowledged writes may or may not survive
    }
  }
}

test("every acknowledged write survives SIGKILL at random moments over 50 restarts", {
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "paddock-kill-"));
  const dataDir = join(dir, "data");
  mkdirSync(dataDir);
  const port = await freeLoopbackPort();
  // A small snapCount and preallocation so snapshots, log rolls and purges happen during the run.
  const config = writeConfig(dir, dataDir, port, { snapCount: "40", preAllocSize: "64" });
  const logPath = join(dir, "server.log");
  const started = Date.now();
  const allAcked: string[] = [];
  let seed = 12345;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  try {
    let cycle = 0;
    for (; cycle < CYCLES && Date.now() - started < TIME_BUDGET_MS; cycle++) {
      const server = await startServer(config, port, logPath);
      const clients = Array.from({ length: CLIENTS }, () =>
        createClient(`127.0.0.1:${port}`, { sessionTimeoutMs: 4000, requestTimeoutMs: 3000 }),
      );
      try {
        await Promise.all(clients.map((c) => c.connected(10_000)));
        // Everything acknowledged in earlier lives must be here; check the newest ones each time.
        for (const path of allAcked.slice(-200)) {
          assert.notEqual(
            await clients[0]!.exists(path),
            null,
            `${path} was acknowledged, then lost (cycle ${cycle})`,
          );
        }
        if (cycle === 0) await clients[0]!.create("/k").catch(() => undefined);
        const stop = { now: false };
        const acked: string[][] = clients.map(() => []);
        const writing = clients.map((c, i) => writer(c, `c${cycle}-${i}`, acked[i]!, stop));
        // The kill lands at a random moment of the write stream, not at a quiet point.
        await new Promise((resolve) => setTimeout(resolve, 30 + random() * 300));
        await server.kill();
        stop.now = true;
        await Promise.all(writing);
        for (const a of acked) allAcked.push(...a);
      } finally {
        if (server.child.exitCode === null && server.child.signalCode === null) await server.kill();
        // Not awaited: with its server gone, a close retries closeSession until the request timeout
        // (about 5 s per cycle, which would not fit 50 cycles in the test's time).
        for (const c of clients) void c.close().catch(() => undefined);
      }
    }
    assert.ok(cycle >= CYCLES, `only ${cycle} kill cycles fitted in ${TIME_BUDGET_MS} ms`);
    // Final life: every acknowledged write of every cycle.
    const server = await startServer(config, port, logPath);
    const client = createClient(`127.0.0.1:${port}`, { sessionTimeoutMs: 4000, requestTimeoutMs: 3000 });
    try {
      await client.connected(10_000);
      const missing: string[] = [];
      for (const path of allAcked) if ((await client.exists(path)) === null) missing.push(path);
      assert.deepEqual(
        missing.slice(0, 10),
        [],
        `${missing.length} of ${allAcked.length} acknowledged writes lost`,
      );
      assert.ok(allAcked.length > CYCLES, "the clients got writes acknowledged");
    } finally {
      await client.close().catch(() => undefined);
      await server.kill();
    }
  } catch (error) {
    throw new Error(`${(error as Error).message}\nserver log tail:\n${tail(logPath)}`, { cause: error });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
