// A Paddock server as a real child process over one data directory that outlives it: start, wait
// until it answers ruok, SIGKILL it, start it again. The fault tests use this instead of the shared
// launcher because they must keep the data directory across kills.

import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fourLetterWord } from "../support/four-letter-word.js";
import { repoRoot } from "../support/paths.js";
import { freeLoopbackPort } from "../support/ports.js";

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export function writeConfig(
  dir: string,
  dataDir: string,
  port: number,
  extra: Record<string, string> = {},
): string {
  const keys: Record<string, string> = {
    tickTime: "2000",
    dataDir,
    clientPort: String(port),
    clientPortAddress: "127.0.0.1",
    "4lw.commands.whitelist": "*",
    "admin.enableServer": "false",
    ...extra,
  };
  const path = join(dir, "zoo.cfg");
  writeFileSync(
    path,
    `${Object.entries(keys)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n")}\n`,
  );
  return path;
}

export interface RunningServer {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  kill(): Promise<void>;
}

export interface LaunchOptions {
  /** How long to wait for ruok before killing the server. */
  readonly readyMs?: number;
  /** A command the server runs under, e.g. ["fiu-run", "-x"]; it must exec node in the same process. */
  readonly wrapper?: readonly string[];
  /** Extra environment variables for the server. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Either the server answers ruok, or it exits first (a refusal to start) with this code. */
export type LaunchOutcome =
  | { readonly serving: RunningServer; readonly exitCode?: undefined }
  | { readonly serving?: undefined; readonly exitCode: number | null };

/** Starts the server and resolves once it answers ruok or has exited; throws if neither in time. */
export async function launchServer(
  configPath: string,
  port: number,
  logPath: string,
  options: LaunchOptions = {},
): Promise<LaunchOutcome> {
  const readyMs = options.readyMs ?? 20_000;
  const log = openSync(logPath, "a");
  const [command, ...args] = [
    ...(options.wrapper ?? []),
    process.execPath,
    join(repoRoot, "bin", "paddock.js"),
    "server",
    "--config",
    configPath,
  ];
  const child = spawn(command!, args, {
    stdio: ["ignore", log, log],
    env: { ...process.env, ...options.env },
  });
  closeSync(log);
  live.add(child);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      exitCode = code;
      live.delete(child);
      resolve(code);
    }),
  );
  const deadline = Date.now() + readyMs;
  // Polls until ready, the process exits, or the deadline; each probe waits at most 500 ms.
  for (;;) {
    if (exitCode !== undefined) return { exitCode };
    try {
      if ((await fourLetterWord(port, "ruok", 500)) === "imok") break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`server not ready after ${readyMs} ms:\n${tail(logPath)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    serving: {
      child,
      exited,
      kill: async () => {
        child.kill("SIGKILL");
        await exited;
      },
    },
  };
}

/** Starts the server and resolves once it answers ruok; rejects (with the log tail) if it exits first. */
/** A new temporary directory with data/ and zoo.cfg for one server, and where its log goes. */
export async function serverDir(
  prefix: string,
  extra: Record<string, string> = {},
): Promise<{ dir: string; dataDir: string; port: number; config: string; logPath: string }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const dataDir = join(dir, "data");
  mkdirSync(dataDir);
  const port = await freeLoopbackPort();
  return {
    dir,
    dataDir,
    port,
    config: writeConfig(dir, dataDir, port, extra),
    logPath: join(dir, "server.log"),
  };
}

export async function startServer(
  configPath: string,
  port: number,
  logPath: string,
  readyMs = 20_000,
): Promise<RunningServer> {
  const outcome = await launchServer(configPath, port, logPath, { readyMs });
  if (outcome.serving === undefined)
    throw new Error(`server exited (${outcome.exitCode}) before serving:\n${tail(logPath)}`);
  return outcome.serving;
}

export function tail(logPath: string): string {
  try {
    return readFileSync(logPath, "utf8").split("\n").slice(-30).join("\n");
  } catch {
    return "(no log)";
  }
}
