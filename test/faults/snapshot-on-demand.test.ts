// A snapshot on demand, as an operator asks for one: the csnp four-letter word over TCP answers the
// zxid of the snapshot it started, that snapshot file appears in dataDir, and a restart after SIGKILL
// loads it and keeps every write. snapCount is far above the writes made, so no other snapshot can
// have been taken.

import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createClient } from "../../src/client/index.js";
import { fourLetterWord } from "../support/four-letter-word.js";
import { serverDir, startServer, tail } from "./paddock-process.js";

const NODES = 30;
const CLIENT_OPTIONS = { sessionTimeoutMs: 4000, requestTimeoutMs: 5000 };

test("csnp snapshots now and answers the zxid; a restart after SIGKILL loads that snapshot", async () => {
  const { dir, dataDir, port, config, logPath } = await serverDir("paddock-csnp-", { snapCount: "100000" });
  try {
    const first = await startServer(config, port, logPath);
    const client = createClient(`127.0.0.1:${port}`, CLIENT_OPTIONS);
    let lastCreate = 0n;
    let answer = "";
    try {
      await client.connected(10_000);
      for (let i = 0; i < NODES; i++) await client.create(`/d${i}`, Buffer.from(`v${i}`));
      lastCreate = (await client.exists(`/d${NODES - 1}`))!.mzxid;
      answer = await fourLetterWord(port, "csnp");
    } finally {
      await client.close().catch(() => undefined);
    }
    assert.match(answer, /^0x[0-9a-f]+\n$/, `csnp answers a zxid: ${JSON.stringify(answer)}`);
    const zxid = BigInt(answer.trim());
    assert.ok(
      zxid >= lastCreate,
      `the snapshot at ${answer.trim()} holds the last create (0x${lastCreate.toString(16)})`,
    );
    const file = join(dataDir, `snapshot.${zxid.toString(16).padStart(16, "0")}`);
    // Written in the background: wait (bounded) for the rename that completes it.
    for (let i = 0; i < 200 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(existsSync(file), `${file} was written:\n${tail(logPath)}`);

    await first.kill();
    const second = await startServer(config, port, logPath);
    const again = createClient(`127.0.0.1:${port}`, CLIENT_OPTIONS);
    try {
      await again.connected(10_000);
      for (let i = 0; i < NODES; i++) assert.equal((await again.getData(`/d${i}`)).data?.toString(), `v${i}`);
    } finally {
      await again.close().catch(() => undefined);
      await second.kill();
    }
    assert.match(
      readFileSync(logPath, "utf8"),
      new RegExp(`loaded snapshot \\S+snapshot\\.${zxid.toString(16).padStart(16, "0")} at zxid`),
      "the restart started from the snapshot csnp took",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
