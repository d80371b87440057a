// `paddock shell`: a zkCli-compatible shell over Paddock's client. Three modes: one command from
// `-c` (or trailing arguments, as zkCli takes them), a script on stdin when stdin is not a
// terminal, and an interactive prompt with persistent history and tab completion of commands and
// znode paths. Non-interactive modes exit 1 when any command failed, so scripts can rely on it.

import { appendFileSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { clearLine, createInterface, cursorTo } from "node:readline";
import { parseArgs } from "node:util";
import { type Client, type ConnectionState, createClient, type WatchEvent } from "../../client/index.js";
import { commandNames, runCommand, type ShellContext } from "./commands.js";
import { formatWatchedEvent } from "./format.js";

const USAGE = `Usage: paddock shell [--server host:port[,host:port...][/chroot]] [--timeout ms] [-r] [-c command | command args...]

Without -c, reads commands from stdin when it is not a terminal, else starts an interactive shell.
Exit code: 0 when every command succeeded, 1 when one failed, 2 for bad arguments.
`;

/** Entries kept in the history file; older ones are dropped when it is read. */
const HISTORY_ENTRIES_MAX = 500;
/** How long the non-interactive modes wait for the first connection. */
const CONNECT_WAIT_MS = 15_000;
/** How long the interactive shell waits for a connection before its first prompt. */
const INITIAL_CONNECT_WAIT_MS = 3_000;
/** Children listed for one tab completion. */
const COMPLETIONS_MAX = 200;

const stateNames: Record<ConnectionState, string> = {
  connecting: "Disconnected",
  connected: "SyncConnected",
  connectedReadOnly: "ConnectedReadOnly",
  disconnected: "Disconnected",
  expired: "Expired",
  authFailed: "AuthFailed",
  closed: "Closed",
};

/** Splits a command line into words; double or single quotes group words and may be empty. */
export function tokenize(line: string): string[] {
  const tokens: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const match of line.matchAll(pattern)) tokens.push(match[1] ?? match[2] ?? match[3] ?? "");
  return tokens;
}

class Shell implements ShellContext {
  client: Client | undefined;
  printWatches = true;
  readonly history: string[] = [];
  private quitting = false;
  private onQuit: () => void = () => {};
  /** Set in interactive mode: prints text above the prompt and redraws it. */
  writeAbovePrompt: ((text: string) => void) | undefined;

  constructor(
    private server: string,
    private readonly options: { sessionTimeoutMs: number; canBeReadOnly: boolean },
    /** Print connection state changes; interactive users see them as zkCli prints them, scripts do not. */
    private readonly printStates: boolean,
    private readonly write: (stream: "out" | "err", text: string) => void,
  ) {}

  get quitRequested(): boolean {
    return this.quitting;
  }

  out(text: string): void {
    if (this.writeAbovePrompt) this.writeAbovePrompt(text);
    else this.write("out", text);
  }

  err(text: string): void {
    this.write("err", text);
  }

  readonly watcher = (event: WatchEvent): void => {
    if (!this.printWatches || event.type === "sessionEnded") return;
    this.out(formatWatchedEvent("SyncConnected", event.type, event.path));
  };

  async connect(server: string): Promise<void> {
    await this.close();
    this.server = server;
    const client = createClient(server, this.options);
    client.on("state", (state) => {
      if (this.printStates && this.printWatches)
        this.out(formatWatchedEvent(stateNames[state], undefined, undefined));
    });
    this.client = client;
  }

  async close(): Promise<void> {
    const client = this.client;
    if (client && client.state !== "closed") await client.close();
  }

  quit(): void {
    this.quitting = true;
    this.onQuit();
  }

  whenQuit(callback: () => void): void {
    this.onQuit = callback;
  }

  async runLine(line: string): Promise<boolean> {
    const tokens = tokenize(line);
    if (tokens.length === 0) return true;
    // redo records the line it re-runs, not itself.
    if (tokens[0] !== "redo") this.history.push(line);
    return runCommand(this, tokens);
  }

  prompt(): string {
    const state = this.client?.state ?? "closed";
    const label = state === "connected" || state === "connectedReadOnly" ? "CONNECTED" : state.toUpperCase();
    return `[zk: ${this.server}(${label}) ${this.history.length}] `;
  }

  /** Completes a command name, or the znode path in the last word. */
  async complete(line: string): Promise<[string[], string]> {
    const words = line.split(/\s+/);
    const last = words.at(-1) ?? "";
    if (words.length <= 1) return [commandNames.filter((name) => name.startsWith(last)), last];
    if (!last.startsWith("/") || !this.client || this.client.state !== "connected") return [[], last];
    const slash = last.lastIndexOf("/");
    const parent = slash === 0 ? "/" : last.slice(0, slash);
    try {
      const children = (await this.client.getChildren(parent)).sort().slice(0, COMPLETIONS_MAX);
      const prefix = parent === "/" ? "/" : `${parent}/`;
      return [children.map((child) => prefix + child).filter((path) => path.startsWith(last)), last];
    } catch {
      return [[], last];
    }
  }
}

