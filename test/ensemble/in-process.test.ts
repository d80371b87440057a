// Three members in one process, on real disks and real client sockets, joined by an in-memory peer
// network: they elect a leader, take writes through every member (followers forward them), keep a
// session's order, and carry on when the leader is cut off, with every acknowledged write and the
// session intact. Paddock's own client, with every member in its connect string, drives them.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { type Client, connect } from "../../src/client/index.js";
import { loadZooCfg } from "../../src/server/config.js";
import { type Member, startMember } from "../../src/server/member.js";
import { MemoryNetwork } from "../support/memory-network.js";
import { freeLoopbackPort } from "../support/ports.js";

const quiet = process.env.PADDOCK_TEST_LOG
  ? {
      info: (m: string) => console.error(m),
      warn: (m: string) => console.error(m),
      fatal: (m: string) => console.error(m),
    }
  : { info: () => {}, warn: () => {}, fatal: (m: string) => console.error(m) };

interface Ensemble {
  readonly network: MemoryNetwork;
  readonly members: Member[];
  readonly connectString: string;
  readonly root: string;
}

async function startEnsemble(size: number): Promise<Ensemble> {
  const root = mkdtempSync(join(tmpdir(), "paddock-inproc-"));
  const ports = await Promise.all(Array.from({ length: size * 3 }, () => freeLoopbackPort()));
  const lines = Array.from(
    { length: size },
    (_, i) => `server.${i + 1}=127.0.0.1:${ports[size + 2 * i]}:${ports[size + 2 * i + 1]};${ports[i]}`,
  );
  const network = new MemoryNetwork();
  const members: Member[] = [];
  for (let i = 0; i < size; i++) {
    const dir = join(root, `m${i + 1}`);
    const cfg = join(root, `zoo${i + 1}.cfg`);
    writeFileSync(
      cfg,
      [`tickTime=200`, `initLimit=10`, `syncLimit=5`, `dataDir=${dir}`, ...lines, ""].join("\n"),
    );
    rmSync(dir, { recursive: true, force: true });
    const { mkdirSync } = await import("node:fs");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "myid"), `${i + 1}\n`);
    const { config } = loadZooCfg(cfg);
    members.push(
      await startMember(config, {
        log: quiet,
        network: network.endpoint(i + 1),
        onFatal: (e) => {
          throw e;
        },
      }),
    );
  }
  const connectString = ports
    .slice(0, size)
    .map((p) => `127.0.0.1:${p}`)
    .join(",");
  return { network, members, connectString, root };
}

async function until(what: string, done: () => boolean | Promise<boolean>, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (await done()) return;
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function leaderOf(e: Ensemble): Member | undefined {
  return e.members.find((m) => m.replica.role.leading && m.replica.role.ready);
}

const ensembles: Ensemble[] = [];
after(async () => {
  for (const e of ensembles) {
    for (const m of e.members) await m.stop().catch(() => undefined);
    rmSync(e.root, { recursive: true, force: true });
  }
});

test("three members elect one leader and a write through any member is read back from every member", async () => {
  const e = await startEnsemble(3);
  ensembles.push(e);
  await until("a leader serves", () => leaderOf(e) !== undefined);
  await until("every member serves", () => e.members.every((m) => m.replica.role.ready));
  const clients: Client[] = [];
  for (const m of e.members)
    clients.push(await connect(`127.0.0.1:${m.address.port}`, { sessionTimeoutMs: 10_000 }));
  try {
    for (const [i, c] of clients.entries()) await c.create(`/via${i + 1}`, `from member ${i + 1}`);
    for (const c of clients) {
      await c.sync("/");
      for (let i = 1; i <= 3; i++)
        assert.equal(String((await c.getData(`/via${i}`)).data), `from member ${i}`);
    }
    // A session's writes through a follower keep its order, and its read sees its own last write.
    const follower = clients[e.members.findIndex((m) => !m.replica.role.leading)]!;
    await follower.create("/seq", "0");
    const writes = Array.from({ length: 50 }, (_, k) => follower.setData("/seq", String(k + 1)));
    const stats = await Promise.all(writes);
    assert.deepEqual(
      stats.map((s) => s.version),
      Array.from({ length: 50 }, (_, k) => k + 1),
    );
    assert.equal(String((await follower.getData("/seq")).data), "50");
    const digests = new Set(e.members.map((m) => m.storage.machine.digest()));
    await until("every member applied the same state", () => {
      const zx = new Set(e.members.map((m) => m.storage.machine.lastZxid));
      return zx.size === 1;
    });
    assert.equal(
      new Set(e.members.map((m) => m.storage.machine.digest())).size,
      1,
      `digests ${[...digests]}`,
    );
  } finally {
    for (const c of clients) await c.close();
  }
});

test("the leader cut off: the others elect a new one, the session and every acknowledged write survive", async () => {
  const e = await startEnsemble(3);
  ensembles.push(e);
  await until("a leader serves", () => leaderOf(e) !== undefined);
  await until("every member serves", () => e.members.every((m) => m.replica.role.ready));
  const client = await connect(e.connectString, { sessionTimeoutMs: 8_000 });
  try {
    await client.create("/eph", "mine", { mode: "ephemeral" });
    const acked: string[] = [];
    for (let i = 0; i < 20; i++) {
      await client.create(`/k${i}`, "v");
      acked.push(`/k${i}`);
    }
    const old = leaderOf(e)!;
    const oldId = old.config.serverId;
    e.network.isolate(oldId!);
    await until("another member leads", () => {
      const l = leaderOf(e);
      return l !== undefined && l !== old;
    });
    // The client fails over (the cut-off member drops its clients once it steps down).
    await until("a write succeeds again", async () => {
      try {
        await client.create("/after", "x");
        return true;
      } catch {
        return false;
      }
    });
    for (const path of acked) assert.ok(await client.exists(path), `${path} survived`);
    assert.ok(await client.exists("/eph"), "the session kept its ephemeral node");
    e.network.heal(oldId!);
    await until("the old leader catches up", () => old.storage.machine.statOf("/after") !== undefined);
  } finally {
    await client.close();
  }
});
