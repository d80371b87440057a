// Disk full on a real process: the data directory is a 1 MiB tmpfs, clients write until the server's
// log cannot grow. The server must stop (exit with PDK_DISK_FAILED) rather than acknowledge a write it
// could not make durable, and after the disk is enlarged it must restart with every acknowledged write
// (ZOOKEEPER-3701: an I/O error swallowed on the log disk). Needs root to mount tmpfs; skipped otherwise.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createClient } from "../../src/client/index.js";
import { freeLoopbackPort } from "../support/ports.js";
import { startServer, tail, writeConfig } from "./paddock-process.js";

function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), "paddock-mount-probe-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe], { stdio: "ignore" });
    execFileSync("umount", [probe], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const skip = canMountTmpfs() ? false : "needs root and permission to mount tmpfs";

test("a full log disk stops the server without losing an acknowledged write, and it restarts once space is freed", {
  skip,
  timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "paddock-diskfull-"));
  const dataDir = join(dir, "data");
  mkdirSync(dataDir);
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dataDir]);
  const port = await freeLoopbackPort();
  const config = writeConfig(dir, dataDir, port, { preAllocSize: "64", snapCount: "100000" });
  const logPath = join(dir, "server.log");
  const acked: string[] = [];
  try {
    const server = await startServer(config, port, logPath);
    const client = createClient(`127.0.0.1:${port}`, { sessionTimeoutMs: 4000, requestTimeoutMs: 3000 });
    await client.connected(10_000);
    const payload = Buffer.alloc(8 * 1024, 1);
    // 1 MiB cannot hold 400 writes of 8 KiB: the loop ends when the server stops answering.
    for (let n = 0; n < 400; n++) {
      try {
        await client.create(`/w${n}`, payload);
        acked.push(`/w${n}`);
      } catch {
        break;
      }
    }
    await client.close().catch(() => undefined);
    const code = await server.exited;
    assert.notEqual(code, 0, "the server exits when its log cannot be written");
    assert.match(readFileSync(logPath, "utf8"), /PDK_DISK_FAILED: .*\(ENOSPC\)/);
    assert.ok(acked.length > 10, `some writes were acknowledged before the disk filled (${acked.length})`);

    execFileSync("mount", ["-o", "remount,size=16m", dataDir]);
    const again = await startServer(config, port, logPath);
    const reader = createClient(`127.0.0.1:${port}`, { sessionTimeoutMs: 4000, requestTimeoutMs: 3000 });
    try {
      await reader.connected(10_000);
      for (const path of acked)
        assert.notEqual(await reader.exists(path), null, `${path} was acknowledged, then lost`);
    } finally {
      await reader.close().catch(() => undefined);
      await again.kill();
    }
  } catch (error) {
    throw new Error(`${(error as Error).message}\nserver log tail:\n${tail(logPath)}`, { cause: error });
  } finally {
    execFileSync("umount", ["-l", dataDir], { stdio: "ignore" });
    rmSync(dir, { recursive: true, force: true });
  }
});
