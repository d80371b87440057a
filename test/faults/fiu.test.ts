// I/O errors on a real process, injected with Debian's libfiu: the server runs under `fiu-run -x`
// (libc's pwrite, fdatasync, ftruncate and rename wrapped) and, once it has acknowledged some writes,
// `fiu-ctrl` makes one of those calls fail with EIO or ENOSPC. The server must stop with a
// PDK_DISK_FAILED message naming the call and the errno, and a restart without the fault must hold
// every write it acknowledged, before or after the fault (ZOOKEEPER-3701, ZOOKEEPER-4882).
// UV_USE_IO_URING=0 keeps libuv on those libc calls: with io_uring, node's fdatasync, pwrite and
// rename go to the kernel directly and libfiu never sees them (ftruncate still goes through libc).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { type Client, createClient } from "../../src/client/index.js";
import { debianSkipReason } from "../support/debian.js";
import { freeLoopbackPort } from "../support/ports.js";
import { launchServer, type RunningServer, startServer, tail, writeConfig } from "./paddock-process.js";

const skip = debianSkipReason(["fiu-utils"]);
const EIO = 5;
const ENOSPC = 28;
const CLIENT_OPTIONS = { sessionTimeoutMs: 4000, requestTimeoutMs: 5000 };
/** Writes tried after the fault is switched on; the server stops long before (a safety bound). */
const WRITES_AFTER_FAULT_MAX = 2_000;

interface FaultCase {
  /** A libfiu POSIX failure point. */
  readonly point: string;
  readonly errno: typeof EIO | typeof ENOSPC;
  /** The probability for enable_random; 1 enables the point for every call. */
  readonly probability: number;
  /** The storage calls the failure may surface in, as named by PDK_DISK_FAILED. */
  readonly calls: RegExp;
  /** Small preallocation and snapCount, so segment growth, rolls and snapshots happen within the run. */
  readonly config: Record<string, string>;
}

/**
 * Creates /w/<tag>-<n> until one fails or the server has exited, recording each acknowledged create.
 * The race with the exit matters: a create sent after the connection dropped waits for its timeout.
 */
async function writeUntilFailure(
  client: Client,
  server: RunningServer,
  tag: string,
  count: number,
  acked: string[],
): Promise<void> {
  const exited = server.exited.then(() => false);
  for (let n = 0; n < count; n++) {
    const path = `/w/${tag}-${n}`;
    const created = client.create(path, Buffer.from(path)).then(
      () => true,
      () => false,
    );
    if (!(await Promise.race([created, exited]))) return;
    acked.push(path);
  }
}

async function runFaultCase(t: TestContext, c: FaultCase): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "paddock-fiu-"));
  const dataDir = join(dir, "data");
  mkdirSync(dataDir);
  // fiu-run's control FIFOs live in our directory, so removing it removes them.
  const control = join(dir, "fiu-ctrl");
  const port = await freeLoopbackPort();
  const config = writeConfig(dir, dataDir, port, c.config);
  const logPath = join(dir, "server.log");
  const acked: string[] = [];
  try {
    const outcome = await launchServer(config, port, logPath, {
      wrapper: ["fiu-run", "-x", "-f", control],
      env: { UV_USE_IO_URING: "0" },
    });
    assert.ok(outcome.serving !== undefined, "the server starts under fiu-run");
    const server = outcome.serving;
    const client = createClient(`127.0.0.1:${port}`, CLIENT_OPTIONS);
    try {
      await client.connected(10_000);
      await client.create("/w");
      await writeUntilFailure(client, server, "before", 20, acked);
      assert.equal(acked.length, 20, "writes are acknowledged before the fault");
      const command =
        c.probability === 1
          ? `enable name=${c.point},failinfo=${c.errno}`
          : `enable_random name=${c.point},probability=${c.probability},failinfo=${c.errno}`;
      execFileSync("fiu-ctrl", ["-f", control, "-c", command, String(server.child.pid)]);
      await writeUntilFailure(client, server, "after", WRITES_AFTER_FAULT_MAX, acked);
    } finally {
      // Not awaited: with its server gone, a close retries closeSession until the request timeout.
      void client.close().catch(() => undefined);
    }
    const code = await Promise.race([
      server.exited,
      new Promise<"running">((resolve) => setTimeout(() => resolve("running"), 15_000).unref()),
    ]);
    if (code === "running") await server.kill();
    assert.notEqual(code, "running", "the server stops after the disk fault");
    assert.notEqual(code, 0, "the server exits non-zero after the disk fault");
    const errno = c.errno === EIO ? "EIO" : "ENOSPC";
    const fatal = readFileSync(logPath, "utf8").match(/PDK_DISK_FAILED: ([^"\n]*)/)?.[1] ?? "";
    assert.match(fatal, new RegExp(`\\(${errno}\\)`), `the message names ${errno}`);
    assert.match(fatal, c.calls, "the message names the failed call");
    t.diagnostic(`${acked.length - 20} writes acknowledged after the fault was enabled; ${fatal}`);

    const again = await startServer(config, port, logPath);
    const reader = createClient(`127.0.0.1:${port}`, CLIENT_OPTIONS);
    try {
      await reader.connected(10_000);
      const present = new Set(await reader.getChildren("/w"));
      const missing = acked.filter((p) => !present.has(p.slice("/w/".length)));
      assert.deepEqual(
        missing.slice(0, 5),
        [],
        `${missing.length} of ${acked.length} acknowledged writes lost`,
      );
    } finally {
      await reader.close().catch(() => undefined);
      await again.kill();
    }
  } catch (error) {
    throw new Error(`${(error as Error).message}\nserver log tail:\n${tail(logPath)}`, { cause: error });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SMALL = { preAllocSize: "4", snapCount: "1000" };

test(
  "an EIO from fdatasync stops the server and loses no acknowledged write",
  { skip, timeout: 60_000 },
  (t) =>
    runFaultCase(t, {
      point: "posix/io/sync/fdatasync",
      errno: EIO,
      probability: 1,
      calls: /^(fdatasync|create segment|snapshot fdatasync) on /,
      config: SMALL,
    }),
);

test(
  "fdatasync failing at random (half the calls, EIO) stops the server at the first failure",
  {
    skip,
    timeout: 60_000,
  },
  (t) =>
    runFaultCase(t, {
      point: "posix/io/sync/fdatasync",
      errno: EIO,
      probability: 0.5,
      calls: /^(fdatasync|create segment|snapshot fdatasync) on /,
      config: SMALL,
    }),
);

test(
  "an ENOSPC from pwrite stops the server and loses no acknowledged write",
  { skip, timeout: 60_000 },
  (t) =>
    runFaultCase(t, {
      point: "posix/io/rw/pwrite",
      errno: ENOSPC,
      probability: 1,
      calls: /^(write|create segment|snapshot write) on /,
      config: SMALL,
    }),
);

test(
  "an ENOSPC from ftruncate while a segment grows stops the server and loses no acknowledged write",
  {
    skip,
    timeout: 60_000,
  },
  (t) =>
    runFaultCase(t, {
      point: "posix/io/rw/ftruncate",
      errno: ENOSPC,
      probability: 1,
      calls: /^(truncate|create segment) on /,
      config: SMALL,
    }),
);

test(
  "an EIO from rename while a snapshot is installed stops the server and loses no acknowledged write",
  {
    skip,
    timeout: 60_000,
  },
  (t) =>
    runFaultCase(t, {
      point: "posix/io/dir/rename",
      errno: EIO,
      probability: 1,
      calls: /^snapshot rename on /,
      config: { preAllocSize: "4", snapCount: "20" },
    }),
);