function historyFile(): string {
  return process.env.PADDOCK_SHELL_HISTORY ?? join(homedir(), ".paddock_shell_history");
}

function loadHistory(path: string): string[] {
  try {
    return readFileSync(path, "utf8").split("\n").filter(Boolean).slice(-HISTORY_ENTRIES_MAX).reverse();
  } catch {
    return [];
  }
}

async function interactive(shell: Shell): Promise<number> {
  const file = historyFile();
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
    history: loadHistory(file),
    historySize: HISTORY_ENTRIES_MAX,
    completer: (line: string, callback: (error: null, result: [string[], string]) => void) => {
      void shell.complete(line).then((result) => callback(null, result));
    },
  });
  shell.whenQuit(() => rl.close());
  const closed = new Promise<void>((resolve) => rl.once("close", resolve));
  // Asynchronous output (watch events) while the prompt waits: print above it, then redraw it.
  const promptWaiting = (text: string): void => {
    clearLine(process.stdout, 0);
    cursorTo(process.stdout, 0);
    process.stdout.write(`${text}\n`);
    rl.setPrompt(shell.prompt());
    rl.prompt(true);
  };
  const commandRunning = (text: string): void => {
    process.stdout.write(`${text}\n`);
  };
  // Give the first connection a moment, so the first prompt usually shows CONNECTED.
  await shell.client?.connected(INITIAL_CONNECT_WAIT_MS).catch(() => {});
  shell.writeAbovePrompt = promptWaiting;
  rl.setPrompt(shell.prompt());
  rl.prompt();
  rl.on("line", (line) => {
    shell.writeAbovePrompt = commandRunning;
    rl.pause();
    if (line.trim() !== "") {
      try {
        appendFileSync(file, `${line}\n`);
      } catch {
        // History is a convenience; an unwritable file must not stop the shell.
      }
    }
    void shell.runLine(line).then(() => {
      if (shell.quitRequested) return;
      shell.writeAbovePrompt = promptWaiting;
      rl.setPrompt(shell.prompt());
      rl.resume();
      rl.prompt();
    });
  });
  await closed;
  await shell.close();
  return 0;
}

async function script(shell: Shell, lines: AsyncIterable<string>): Promise<number> {
  let failed = false;
  for await (const line of lines) {
    const text = line.trim();
    if (text === "" || text.startsWith("#")) continue;
    if (!(await shell.runLine(text))) failed = true;
    if (shell.quitRequested) break;
  }
  await shell.close();
  return failed ? 1 : 0;
}

/** Runs the shell with `paddock shell`'s arguments; resolves to the exit code. */
export async function runShell(
  argv: string[],
  io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  // zkCli spells its flag -server; accept that spelling too.
  const args = argv.map((arg) => (arg === "-server" ? "--server" : arg));
  const parsed = parseShellArgs(args);
  if (parsed instanceof Error) {
    io.stderr.write(`paddock shell: ${parsed.message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const sessionTimeoutMs = Number(values.timeout ?? "30000");
  if (!Number.isInteger(sessionTimeoutMs) || sessionTimeoutMs <= 0) {
    io.stderr.write(`paddock shell: --timeout must be a positive number of milliseconds\n`);
    return 2;
  }
  const oneCommand = values.command ?? (positionals.length > 0 ? positionals.join(" ") : undefined);
  const isInteractive = oneCommand === undefined && process.stdin.isTTY === true;
  const shell = new Shell(
    values.server ?? "localhost:2181",
    { sessionTimeoutMs, canBeReadOnly: values.r ?? false },
    isInteractive,
    (stream, text) => (stream === "out" ? io.stdout : io.stderr).write(`${text}\n`),
  );
  await shell.connect(values.server ?? "localhost:2181");
  if (isInteractive) return interactive(shell);
  try {
    await shell.client?.connected(CONNECT_WAIT_MS);
  } catch (error) {
    io.stderr.write(
      `paddock shell: cannot connect to ${values.server ?? "localhost:2181"}: ${(error as Error).message}\n`,
    );
    await shell.close();
    return 1;
  }
  if (oneCommand !== undefined)
    return script(
      shell,
      (async function* () {
        yield oneCommand;
      })(),
    );
  return script(shell, createInterface({ input: process.stdin, terminal: false }));
}

function parseShellArgs(args: string[]) {
  try {
    return parseArgs({ args, options: shellOptions, allowPositionals: true, strict: true });
  } catch (error) {
    return error as Error;
  }
}

const shellOptions = {
  server: { type: "string" },
  timeout: { type: "string" },
  command: { type: "string", short: "c" },
  r: { type: "boolean", short: "r" },
  help: { type: "boolean", short: "h" },
} as const;
