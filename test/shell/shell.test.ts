// The shell as people use it: typed into a real terminal (tmux) with history and tab completion,
// and in its non-interactive modes (-c and a script on stdin) whose exit codes scripts rely on.
// Output is compared with what zkCli 3.8 prints for the same commands.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { eachTarget, eventually } from "../client/targets.js";
import { commandExists } from "../support/debian.js";
import { run } from "../support/run.js";

// `paddock shell` exactly as a person runs it: the package's bin, then the subcommand.
const paddockBin = fileURLToPath(new URL("../../../bin/paddock.js", import.meta.url));
const home = mkdtempSync(join(tmpdir(), "paddock-shell-test-"));
const historyFile = join(home, "history");
const env = { ...process.env, PADDOCK_SHELL_HISTORY: historyFile };
after(() => rmSync(home, { recursive: true, force: true }));

function shell(server: string, args: string[], input?: string) {
  return run(process.execPath, [paddockBin, "shell", "--server", server, ...args], {
    input: input ?? "",
    timeoutMs: 30_000,
    env,
  });
}

/** A tmux server of our own (its own socket), so that only what this test started is touched. */
class Terminal {
  private static next = 0;
  private readonly socket = `paddock-shell-${process.pid}-${Terminal.next++}`;

  constructor(command: string[]) {
    const quoted = command.map((part) => `'${part.replace(/'/g, "'\\''")}'`).join(" ");
    this.tmux(
      "new-session",
      "-d",
      "-x",
      "160",
      "-y",
      "50",
      `PADDOCK_SHELL_HISTORY='${historyFile}' ${quoted}`,
    );
  }

  private tmux(...args: string[]): string {
    const result = spawnSync("tmux", ["-L", this.socket, ...args], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`tmux ${args[0]} failed: ${result.stderr}`);
    return result.stdout;
  }

  type(text: string): void {
    this.tmux("send-keys", "-l", text);
  }

  key(...keys: string[]): void {
    this.tmux("send-keys", ...keys);
  }

  screen(): string {
    return this.tmux("capture-pane", "-p", "-S", "-200");
  }

