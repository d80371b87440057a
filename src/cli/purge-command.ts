// `paddock purge`: offline retention for a stopped server's data directories. It keeps the newest N
// snapshots that read back whole and every log segment recovery from them needs, as autopurge does
// inside a running server, and prints what it removed.

import { parseArgs } from "node:util";
import { defaultConfig, loadZooCfg } from "../server/config.js";
import { NodeFileSystem } from "../storage/node-file-system.js";
import { purge } from "../storage/purge.js";

export const PURGE_USAGE = `Usage: paddock purge [--config zoo.cfg] [--data-dir DIR] [--data-log-dir DIR] [--count N]

Removes old snapshots and log segments of a STOPPED server, keeping the newest N valid snapshots
(default: autopurge.snapRetainCount from the config, else 3) and every log segment they need.
`;

/** Runs `paddock purge` with the arguments after the subcommand; resolves to the exit code. */
export async function runPurge(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: "string", short: "c" },
      "data-dir": { type: "string" },
      "data-log-dir": { type: "string" },
      count: { type: "string", short: "n" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(PURGE_USAGE);
    return 0;
  }
  const config = values.config === undefined ? defaultConfig() : loadZooCfg(values.config).config;
  const dataDir = values["data-dir"] ?? config.dataDir;
  const dataLogDir = values["data-log-dir"] ?? values["data-dir"] ?? config.dataLogDir;
  const count = values.count === undefined ? config.autopurgeSnapRetainCount : Number(values.count);
  if (!Number.isInteger(count) || count < 1) {
    process.stderr.write(`paddock purge: --count must be a positive integer, not ${values.count}\n`);
    return 2;
  }
  const logger = {
    info: (m: string) => process.stdout.write(`${m}\n`),
    warn: (m: string) => process.stderr.write(`warning: ${m}\n`),
  };
  const result = await purge(new NodeFileSystem(), dataDir, dataLogDir, count, logger);
  for (const path of result.removed) process.stdout.write(`removed ${path}\n`);
  process.stdout.write(
    `kept ${result.keptSnapshots.length} snapshot(s), removed ${result.removed.length} file(s)\n`,
  );
  return 0;
}
