// `paddock server`: reads zoo.cfg (or runs on defaults) and the -D properties, starts the member it
// describes, logs where it serves, and shuts down cleanly on SIGINT/SIGTERM.

import { pino } from "pino";
import { PADDOCK_VERSION } from "../admin/version.js";
import { loadZooCfg } from "../server/config.js";
import { startMember } from "../server/member.js";
import { ignoredArgumentsWarning, type ServerArguments } from "./server-arguments.js";

export async function runServer(args: ServerArguments): Promise<void> {
  const log = pino({ name: "paddock" }, pino.destination(2));
  const ignored = ignoredArgumentsWarning(args.ignored);
  if (ignored !== undefined) log.warn(ignored);
  const { config, warnings } = loadZooCfg(args.configPath, args.systemProperties);
  for (const warning of warnings) log.warn(warning);
  const memberLog = {
    info: (m: string) => log.info(m),
    warn: (m: string) => log.warn(m),
    fatal: (m: string) => log.fatal(m),
  };
  let member: Awaited<ReturnType<typeof startMember>>;
  try {
    member = await startMember(config, {
      log: memberLog,
      onFatal: (error) => {
        // The disk failed under the log: nothing past the durable log may be applied or answered.
        // Exit; a restart recovers from what is on disk.
        log.fatal(error.message);
        process.exit(1);
      },
    });
  } catch (error) {
    log.fatal(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
    return;
  }
  const { address } = member;
  log.info(
    { version: PADDOCK_VERSION, host: address.host, port: address.port, dataDir: config.dataDir },
    `paddock serving ZooKeeper clients on ${address.host}:${address.port}`,
  );
  const shutdown = async (signal: string) => {
    log.info(`${signal}: shutting down`);
    await member.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}
