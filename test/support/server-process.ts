// Runs one server under test as a child process with its own temporary directory, waits until it
// answers `ruok` with `imok`, and stops exactly that process. ZooKeeper and Paddock share this so
// that both targets are started, probed and torn down the same way.

import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fourLetterWord } from "./four-letter-word.js";
import type { Target } from "./targets.js";

export interface ServerConfig {
  /** Extra zoo.cfg keys; they override the defaults written by writeZooCfg. */
  extraConfig?: Record<string, string>;
  /**
   * Settings ZooKeeper reads only as JVM system properties (such as znode.container.checkIntervalMs);
   * passed as -D flags to ZooKeeper and as zoo.cfg keys to Paddock, which reads them there.
   */
  systemProperties?: Record<string, string>;
  /** How long to wait for `imok`; generous because a cold JVM on a loaded machine is slow. */
  readyTimeoutMs?: number;
}

export interface LaunchSpec {
  kind: Target["kind"];
  command: string;
  args: string[];
  port: number;
  dir: string;
  readyTimeoutMs: number;
}

const readyPollMs = 100;
const notServing = "not currently serving requests";
const stopGraceMs = 10_000;
const running = new Set<ChildProcess>();

// A test process that dies on an assertion must not leave servers behind.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Writes the zoo.cfg both targets understand and returns its path. */
export function writeZooCfg(dir: string, port: number, extraConfig: Record<string, string> = {}): string {
  const keys: Record<string, string> = {
    tickTime: "2000",
    dataDir: join(dir, "data"),
    clientPort: String(port),
    clientPortAddress: "127.0.0.1",
    "4lw.commands.whitelist": "*",
    "admin.enableServer": "false",
    ...extraConfig,
  };
  const path = join(dir, "zoo.cfg");
  writeFileSync(
    path,
    `${Object.entries(keys)
      .map(([key, value]) => `${key}=${value}`)
      .join("\n")}\n`,
  );
  return path;
}

function logTail(logPath: string): string {
  try {
    return readFileSync(logPath, "utf8").split("\n").slice(-40).join("\n");
  } catch {
    return "(no log)";
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function launchServer(spec: LaunchSpec): Promise<Target> {
  const logPath = join(spec.dir, "server.log");
  const log = openSync(logPath, "a");
  const child = spawn(spec.command, spec.args, { cwd: spec.dir, stdio: ["ignore", log, log] });
  closeSync(log);
  running.add(child);
  let exited = false;
  child.once("exit", () => {
    exited = true;
    running.delete(child);
  });

  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill("SIGTERM");
      if (!(await waitForExit(child, stopGraceMs))) {
        child.kill("SIGKILL");
        await waitForExit(child, stopGraceMs);
      }
    }
    rmSync(spec.dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + spec.readyTimeoutMs;
  let lastProblem = "no answer yet";
  for (;;) {
    if (exited) {
      const tail = logTail(logPath);
      await stop();
      throw new Error(`${spec.kind} exited before it was ready (${lastProblem}); log tail:\n${tail}`);
    }
    try {
      const answer = await fourLetterWord(spec.port, "ruok", 2_000);
      // ZooKeeper answers imok while still loading its database; srvr tells whether it serves.
      const serving =
        answer === "imok" && !(await fourLetterWord(spec.port, "srvr", 2_000)).includes(notServing);
      if (serving) break;
      lastProblem = `ruok answered ${JSON.stringify(answer)}${answer === "imok" ? " but srvr: not serving" : ""}`;
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    if (Date.now() > deadline) {
      const tail = logTail(logPath);
      await stop();
      throw new Error(
        `${spec.kind} not ready after ${spec.readyTimeoutMs} ms (${lastProblem}); log:\n${tail}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, readyPollMs));
  }

  return {
    kind: spec.kind,
    host: "127.0.0.1",
    port: spec.port,
    connectString: `127.0.0.1:${spec.port}`,
    dir: spec.dir,
    stop,
  };
}
