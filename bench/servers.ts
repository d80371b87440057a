// Starts the servers under test as child processes with the same zoo.cfg, keeping their pids for
// /proc readings and timing process start to serving. It mirrors test/support (whose zoo.cfg
// writer, port picker and ZooKeeper classpath it reuses) but adds what a benchmark needs: the pid,
// a start-to-serving time at fine resolution, a reusable data directory for restarts, JVM heap and
// node flags such as --cpu-prof.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { commandExists } from "../test/support/debian.js";
import { fourLetterWord } from "../test/support/four-letter-word.js";
import { freeLoopbackPort } from "../test/support/ports.js";
import { writeZooCfg } from "../test/support/server-process.js";
import { zookeeperClasspath } from "../test/support/zookeeper.js";

export type ServerKind = "paddock" | "zookeeper";

/** This file compiles to <repo>/dist/bench/servers.js. */
const paddockBin = fileURLToPath(new URL("../../bin/paddock.js", import.meta.url));

/**
 * ZooKeeper's heap: its own zkServer.sh uses 1000 MB; 2 GB leaves room for a million znodes so
 * the memory figures measure the tree, not GC pressure. RSS is measured, not the limit.
 */
export const ZOOKEEPER_HEAP = "-Xmx2g";

/** The settings both servers get: ZooKeeper's defaults (fsync on), no per-address connection cap. */
export const SHARED_CONFIG: Record<string, string> = {
  tickTime: "2000",
  maxClientCnxns: "0",
  forceSync: "yes",
};

const READY_POLL_MS = 20;
const STOP_GRACE_MS = 15_000;
const NOT_SERVING = "not currently serving requests";

export function zookeeperInstalled(): boolean {
  return existsSync("/usr/share/java/zookeeper.jar") && commandExists("java");
}

export interface ServerOptions {
  /** Reuse this directory (a restart); a fresh temporary one is made when absent. */
  dir?: string;
  /** Extra arguments for node before the script, e.g. --cpu-prof; Paddock only. */
  nodeFlags?: string[];
  /** Another build's bin/paddock.js, to measure a change against a baseline; Paddock only. */
  paddockBin?: string;
  readyTimeoutMs?: number;
}

export class ServerProcess {
  private exited = false;

  private constructor(
    readonly kind: ServerKind,
    readonly dir: string,
    readonly port: number,
    private readonly child: ChildProcess,
    /** From spawn to the first `srvr` answer that says it serves. */
    public startToServingMs = 0,
  ) {
    child.once("exit", () => {
      this.exited = true;
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get address(): { host: string; port: number } {
    return { host: "127.0.0.1", port: this.port };
  }

  static async start(kind: ServerKind, options: ServerOptions = {}): Promise<ServerProcess> {
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), `paddock-bench-${kind}-`));
    mkdirSync(join(dir, "data"), { recursive: true });
    const port = await freeLoopbackPort();
    const cfg = writeZooCfg(dir, port, SHARED_CONFIG);
    const [command, args] =
      kind === "zookeeper"
        ? [
            "java",
            [
              ZOOKEEPER_HEAP,
              "-Dzookeeper.jmx.log4j.disable=true",
              "-cp",
              zookeeperClasspath,
              "org.apache.zookeeper.server.ZooKeeperServerMain",
              cfg,
            ],
          ]
        : [
            process.execPath,
            [...(options.nodeFlags ?? []), options.paddockBin ?? paddockBin, "server", "--config", cfg],
          ];
    const log = openSync(join(dir, "server.log"), "a");
    const startedMs = performance.now();
    const child = spawn(command, args, { cwd: dir, stdio: ["ignore", log, log] });
    const server = new ServerProcess(kind, dir, port, child);
    try {
      await server.waitUntilServing(options.readyTimeoutMs ?? 120_000);
    } catch (error) {
      // A directory the caller gave holds data it wants to keep, or to look at after this failure.
      await server.stop(options.dir === undefined);
      throw error;
    }
    server.startToServingMs = performance.now() - startedMs;
    return server;
  }

  private async waitUntilServing(timeoutMs: number): Promise<void> {
    let lastProblem = "no answer yet";
    for (let i = 0; i < timeoutMs / READY_POLL_MS; i++) {
      if (this.exited) throw new Error(`${this.kind} exited before serving; log:\n${this.logTail()}`);
      try {
        // ZooKeeper answers imok while still loading its database; srvr tells whether it serves.
        const answer = await fourLetterWord(this.port, "srvr", 2_000);
        if (answer.includes("Zxid") && !answer.includes(NOT_SERVING)) return;
        lastProblem = `srvr answered ${JSON.stringify(answer.slice(0, 80))}`;
      } catch (error) {
        lastProblem = (error as Error).message;
      }
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    }
    throw new Error(
      `${this.kind} not serving after ${timeoutMs} ms (${lastProblem}); log:\n${this.logTail()}`,
    );
  }

  logTail(): string {
    try {
      return readFileSync(join(this.dir, "server.log"), "utf8").split("\n").slice(-30).join("\n");
    } catch {
      return "(no log)";
    }
  }

  /** SIGTERM (so --cpu-prof writes its profile), SIGKILL after a grace period; removes the dir unless kept. */
  async stop(removeDir: boolean): Promise<void> {
    if (!this.exited) {
      this.child.kill("SIGTERM");
      if (!(await this.waitForExit(STOP_GRACE_MS))) {
        this.child.kill("SIGKILL");
        await this.waitForExit(STOP_GRACE_MS);
      }
    }
    if (removeDir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** SIGKILL, as a crash: the data directory is kept for a restart. */
  async kill(): Promise<void> {
    if (!this.exited) {
      this.child.kill("SIGKILL");
      await this.waitForExit(STOP_GRACE_MS);
    }
  }

  private waitForExit(timeoutMs: number): Promise<boolean> {
    if (this.exited) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.child.once("exit", () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
