// Drives cli_mt, the shell of ZooKeeper's C client library (Debian zookeeper-bin), through stdin and
// checks the return codes and stats it prints. cli_mt runs each command asynchronously, so every
// step waits for that command's completion line before the next command is written.
// Not covered here: multi (cli_mt has no command for it) and session resume (its -m option
// never reads the saved client id back, a bug in cli.c 3.8).

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { debianSkipReason } from "../support/debian.js";
import { escapeRegExp, InteractiveProcess } from "../support/interactive.js";
import { startTarget, type Target, targetPackages } from "../support/targets.js";

const cliMt = "/usr/lib/zookeeper/bin/cli_mt";

const skip = debianSkipReason([...targetPackages(), "zookeeper-bin"]);

interface CStat {
  czxid: bigint;
  mzxid: bigint;
  version: number;
  aversion: number;
  ephemeralOwner: bigint;
}

/** The Stat block cli_mt prints (zxids and owner in hex without 0x). */
const statPattern =
  /\tctime = [^\n]*\n\tczxid=([0-9a-f]+)\n\tmtime=[^\n]*\n\tmzxid=([0-9a-f]+)\n\tversion=(\d+)\taversion=(\d+)\n\tephemeralOwner = ([0-9a-f]+)\n/;

function parseCStat(match: RegExpExecArray, first: number): CStat {
  return {
    czxid: BigInt(`0x${match[first]}`),
    mzxid: BigInt(`0x${match[first + 1]}`),
    version: Number(match[first + 2]),
    aversion: Number(match[first + 3]),
    ephemeralOwner: BigInt(`0x${match[first + 4]}`),
  };
}

/** Starts cli_mt with line-buffered output (its stdout is otherwise block-buffered on a pipe). */
async function startCli(target: Target): Promise<{ cli: InteractiveProcess; sessionId: bigint }> {
  const cli = new InteractiveProcess("stdbuf", ["-oL", "-eL", cliMt, "-h", target.connectString]);
  const connected = await cli.expect(/Got a new session id: 0x([0-9a-f]+)\n/);
  return { cli, sessionId: BigInt(`0x${connected[1]}`) };
}

/** `create`'s completion: the requested path, its return code and, on success, the created name. */
async function create(cli: InteractiveProcess, args: string): Promise<{ rc: number; name?: string }> {
  const path = args.split(" ").at(-1) ?? "";
  cli.send(`create ${args}`);
  const done = await cli.expect(new RegExp(`\\[${escapeRegExp(path)}\\]: rc = (-?\\d+)\\n`));
  if (done[1] !== "0") return { rc: Number(done[1]) };
  const named = await cli.expect(/^\tname = (\S+)\n/m);
  return { rc: 0, name: named[1] };
}

async function get(cli: InteractiveProcess, path: string): Promise<{ value: string; stat: CStat }> {
  cli.send(`get ${path}`);
  const done = await cli.expect(
    new RegExp(`${escapeRegExp(path)}: rc = 0\\n value_len = (\\d+)\\n(.*)\\nStat:\\n${statPattern.source}`),
  );
  assert.equal(Number(done[1]), Buffer.byteLength(done[2]!));
  return { value: done[2]!, stat: parseCStat(done, 3) };
}

/** A command whose completion is just "<path>: rc = N", such as delete, set, get and ls errors. */
async function returnCode(
  cli: InteractiveProcess,
  command: string,
  path: string,
  data = "",
): Promise<number> {
  cli.send(`${command} ${path}${data === "" ? "" : ` ${data}`}`);
  const done = await cli.expect(new RegExp(`${escapeRegExp(path)}: rc = (-?\\d+)`));
  return Number(done[1]);
}

/** `ls`/`ls2` output: the child names, sorted (servers need not sort them). */
async function list(cli: InteractiveProcess, command: "ls" | "ls2", path: string): Promise<string[]> {
  cli.send(`${command} ${path}`);
  const done = await cli.expect(
    new RegExp(`${escapeRegExp(path)}: rc = 0\\n((?:\\t\\S+\\n)*)time = \\d+ msec\\n`),
  );
  return done[1]!
    .split("\n")
    .filter(Boolean)
    .map((line) => line.slice(1))
    .sort();
}

/** Runs a sync command that prints nothing on success, fenced by `myid`, and returns what it printed. */
async function silent(cli: InteractiveProcess, command: string): Promise<string> {
  const from = cli.cursor;
  cli.send(command);
  cli.send("myid");
  const fence = await cli.expect(/session Id = [0-9a-f]+\n/);
  return cli.output.slice(from, fence.index);
}

