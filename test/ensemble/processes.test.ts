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
import { debianSkipReason } from "../support/debian.js";
import { fourLetterWord } from "../support/four-letter-word.js";
import { runKazooScript } from "../support/kazoo.js";
import { CreateMode, EventLog, ZkSession } from "../support/node-zookeeper-client.js";
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
  const base = mkdtempSync(join(root, "ensemble-"));
  const ports = await Promise.all(Array.from({ length: size * 3 }, () => freeLoopbackPort()));
  const lines = Array.from(
    { length: size },
    (_, i) => `server.${i + 1}=127.0.0.1:${ports[size + 2 * i]}:${ports[size + 2 * i + 1]}`,
  );
  const members: MemberProcess[] = [];
  for (let i = 0; i < size; i++) {
    const dir = join(base, `m${i + 1}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "myid"), `${i + 1}\n`);
    const cfg = join(base, `zoo${i + 1}.cfg`);
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
        "admin.enableServer=false",
        ...lines,
        "",
      ].join("\n"),
    );
    const m: MemberProcess = {
      id: i + 1,
      clientPort: ports[i]!,
      cfg,
      logPath: join(base, `m${i + 1}.log`),
      child: undefined,
    };
    launch(m);
    members.push(m);
  }
  return members;
}

/**
 * Starts three members, waits for a leader and two followers, runs `body`, and stops them all; on a
 * failure their logs are printed first.
 */
async function withEnsemble(body: (members: MemberProcess[]) => Promise<void>): Promise<void> {
  const members = await startEnsemble(3);
  try {
    await until("one leader and two followers serve", async () => {
      const modes = await Promise.all(members.map(mode));
      return (
        modes.filter((m) => m === "leader").length === 1 && modes.filter((m) => m === "follower").length === 2
      );
    });
    await body(members);
  } catch (error) {
    console.error(logs(members));
    throw error;
  } finally {
    await stopAll(members);
  }
}

async function stopAll(members: readonly MemberProcess[]): Promise<void> {
  for (const m of members) if (m.child !== undefined) await kill(m);
}

function logs(members: readonly MemberProcess[]): string {
  return members.map((m) => `--- member ${m.id}\n${readFileSync(m.logPath, "utf8").slice(-4000)}`).join("\n");
}

test("a leader killed under load: the session and every acknowledged write survive, and the member rejoins", async () => {
  await withEnsemble(async (members) => {
    // mntr carries ZooKeeper's ensemble keys.
    const leaderMntr = await fourLetterWord(
      members[(await Promise.all(members.map(mode))).indexOf("leader")]!.clientPort,
      "mntr",
    );
    assert.match(leaderMntr, /^zk_server_state\tleader$/m);
    assert.match(leaderMntr, /^zk_peer_state\tleading - broadcast$/m);
    assert.match(leaderMntr, /^zk_quorum_size\t3$/m);
    await until("the leader reports both followers synced", async () => {
      const text = await fourLetterWord(
        members[(await Promise.all(members.map(mode))).indexOf("leader")]!.clientPort,
        "mntr",
      );
      return /^zk_synced_followers\t2$/m.test(text);
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
  });
});

test("a member that was down while the others snapshotted is caught up with the leader's snapshot, streamed over the quorum port", async () => {
  await withEnsemble(async (members) => {
    const modes = await Promise.all(members.map(mode));
    const lost = members[modes.indexOf("follower")]!;
    const leader = members[modes.indexOf("leader")]!;
    await kill(lost);
    const client = await connect(`127.0.0.1:${leader.clientPort}`, { sessionTimeoutMs: 10_000 });
    try {
      for (let i = 0; i < 100; i++) await client.create(`/s${i}`, `value ${i}`);
      // A snapshot on every live member folds these entries out of their logs: the member that was
      // down can only be brought back with a snapshot.
      for (const m of members) if (m !== lost) await fourLetterWord(m.clientPort, "csnp");
      await until("the leader's snapshot is written", () =>
        readFileSync(leader.logPath, "utf8").includes("written:"),
      );
      launch(lost);
      await until("the member follows again", async () => (await mode(lost)) === "follower");
      await until("the member installed the leader's snapshot", () =>
        readFileSync(lost.logPath, "utf8").includes("installing the leader's snapshot"),
      );
      const direct = await connect(`127.0.0.1:${lost.clientPort}`, { sessionTimeoutMs: 10_000 });
      try {
        await direct.sync("/");
        for (let i = 0; i < 100; i++)
          assert.equal(String((await direct.getData(`/s${i}`)).data), `value ${i}`);
        await client.create("/after", "x");
        await direct.sync("/");
        assert.ok(await direct.exists("/after"), "it follows the log after the snapshot");
      } finally {
        await direct.close();
      }
    } finally {
      await client.close();
    }
  });
});

const kazooSkip = debianSkipReason(["python3-kazoo"]);

test("kazoo, with every member in its connect string, writes through a leader's SIGKILL with one session", {
  skip: kazooSkip,
}, async () => {
  await withEnsemble(async (members) => {
    const connectString = members.map((m) => `127.0.0.1:${m.clientPort}`).join(",");
    const watcher = await connect(connectString, { sessionTimeoutMs: 10_000 });
    try {
      const script = runKazooScript("python/kazoo_failover.py", connectString, 180_000);
      const written = async () =>
        (await watcher.exists("/kz")) ? (await watcher.getChildren("/kz")).length : 0;
      await until("kazoo has written 20 nodes", async () => (await written().catch(() => 0)) >= 20);
      const modes = await Promise.all(members.map(mode));
      await kill(members[modes.indexOf("leader")]!);
      const atKill = await untilValue(written);
      await until(
        "kazoo writes 20 more after the failover",
        async () => (await written().catch(() => 0)) >= atKill + 20,
      );
      await until("the stop node is created", async () => {
        try {
          await watcher.create("/kz-stop", "");
          return true;
        } catch {
          return (await watcher.exists("/kz-stop").catch(() => undefined)) !== undefined;
        }
      });
      const { result, facts } = await script;
      assert.equal(result.status, 0, result.stderr);
      assert.equal(facts.get("error"), undefined, `kazoo stopped on ${String(facts.get("error"))}`);
      assert.equal(facts.get("session_end"), facts.get("session_start"), "kazoo kept its session");
      assert.equal(facts.get("owner_exists"), true, "its ephemeral node survived the failover");
      const acked = facts.get("acked") as string[];
      assert.ok(acked.length >= atKill + 20);
      await watcher.sync("/");
      const children = new Set(await watcher.getChildren("/kz"));
      for (const path of acked) assert.ok(children.has(path.slice("/kz/".length)), `${path} survived`);
    } finally {
      await watcher.close();
    }
  });
});

/** The value `read` gives once it succeeds (polled through a failover). */
async function untilValue(read: () => Promise<number>): Promise<number> {
  for (let i = 0; ; i++) {
    try {
      return await read();
    } catch (error) {
      if (i > 1000) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

test("node-zookeeper-client fails over from a killed member with its session, and a watch set before fires after", async () => {
  await withEnsemble(async (members) => {
    // Its first host is a follower: killing it makes the client move, as the connect string lists.
    const modes = await Promise.all(members.map(mode));
    const first = members[modes.indexOf("follower")]!;
    const others = members.filter((m) => m !== first);
    const connectString = [first, ...others].map((m) => `127.0.0.1:${m.clientPort}`).join(",");
    const nzc = await ZkSession.connect(connectString);
    const writer = await connect(others.map((m) => `127.0.0.1:${m.clientPort}`).join(","), {
      sessionTimeoutMs: 10_000,
    });
    try {
      const before = nzc.sessionId.toString("hex");
      await nzc.create("/nzc-owner", Buffer.from("x"), CreateMode.EPHEMERAL);
      await nzc.create("/nzc-watched", Buffer.from("v1"));
      const events = new EventLog();
      await nzc.getData("/nzc-watched", events.watcher);
      await kill(first);
      await writer.setData("/nzc-watched", "v2");
      assert.equal(
        await events.next(),
        "NODE_DATA_CHANGED@/nzc-watched",
        "the watch re-armed on the new member fires",
      );
      assert.equal(String((await nzc.getData("/nzc-watched")).data), "v2");
      assert.equal(nzc.sessionId.toString("hex"), before, "the session moved with the client");
      assert.ok(await writer.exists("/nzc-owner"), "its ephemeral node survived");
    } finally {
      await writer.close();
      await nzc.close();
    }
  });
});

test("a quorum lost for longer than the session timeout and regained: the client's session and ephemeral survive", async () => {
  await withEnsemble(async (members) => {
    const [survivor, a, b] = members as [MemberProcess, MemberProcess, MemberProcess];
    const connectString = members.map((m) => `127.0.0.1:${m.clientPort}`).join(",");
    const sessionTimeoutMs = 4_000;
    const nzc = await ZkSession.connect(connectString, undefined, sessionTimeoutMs);
    const states: string[] = [];
    for (const name of ["connected", "disconnected", "expired"]) nzc.raw.on(name, () => states.push(name));
    try {
      const before = nzc.sessionId.toString("hex");
      await nzc.create("/nq-owner", Buffer.from("x"), CreateMode.EPHEMERAL);
      await kill(a);
      await kill(b);
      await until("the survivor stops serving", async () => (await mode(survivor)) === undefined);
      // Longer than the session's timeout with no quorum: no leader can expire anything meanwhile.
      const lostAt = Date.now();
      await until(
        "the outage outlasts the session timeout",
        () => Date.now() - lostAt > sessionTimeoutMs + 2_000,
      );
      launch(a);
      await until("a quorum serves again", async () => (await mode(survivor)) !== undefined);
      await until("the client is connected again", () => states.at(-1) === "connected");
      assert.equal(nzc.sessionId.toString("hex"), before, "the same session");
      assert.ok(!states.includes("expired"), `states ${states}`);
      assert.ok(await nzc.exists("/nq-owner"), "the ephemeral node survived the outage");
    } finally {
      await nzc.close();
    }
  });
});
