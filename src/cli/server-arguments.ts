// The arguments of `paddock server`, taken as ZooKeeper's launch takes them: the config file as
// QuorumPeerMain's one positional argument (or --config), and the JVM flags operators put in
// SERVER_JVMFLAGS. A -D property that names a zoo.cfg key (with or without `zookeeper.`) becomes a
// setting; JVM, logging and other properties that mean nothing here are accepted and reported once.

import { parseArgs } from "node:util";
import { type SystemProperty, zooCfgKeyFor } from "../server/config.js";

export const SERVER_USAGE = `Usage: paddock server [zoo.cfg | --config zoo.cfg] [-Dname=value ...]

Runs a server from ZooKeeper's zoo.cfg (defaults without one: port 2181, data under ./data).
-D takes the system properties ZooKeeper reads from SERVER_JVMFLAGS (zookeeper.skipACL,
zookeeper.DigestAuthenticationProvider.superDigest, jute.maxbuffer, readonlymode.enabled, ...) and any
zoo.cfg key, with or without its zookeeper. prefix; a zoo.cfg line for the same key wins, as in
ZooKeeper. JVM and logging flags (-Xmx, -XX:..., -Dlog4j.configuration, ...) are accepted and ignored.
`;

export interface ServerArguments {
  readonly configPath: string | undefined;
  /** -D properties that name a setting, in command-line order. */
  readonly systemProperties: readonly SystemProperty[];
  /** Arguments accepted for ZooKeeper compatibility that change nothing here, as given. */
  readonly ignored: readonly string[];
  readonly help: boolean;
}

/** A command line `paddock server` cannot run with. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

// java's own options that take no part in ZooKeeper's configuration.
const JVM_FLAG =
  /^-(X.*|server|client|d32|d64|ea(:.*)?|da(:.*)?|enableassertions(:.*)?|disableassertions(:.*)?|esa|dsa|verbose(:.*)?|javaagent:.*|agentlib:.*|agentpath:.*|showversion)$/;
// java options whose value is the next argument.
const JVM_OPTION_WITH_VALUE = new Set(["-cp", "-classpath", "--class-path"]);

export function parseServerArguments(args: readonly string[]): ServerArguments {
  const systemProperties: SystemProperty[] = [];
  const ignored: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith("-D") && arg.length > 2) {
      // java -Dname sets the property to the empty string.
      const equals = arg.indexOf("=");
      const name = equals < 0 ? arg.slice(2) : arg.slice(2, equals);
      const value = equals < 0 ? "" : arg.slice(equals + 1);
      if (zooCfgKeyFor(name) !== undefined) systemProperties.push({ name, value });
      else ignored.push(arg);
    } else if (JVM_OPTION_WITH_VALUE.has(arg)) {
      ignored.push(arg, ...(i + 1 < args.length ? [args[++i]!] : []));
    } else if (JVM_FLAG.test(arg)) {
      ignored.push(arg);
    } else {
      rest.push(arg);
    }
  }
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(rest);
  } catch (error) {
    throw new UsageError(`paddock server: ${(error as Error).message}\n\n${SERVER_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new UsageError(
      `paddock server: one configuration file expected, got ${positionals.length} (${positionals.join(" ")})\n\n${SERVER_USAGE}`,
    );
  }
  if (positionals.length === 1 && values.config !== undefined) {
    throw new UsageError(
      `paddock server: the configuration file is given twice (${positionals[0]} and --config ${values.config}); keep one\n\n${SERVER_USAGE}`,
    );
  }
  return {
    configPath: values.config ?? positionals[0],
    systemProperties,
    ignored,
    help: values.help === true,
  };
}

function parseOptions(args: string[]) {
  return parseArgs({
    args,
    options: { config: { type: "string", short: "c" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
    strict: true,
  });
}

/** The one warning line for everything accepted only for compatibility, or undefined when there is none. */
export function ignoredArgumentsWarning(ignored: readonly string[]): string | undefined {
  if (ignored.length === 0) return undefined;
  return (
    `ignoring ${ignored.length === 1 ? "an argument that means" : `${ignored.length} arguments that mean`} nothing to ` +
    `Paddock (JVM, logging or unsupported ZooKeeper properties): ${ignored.join(" ")}`
  );
}