describe("ZooKeeper C client (cli_mt)", { skip }, () => {
  let target: Target | undefined;
  let cli: InteractiveProcess | undefined;
  let sessionId: bigint;
  const shell = (): InteractiveProcess => {
    assert.ok(cli);
    return cli;
  };

  before(async () => {
    target = await startTarget();
    ({ cli, sessionId } = await startCli(target));
  });

  after(async () => {
    cli?.send("quit");
    await cli?.close(10_000);
    await target?.stop();
  });

  test("C client create and get round-trip data with a fresh stat", async () => {
    assert.deepEqual(await create(shell(), "/c"), { rc: 0, name: "/c" });
    const { value, stat } = await get(shell(), "/c");
    assert.equal(value, "new", "cli_mt always creates with the data 'new'");
    assert.equal(stat.mzxid, stat.czxid);
    assert.equal(stat.version, 0);
    assert.equal(stat.ephemeralOwner, 0n);
  });

  test("C client set fires the data watch left by get and bumps version and mzxid", async () => {
    const before = await get(shell(), "/c");
    shell().send("set /c hello");
    await shell().waitFor("Watcher CHANGED_EVENT state = CONNECTED_STATE for path /c\n", shell().cursor);
    const done = await shell().expect(new RegExp(`/c: rc = 0 Stat:\\n${statPattern.source}`));
    const stat = parseCStat(done, 1);
    assert.equal(stat.version, before.stat.version + 1);
    assert.equal(stat.czxid, before.stat.czxid);
    assert.ok(stat.mzxid > before.stat.mzxid);
    assert.equal((await get(shell(), "/c")).value, "hello");
  });

  test("C client create returns ZNODEEXISTS and ZNONODE codes", async () => {
    assert.deepEqual(await create(shell(), "/c"), { rc: -110 });
    assert.deepEqual(await create(shell(), "/nope/x"), { rc: -101 });
  });

  test("C client ephemeral is owned by its session and sequential names count the parent's children", async () => {
    assert.deepEqual(await create(shell(), "+e /c/e"), { rc: 0, name: "/c/e" });
    assert.equal((await get(shell(), "/c/e")).stat.ephemeralOwner, sessionId);
    assert.deepEqual(await create(shell(), "+s /c/s"), { rc: 0, name: "/c/s0000000001" });
    assert.deepEqual(await create(shell(), "+es /c/es"), { rc: 0, name: "/c/es0000000002" });
    assert.deepEqual(await create(shell(), "+e /c/e/child"), { rc: -108 });
  });

  test("C client ls and ls2 list the children", async () => {
    const expected = ["e", "es0000000002", "s0000000001"];
    assert.deepEqual(await list(shell(), "ls", "/c"), expected);
    assert.deepEqual(await list(shell(), "ls2", "/c"), expected);
    assert.equal(await returnCode(shell(), "ls", "/nope"), -101);
  });

  test("C client exists is silent for a present node and reports ZNONODE for an absent one", async () => {
    assert.doesNotMatch(await silent(shell(), "exists /c"), /Error/);
    assert.match(await silent(shell(), "exists /nope"), /Error -101 for \/nope/);
  });

  test("C client delete returns ZNOTEMPTY, ZNONODE and ZOK", async () => {
    assert.equal(await returnCode(shell(), "delete", "/c"), -111);
    assert.equal(await returnCode(shell(), "delete", "/nope"), -101);
    assert.deepEqual(await create(shell(), "/c/gone"), { rc: 0, name: "/c/gone" });
    assert.equal(await returnCode(shell(), "delete", "/c/gone"), 0);
    assert.equal(await returnCode(shell(), "set", "/c/gone", "x"), -101);
  });

  test("C client wexists on an absent node gets CREATED_EVENT when it is created", async () => {
    assert.match(await silent(shell(), "wexists /c/x"), /Error -101 for \/c\/x/);
    const from = shell().cursor;
    assert.deepEqual(await create(shell(), "/c/x"), { rc: 0, name: "/c/x" });
    await shell().waitFor("Watcher CREATED_EVENT state = CONNECTED_STATE for path /c/x\n", from);
  });

  test("C client ls leaves a child watch that fires CHILD_EVENT on the next create", async () => {
    await list(shell(), "ls", "/c/x");
    const from = shell().cursor;
    assert.deepEqual(await create(shell(), "/c/x/y"), { rc: 0, name: "/c/x/y" });
    await shell().waitFor("Watcher CHILD_EVENT state = CONNECTED_STATE for path /c/x\n", from);
  });

  test("C client ephemerals vanish with a DELETED_EVENT when the owning cli_mt quits", async () => {
    assert.ok(target);
    const owner = await startCli(target);
    try {
      assert.deepEqual(await create(owner.cli, "+e /c/owned"), { rc: 0, name: "/c/owned" });
      assert.equal((await get(shell(), "/c/owned")).stat.ephemeralOwner, owner.sessionId);
      const from = shell().cursor;
      owner.cli.send("quit");
      assert.equal(await owner.cli.close(), 0);
      await shell().waitFor("Watcher DELETED_EVENT state = CONNECTED_STATE for path /c/owned\n", from);
      assert.match(await silent(shell(), "exists /c/owned"), /Error -101 for \/c\/owned/);
    } finally {
      await owner.cli.close(5_000);
    }
  });
});