  async expect(pattern: RegExp): Promise<void> {
    let screen = "";
    const shows = (): boolean => {
      screen = this.screen();
      return pattern.test(screen);
    };
    try {
      await eventually(`terminal shows ${pattern}`, shows, 15_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- screen ---\n${screen.trimEnd()}`);
    }
  }

  stop(): void {
    spawnSync("tmux", ["-L", this.socket, "kill-server"]);
  }
}

eachTarget("paddock shell", (fixture) => {
  test("-c runs one command and exits 0, and a missing node exits 1 with zkCli's message", async () => {
    const server = fixture().target.connectString;
    const created = await shell(server, ["-c", "create /shell-c hello"]);
    assert.equal(created.status, 0, created.stderr);
    assert.equal(created.stdout, "Created /shell-c\n");
    const got = await shell(server, ["get", "/shell-c"]);
    assert.equal(got.stdout, "hello\n");
    const missing = await shell(server, ["-c", "get /shell-c/none"]);
    assert.equal(missing.status, 1);
    assert.equal(missing.stderr, "Node does not exist: /shell-c/none\n");
  });

  test("a script on stdin runs every command, prints as zkCli does and exits 1 if any failed", async () => {
    const server = fixture().target.connectString;
    const script = [
      "create /shell-s data",
      "create -e -s /shell-s/e- x",
      "set -v 5 /shell-s stale",
      "getAcl /shell-s",
      "stat /shell-s",
      "ls /shell-s",
      "deleteall /shell-s",
      "ls /shell-s",
    ].join("\n");
    const result = await shell(server, [], `${script}\n`);
    assert.equal(result.status, 1);
    const lines = result.stdout.split("\n");
    assert.equal(lines[0], "Created /shell-s");
    assert.match(lines[1] ?? "", /^Created \/shell-s\/e-\d{10}$/);
    assert.deepEqual(lines.slice(2, 4), ["'world,'anyone", ": cdrwa"]);
    assert.match(result.stdout, /^cZxid = 0x[0-9a-f]+$/m);
    assert.match(result.stdout, /^ctime = \w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} \w+ \d{4}$/m);
    assert.match(result.stdout, /^numChildren = 1$/m);
    assert.match(result.stdout, /^\[e-\d{10}\]$/m);
    assert.equal(
      result.stderr,
      ["version No is not valid : /shell-s", "Node does not exist: /shell-s", ""].join("\n"),
    );
    const clean = await shell(server, [], "create /shell-ok\ndelete /shell-ok\n");
    assert.equal(clean.status, 0, clean.stderr);
  });

  test("auth, ACL, watch, quota and session commands print what zkCli prints", async () => {
    const server = fixture().target.connectString;
    const script = [
      "create /shell-acl x",
      "addauth digest bob:pw",
      "setAcl /shell-acl auth:bob:pw:cdrwa",
      "getAcl /shell-acl",
      "whoami",
      "printwatches",
      "printwatches off",
      "printwatches",
      "setquota -n 5 /shell-acl",
      "listquota /shell-acl",
      "delquota /shell-acl",
      "addWatch -m PERSISTENT /shell-acl",
      "removewatches /shell-acl",
      "close",
      "ls /",
      `connect ${server}`,
      "getAcl /shell-acl",
      "history",
    ].join("\n");
    const result = await shell(server, [], `${script}\n`);
    assert.equal(result.status, 1);
    // Servers list a connection's identities in no fixed order (ZooKeeper keeps them in a set).
    const stdout = result.stdout.replace("digest: bob\nip: 127.0.0.1\n", "ip: 127.0.0.1\ndigest: bob\n");
    assert.equal(
      stdout,
      [
        "Created /shell-acl",
        "'digest,'bob:ikIaKsbtGweaHnb/jKn7OHqbunM=",
        ": cdrwa",
        "Auth scheme: User",
        "ip: 127.0.0.1",
        "digest: bob",
        "printwatches is on",
        "printwatches is off",
        "absolute path is /zookeeper/quota/shell-acl/zookeeper_limits",
        "Output quota for /shell-acl count=5,bytes=-1=;byteHardLimit=-1;countHardLimit=-1",
        "Output stat for /shell-acl count=1,bytes=1",
        "7 - printwatches",
        "8 - setquota -n 5 /shell-acl",
        "9 - listquota /shell-acl",
        "10 - delquota /shell-acl",
        "11 - addWatch -m PERSISTENT /shell-acl",
        "12 - removewatches /shell-acl",
        "13 - close",
        "14 - ls /",
        `15 - connect ${server}`,
        "16 - getAcl /shell-acl",
        "17 - history",
        "",
      ].join("\n"),
    );
    assert.equal(
      result.stderr,
      [
        "KeeperErrorCode = No such watcher for /shell-acl",
        "Not connected",
        "Insufficient permission : /shell-acl",
        "",
      ].join("\n"),
    );
  });

  test("typed into a terminal: commands, watch events, tab completion and history across sessions", {
    skip: commandExists("tmux") ? false : "tmux is not installed",
  }, async () => {
    const server = fixture().target.connectString;
    const first = new Terminal([process.execPath, paddockBin, "shell", "--server", server]);
    try {
      await first.expect(/\[zk: .*\(CONNECTED\) 0\]/);
      first.type("create /shell-tty-completion-target typed");
      first.key("Enter");
      await first.expect(/^Created \/shell-tty-completion-target$/m);
      first.type("get -w /shell-tty-comp");
      first.key("Tab");
      await first.expect(/get -w \/shell-tty-completion-target$/m);
      first.key("Enter");
      await first.expect(/^typed$/m);
      first.type("set /shell-tty-completion-target changed");
      first.key("Enter");
      await first.expect(
        /WatchedEvent state:SyncConnected type:NodeDataChanged path:\/shell-tty-completion-target/,
      );
      first.type("getAl");
      first.key("Tab");
      await first.expect(/\] getAllChildrenNumber\s*$/m);
      first.key("C-u");
      first.type("quit");
      first.key("Enter");
      await eventually("history written", () => readFileSync(historyFile, "utf8").includes("quit"));
    } finally {
      first.stop();
    }
    const second = new Terminal([process.execPath, paddockBin, "shell", "--server", server]);
    try {
      await second.expect(/\(CONNECTED\) 0\]/);
      // Up twice: past "quit" to the set command typed in the previous session.
      second.key("Up");
      second.key("Up");
      await second.expect(/\] set \/shell-tty-completion-target changed$/m);
      second.key("C-u");
      second.type("history");
      second.key("Enter");
      await second.expect(/^0 - history$/m);
      second.type("quit");
      second.key("Enter");
    } finally {
      second.stop();
    }
  });
});
