// Three `paddock server` processes started from zoo.cfg files as an operator writes them for
// ZooKeeper (server.N lines, myid, initLimit, syncLimit) form an ensemble on loopback. A client with
// every member in its connect string writes while the leader is killed with SIGKILL; the others
// elect a new leader, the client fails over with its session and ephemeral node, every acknowledged
// write is on every member, and the killed member restarts from its disk and catches up.

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { connect } from "../../src/client/index.js";
import { fourLetterWord } from "../support/four-letter-word.js";
import { repoRoot } from "../support/paths.js";
import { freeLoopbackPort } from "../support/ports.js";

interface MemberProcess {
  readonly id: number;
  readonly clientPort: number;
  readonly cfg: string;
  readonly logPath: string;
  child: ChildProcess | undefined;
}

const root = mkdtempSync(join(tmpdir(), "paddock-ensemble-"));
const started = new Set<ChildProcess>();

after(() => {
  for (const child of started) child.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

function launch(m: MemberProcess): void {
  const out = openSync(m.logPath, "a");
  const child = spawn(process.execPath, [join(repoRoot, "bin/paddock.js"), "server", m.cfg], {
    stdio: ["ignore", out, out],
  });
  started.add(child);
  child.once("exit", () => started.delete(child));
  m.child = child;
}

function kill(m: MemberProcess): Promise<void> {
  const child = m.child;
  assert.ok(child !== undefined);
  m.child = undefined;
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

async function mode(m: MemberProcess): Promise<string | undefined> {
  try {
    return /Mode: (\w+)/.exec(await fourLetterWord(m.clientPort, "srvr", 2_000))?.[1];
  } catch {
    return undefined;
  }
}

async function until(what: string, done: () => boolean | Promise<boolean>, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (await done()) return;
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startEnsemble(size: number): Promise<MemberProcess[]> {
  const ports = await Promise.all(Array.from({ length: size * 3 }, () => freeLoopbackPort()));
  const lines = Array.from(
    { length: size },
    (_, i) => `server.${i + 1}=127.0.0.1:${ports[size + 2 * i]}:${ports[size + 2 * i + 1]}`,
  );
  const members: MemberProcess[] = [];
  for (let i = 0; i < size; i++) {
    const dir = join(root, `m${i + 1}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "myid"), `${i + 1}\n`);
    const cfg = join(root, `zoo${i + 1}.cfg`);
    writeFileSync(
      cfg,
      [
        "tickTime=500",
        "initLimit=10",
        "syncLimit=5",
        `dataDir=${dir}`,
        `clientPort=${ports[i]}`,
        "clientPortAddress=127.0.0.1",
        "4lw.commands.whitelist=*",
        ...lines,
        "",
      ].join("\n"),
    );
    const m: MemberProcess = {
      id: i + 1,
      clientPort: ports[i]!,
      cfg,
      logPath: join(root, `m${i + 1}.log`),
      child: undefined,
    };
    launch(m);
    members.push(m);
  }
  return members;
}

function logs(members: readonly MemberProcess[]): string {
  return members.map((m) => `--- member ${m.id}\n${readFileSync(m.logPath, "utf8").slice(-4000)}`).join("\n");
}

test("a leader killed under load: the session and every acknowledged write survive, and the member rejoins", async () => {
  const members = await startEnsemble(3);
  try {
    await until("one leader and two followers serve", async () => {
      const modes = await Promise.all(members.map(mode));
      return (
        modes.filter((m) => m === "leader").length === 1 && modes.filter((m) => m === "follower").length === 2
      );
    });
    const connectString = members.map((m) => `127.0.0.1:${m.clientPort}`).join(",");
    const client = await connect(connectString, { sessionTimeoutMs: 10_000 });
    try {
      await client.create("/owner", "alive", { mode: "ephemeral" });
      await client.create("/w", "");
      const acked: string[] = [];
      let stop = false;
      const writer = (async () => {
        for (let i = 0; !stop; i++) {
          try {
            await client.create(`/w/n${i}`, String(i));
            acked.push(`/w/n${i}`);
          } catch {
            // Connection loss during failover: the write may or may not have happened.
          }
        }
      })();
      await until("some writes are acknowledged", () => acked.length >= 20);
      const modes = await Promise.all(members.map(mode));
      const leader = members[modes.indexOf("leader")]!;
      await kill(leader);
      const before = acked.length;
      await until("writes are acknowledged again after failover", () => acked.length >= before + 20);
      stop = true;
      await writer;
      launch(leader);
      await until("the killed member follows again", async () => (await mode(leader)) === "follower");
      for (const m of members) {
        const direct = await connect(`127.0.0.1:${m.clientPort}`, { sessionTimeoutMs: 10_000 });
        try {
          await direct.sync("/");
          const children = new Set(await direct.getChildren("/w"));
          for (const path of acked) assert.ok(children.has(path.slice(3)), `${path} on member ${m.id}`);
        } finally {
          await direct.close();
        }
      }
      assert.ok(await client.exists("/owner"), "the session kept its ephemeral node through the failover");
    } finally {
      await client.close();
    }
  } catch (error) {
    console.error(logs(members));
    throw error;
  }
});
