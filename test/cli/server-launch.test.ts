// `paddock server` started as a person (or a ZooKeeper launch script) types it: the zoo.cfg path as
// the positional argument, ZooKeeper's -D system properties and JVM flags after it. The server must
// serve on the port zoo.cfg names, apply the -D settings, and report the flags it ignores in one
// warning line on stderr.

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { CREATOR_ALL_ACL, connect } from "../../src/client/index.js";
import { fourLetterWord } from "../support/four-letter-word.js";
import { repoRoot } from "../support/paths.js";
import { freeLoopbackPort } from "../support/ports.js";

const started: ChildProcess[] = [];
after(() => {
  for (const child of started) if (child.exitCode === null) child.kill("SIGKILL");
});

interface Launched {
  readonly child: ChildProcess;
  readonly dir: string;
  readonly logPath: string;
  stop(): Promise<void>;
}

/** Starts `paddock server <args>` in a fresh directory holding zoo.cfg; resolves once srvr answers. */
async function launch(cfgLines: string[], args: (cfg: string, dir: string) => string[]): Promise<Launched> {
  const dir = mkdtempSync(join(tmpdir(), "paddock-launch-"));
  mkdirSync(join(dir, "data"));
  writeFileSync(join(dir, "zoo.cfg"), `${cfgLines.join("\n")}\n`);
  const logPath = join(dir, "server.log");
  const log = openSync(logPath, "a");
  const child = spawn(
    process.execPath,
    [join(repoRoot, "bin", "paddock.js"), "server", ...args("zoo.cfg", dir)],
    {
      cwd: dir,
      stdio: ["ignore", log, log],
    },
  );
  closeSync(log);
  started.push(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const port = Number(/^clientPort=(\d+)$/m.exec(cfgLines.join("\n"))![1]);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      const text = readFileSync(logPath, "utf8");
      await stop();
      assert.fail(`paddock server exited with ${child.exitCode}:\n${text}`);
    }
    try {
      if ((await fourLetterWord(port, "srvr", 1_000)).includes("Mode: ")) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      assert.fail("paddock server did not answer srvr within 30 s");
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, dir, logPath, stop };
}

/** The messages of the server's warning-level (pino level 40) log lines. */
function warnings(logPath: string): string[] {
  return readFileSync(logPath, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { level: number; msg: string })
    .filter((entry) => entry.level === 40)
    .map((entry) => entry.msg);
}

describe("paddock server zoo.cfg -Dname=value", () => {
  test("serves from a positional zoo.cfg, applies -Dzookeeper.skipACL=yes and warns once about an unknown -D", async () => {
    // skipACL=yes is proven by a client without credentials reading a node only its creator may read.
    const port = await freeLoopbackPort();
    const server = await launch(
      [
        "tickTime=2000",
        "dataDir=data",
        `clientPort=${port}`,
        "clientPortAddress=127.0.0.1",
        "admin.enableServer=false",
      ],
      (cfg) => [
        cfg,
        "-Dzookeeper.skipACL=yes",
        "-Dzookeeper.4lw.commands.whitelist=*",
        "-Dzookeeper.log.dir=/var/log/zookeeper",
      ],
    );
    try {
      assert.equal(await fourLetterWord(port, "ruok"), "imok", "the -D whitelist enables ruok");
      const owner = await connect(`127.0.0.1:${port}`, { sessionTimeoutMs: 10_000 });
      const stranger = await connect(`127.0.0.1:${port}`, { sessionTimeoutMs: 10_000 });
      try {
        await owner.addAuth("digest", "owner:secret");
        await owner.create("/private", "only the owner", { acl: CREATOR_ALL_ACL });
        const { data } = await stranger.getData("/private");
        assert.equal(data?.toString(), "only the owner");
      } finally {
        await owner.close();
        await stranger.close();
      }
      assert.deepEqual(warnings(server.logPath), [
        "ignoring an argument that means nothing to Paddock (JVM, logging or unsupported ZooKeeper properties): " +
          "-Dzookeeper.log.dir=/var/log/zookeeper",
      ]);
    } finally {
      await server.stop();
    }
  });

  test("starts with kazoo's harness zoo.cfg and java flags, the JVM ones reported in one line", async () => {
    // kazoo/testing/common.py with one server: its zoo.cfg, then its -D flags (readonlymode,
    // log4j, JAAS, the super digest) exactly as it passes them to java.
    const port = await freeLoopbackPort();
    const server = await launch(
      [
        "",
        "tickTime=2000",
        "dataDir=data",
        `clientPort=${port}`,
        "maxClientCnxns=0",
        `admin.serverPort=${port + 3}`,
        "4lw.commands.whitelist=*",
        "reconfigEnabled=true",
      ],
      (cfg, dir) => {
        // The JAAS file the harness writes beside its zoo.cfg (ZOOKEEPER_JAAS_AUTH=digest).
        writeFileSync(
          join(dir, "jaas.conf"),
          'Server { org.apache.zookeeper.server.auth.DigestLoginModule required user_super="super_secret" ' +
            'user_jaasuser="jaas_password"; };\n',
        );
        return [
          "-Dfile.encoding=UTF-8",
          "-Dreadonlymode.enabled=true",
          "-Dzookeeper.log.dir=log",
          "-Dzookeeper.root.logger=INFO,CONSOLE",
          "-Dlog4j.configuration=file:log4j.properties",
          "-Djava.awt.headless=true",
          "-Djava.security.auth.login.config=jaas.conf",
          "-Dzookeeper.DigestAuthenticationProvider.superDigest=super:D/InIHSb7yEEbrWz8b9l71RjZJU=",
          cfg,
        ];
      },
    );
    try {
      // readonlymode.enabled turns isro on whatever the whitelist says; a non-partitioned server answers rw.
      assert.equal(await fourLetterWord(port, "isro"), "rw");
      const superUser = await connect(`127.0.0.1:${port}`, { sessionTimeoutMs: 10_000 });
      try {
        await superUser.addAuth("digest", "super:test");
        const who = await superUser.whoAmI();
        assert.ok(who.some((info) => info.authScheme === "digest" && info.user === "super"));
      } finally {
        await superUser.close();
      }
      // kazoo's harness puts the admin server at clientPort + 3 without checking that port is free;
      // when another test's server holds it, Paddock says so and serves anyway, as ZooKeeper does.
      const adminPortTaken = /^the admin server \(.*\) is not started: the port is in use/;
      assert.deepEqual(
        warnings(server.logPath).filter((w) => !adminPortTaken.test(w)),
        [
          "ignoring 5 arguments that mean nothing to Paddock (JVM, logging or unsupported ZooKeeper properties): " +
            "-Dfile.encoding=UTF-8 -Dzookeeper.log.dir=log -Dzookeeper.root.logger=INFO,CONSOLE " +
            "-Dlog4j.configuration=file:log4j.properties -Djava.awt.headless=true",
        ],
      );
    } finally {
      await server.stop();
    }
  });

  test("a zoo.cfg given twice is refused with the usage text and exit code 2", async () => {
    const child = spawn(process.execPath, [
      join(repoRoot, "bin", "paddock.js"),
      "server",
      "a.cfg",
      "--config",
      "b.cfg",
    ]);
    started.push(child);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    assert.equal(code, 2);
    assert.match(stderr, /the configuration file is given twice \(a\.cfg and --config b\.cfg\); keep one/);
    assert.match(stderr, /Usage: paddock server/);
  });
});
