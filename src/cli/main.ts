// The `paddock` command line: subcommands, their flags and help. Each subcommand lives in its own
// module; this file only dispatches, so `paddock --help` lists exactly what exists.

import { PADDOCK_VERSION } from "../admin/version.js";
import { runPurge } from "./purge-command.js";
import { parseServerArguments, SERVER_USAGE, UsageError } from "./server-arguments.js";
import { runServer } from "./server-command.js";
import { runShell } from "./shell/shell.js";

const USAGE = `Usage: paddock <command> [options]

Commands:
  server [zoo.cfg] [-Dname=value ...]
                              run a server from ZooKeeper's zoo.cfg (also --config zoo.cfg;
                              defaults: port 2181, data under ./data)
  purge [--config zoo.cfg]    remove old snapshots and log segments of a stopped server
  shell [--server h:p[/chroot]] [-c cmd]
                              a zkCli-compatible shell (interactive, -c, or a script on stdin)

Options:
  -h, --help                  show this help
  -v, --version               print the version
`;

/** Runs the command line; resolves to an exit code, or undefined for a server that keeps running. */
export async function main(argv: string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  switch (command) {
    case "server": {
      let args: ReturnType<typeof parseServerArguments>;
      try {
        args = parseServerArguments(rest);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        process.stderr.write(`${error.message}`);
        return 2;
      }
      if (args.help) {
        process.stdout.write(SERVER_USAGE);
        return 0;
      }
      await runServer(args);
      return undefined;
    }
    case "shell":
      return await runShell(rest);
    case "purge":
      return await runPurge(rest);
    case "-v":
    case "--version":
      process.stdout.write(`paddock ${PADDOCK_VERSION}\n`);
      return 0;
    case undefined:
    case "-h":
    case "--help":
    case "help":
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`paddock: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}
