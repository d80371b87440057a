// Drives a command-line client line by line: write a command, wait for the text it should print.
// stderr is merged into stdout at the file-descriptor level (sh `2>&1` then exec, so the pid is the
// client's own) because CLIs print errors on stderr and results on stdout, and only one stream
// keeps their relative order.

import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";

interface Waiter {
  pattern: RegExp;
  from: number;
  resolve: (match: RegExpExecArray) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class InteractiveProcess {
  /** Everything printed so far, both streams, in the order written. */
  output = "";
  /** waitFor searches from here and moves it past each match, so expectations read as a transcript. */
  cursor = 0;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiters = new Set<Waiter>();
  private exitCode: number | null | undefined;
  private readonly exited: Promise<number | null>;

  constructor(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
    this.child = spawn("sh", ["-c", 'exec "$0" "$@" 2>&1', command, ...args], { env });
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (text: string) => {
      this.output += text;
      for (const waiter of this.waiters) this.check(waiter);
    });
    this.child.stdin.on("error", () => {
      // A client that exits early closes its stdin; the waiters report what it printed.
    });
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code) => {
        this.exitCode = code;
        for (const waiter of this.waiters) this.fail(waiter, "the process exited");
        resolve(code);
      });
    });
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Waits for the pattern after the cursor and moves the cursor past it. */
  async expect(pattern: RegExp | string, timeoutMs = 30_000): Promise<RegExpExecArray> {
    const match = await this.waitFor(pattern, this.cursor, timeoutMs);
    this.cursor = match.index + match[0].length;
    return match;
  }

  /** Waits for the pattern anywhere after `from`, leaving the cursor alone (for asynchronous events). */
  waitFor(pattern: RegExp | string, from = 0, timeoutMs = 30_000): Promise<RegExpExecArray> {
    const regex = typeof pattern === "string" ? new RegExp(escapeRegExp(pattern)) : pattern;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        pattern: new RegExp(regex.source, regex.flags.replace("g", "")),
        from,
        resolve,
        reject,
        timer: setTimeout(() => this.fail(waiter, `nothing matched within ${timeoutMs} ms`), timeoutMs),
      };
      this.waiters.add(waiter);
      this.check(waiter);
      if (this.exitCode !== undefined) this.fail(waiter, "the process had exited");
    });
  }

  /** Closes stdin and waits for the exit; kills this child by pid if it will not go. */
  async close(timeoutMs = 30_000): Promise<number | null> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  private check(waiter: Waiter): void {
    const match = waiter.pattern.exec(this.output.slice(waiter.from));
    if (!match) return;
    match.index += waiter.from;
    this.waiters.delete(waiter);
    clearTimeout(waiter.timer);
    waiter.resolve(match);
  }

  private fail(waiter: Waiter, why: string): void {
    if (!this.waiters.delete(waiter)) return;
    clearTimeout(waiter.timer);
    const seen = this.output.slice(waiter.from).slice(-3000);
    waiter.reject(new Error(`waiting for ${waiter.pattern}: ${why}; output since:\n${seen}`));
  }
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
