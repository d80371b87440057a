// A clean shutdown on a real process: SIGTERM ends with a snapshot at the last acknowledged zxid and
// an empty log segment after it, so the next start loads that snapshot and reads no entry, with
// every write still there. With
// snapCount far above the writes made, the shutdown snapshot is the only one that can exist.

import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { test } from "node:test";
import { createClient } from "../../src/client/index.js";
import { serverDir, startServer, tail } from "./paddock-process.js";

const NODES = 40;

test("SIGTERM leaves a snapshot at the last zxid, and the restart replays nothing and keeps every write", async () => {
  const { dir, dataDir, port, config, logPath } = await serverDir("paddock-shutdown-", {
    snapCount: "100000",
  });
  try {
    const first = await startServer(config, port, logPath);
    const client = createClient(`127.0.0.1:${port}`, { sessionTimeoutMs: 4000, requestTimeoutMs: 5000 });
    let lastZxid = 0n;
    try {
      await client.connected(10_000);
      for (let i = 0; i < NODES; i++) await client.create(`/n${i}`, Buffer.from(`v${i}`));
      lastZxid = (await client.exists(`/n${NODES - 1}`))!.mzxid;
    } finally {
      await client.close().catch(() => undefined);
    }
    assert.deepEqual(
      readdirSync(dataDir).filter((name) => name.startsWith("snapshot.")),
      [],
      "no snapshot before the shutdown",
    );
    first.child.kill("SIGTERM");
    assert.equal(await first.exited, 0, tail(logPath));
    const snapshots = readdirSync(dataDir).filter((name) => name.startsWith("snapshot."));
    assert.equal(snapshots.length, 1, tail(logPath));
    // The closing of the session is the last entry: it follows the last create.
    const snapshotZxid = BigInt(`0x${snapshots[0]!.slice("snapshot.".length)}`);
    assert.ok(snapshotZxid > lastZxid, `snapshot at ${snapshotZxid}, last create at ${lastZxid}`);
    // And an empty segment after it, so the restart reads no segment the snapshot covers.
    const next = `log.${(snapshotZxid + 1n).toString(16).padStart(16, "0")}`;
    assert.ok(readdirSync(dataDir).includes(next), `${next} in ${readdirSync(dataDir).join(", ")}`);

    const second = await startServer(config, port, logPath);
    const again = createClient(`127.0.0.1:${port}`, { sessionTimeoutMs: 4000, requestTimeoutMs: 5000 });
    try {
      await again.connected(10_000);
      for (let i = 0; i < NODES; i++) {
        assert.equal((await again.getData(`/n${i}`)).data?.toString(), `v${i}`);
      }
    } finally {
      await again.close().catch(() => undefined);
      await second.kill();
    }
    assert.match(readFileSync(logPath, "utf8"), /plus 0 log entries/, "the restart replayed no entry");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
