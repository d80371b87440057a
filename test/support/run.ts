// Runs a third-party client program to completion with optional stdin and a hard time bound, and
// hands back everything it printed. A client that hangs is killed (by its own pid) and reported
// with its output so far, so a broken server shows up as a readable failure rather than a stall.

import { spawn } from "node:child_process";

export interface RunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs ?? 60_000);
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({
        status,
        signal,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        timedOut,
      });
    });
    child.stdin.on("error", () => {
      // The client may exit before reading all of its input; its output tells the story.
    });
    child.stdin.end(options.input ?? "");
  });
}

/** A one-paragraph account of a run for assertion messages. */
export function describeRun(result: RunResult): string {
  const how = result.timedOut ? "timed out" : `exited ${result.status ?? result.signal}`;
  return `${how}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr.slice(-4000)}`;
}
