// The shell's commands: zkCli 3.8's names, options, usage lines and output. Each command parses
// its options the way zkCli does (options may follow the path), runs against the current client
// and reports success, which the non-interactive modes turn into the exit code.

import { readFileSync } from "node:fs";
import { PADDOCK_VERSION } from "../../admin/version.js";
import {
  type Client,
  CREATOR_ALL_ACL,
  type CreateMode,
  deleteQuota,
  formatQuota,
  getQuota,
  NoNodeError,
  OPEN_ACL_UNSAFE,
  type Quota,
  setQuota,
  type Watcher,
} from "../../client/index.js";
import { errorLine, formatAcl, formatStat, parseAcl } from "./format.js";

export interface ShellContext {
  readonly client: Client | undefined;
  printWatches: boolean;
  readonly history: readonly string[];
  out(text: string): void;
  err(text: string): void;
  /** Prints watch events the zkCli way (when printwatches is on). */
  readonly watcher: Watcher;
  connect(server: string): Promise<void>;
  close(): Promise<void>;
  quit(): void;
  /** Runs a line as if typed (for redo). */
  runLine(line: string): Promise<boolean>;
}

interface Options {
  readonly flags: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, string>;
  readonly args: readonly string[];
}

interface Command {
  readonly usage: string;
  /** One-letter (or word) options without a value, and those with one. */
  readonly flags?: readonly string[];
  readonly valued?: readonly string[];
  readonly minArgs: number;
  readonly needsClient?: boolean;
  run(ctx: ShellContext, client: Client, o: Options): Promise<boolean>;
}

class UsageError extends Error {}

function parseOptions(command: Command, tokens: readonly string[]): Options {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const args: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const name = token.startsWith("-") && token.length > 1 ? token.slice(1) : undefined;
    if (name !== undefined && command.flags?.includes(name)) flags.add(name);
    else if (name !== undefined && command.valued?.includes(name)) {
      const value = tokens[++i];
      if (value === undefined) throw new UsageError();
      values.set(name, value);
    } else if (name !== undefined && args.length === 0 && !/^-\d/.test(token)) throw new UsageError();
    else args.push(token);
  }
  if (args.length < command.minArgs) throw new UsageError();
  return { flags, values, args };
}

function intOption(o: Options, name: string, fallback: number): number {
  const text = o.values.get(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value)) throw new UsageError();
  return value;
}

const join = (parent: string, child: string): string => (parent === "/" ? `/${child}` : `${parent}/${child}`);

async function walk(
  client: Client,
  path: string,
  visit: (path: string) => Promise<void> | void,
): Promise<void> {
  await visit(path);
  for (const child of (await client.getChildren(path)).sort()) await walk(client, join(path, child), visit);
}

function createMode(o: Options): CreateMode {
  const sequential = o.flags.has("s");
  if (o.values.has("t")) return sequential ? "persistentSequentialWithTtl" : "persistentWithTtl";
  if (o.flags.has("c")) return "container";
  if (o.flags.has("e")) return sequential ? "ephemeralSequential" : "ephemeral";
  return sequential ? "persistentSequential" : "persistent";
}

/** zkCli's `reconfig -file`: the server lines of a dynamic config file, comma-joined. */
function membersFromFile(path: string): string {
  return readFileSync(path, "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("server."))
    .join(",");
}

const quotaFlags: Record<string, keyof Quota> = {
  n: "count",
  b: "bytes",
  N: "countHardLimit",
  B: "byteHardLimit",
};

export const commands: Record<string, Command> = {
  addWatch: {
    usage:
      "addWatch [-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE",
    valued: ["m"],
    minArgs: 1,
    async run(ctx, client, o) {
      const mode = o.values.get("m") ?? "PERSISTENT_RECURSIVE";
      if (mode !== "PERSISTENT" && mode !== "PERSISTENT_RECURSIVE") throw new UsageError();
      const watch = await client.addWatch(o.args[0]!, { recursive: mode === "PERSISTENT_RECURSIVE" });
      void (async () => {
        for await (const event of watch) ctx.watcher(event);
      })().catch(() => {});
      return true;
    },
  },
  addauth: {
    usage: "addauth scheme auth",
    minArgs: 2,
    async run(_ctx, client, o) {
      await client.addAuth(o.args[0]!, o.args[1]!);
      return true;
    },
  },
  close: {
    usage: "close ",
    minArgs: 0,
    needsClient: false,
    async run(ctx) {
      await ctx.close();
      return true;
    },
  },
  config: {
    usage: "config [-c] [-w] [-s]",
    flags: ["c", "w", "s"],
    minArgs: 0,
    async run(ctx, client, o) {
      const { data, stat } = await client.getConfig(o.flags.has("w") ? { watch: ctx.watcher } : {});
      const text = data?.toString() ?? "";
      ctx.out(
        o.flags.has("c")
          ? text
              .split("\n")
              .filter((l) => l.startsWith("server."))
              .join(",")
          : text,
      );
      if (o.flags.has("s")) ctx.out(formatStat(stat));
      return true;
    },
  },
  connect: {
    usage: "connect host:port",
    minArgs: 1,
    needsClient: false,
    async run(ctx, _client, o) {
      await ctx.connect(o.args[0]!);
      return true;
    },
  },
  create: {
    usage: "create [-s] [-e] [-c] [-t ttl] path [data] [acl]",
    flags: ["s", "e", "c"],
    valued: ["t"],
    minArgs: 1,
    async run(ctx, client, o) {
      const [path, data, acl] = o.args;
      const mode = createMode(o);
      const ttl = o.values.get("t");
      const created = await client.create(path!, data === undefined ? null : data, {
        mode,
        acl: acl === undefined ? OPEN_ACL_UNSAFE : acl === "auth" ? CREATOR_ALL_ACL : parseAcl(acl),
        ...(ttl === undefined ? {} : { ttlMs: intOption(o, "t", 0) }),
      });
      ctx.out(`Created ${created}`);
      return true;
    },
  },
  delete: {
    usage: "delete [-v version] path",
    valued: ["v"],
    minArgs: 1,
    async run(_ctx, client, o) {
      await client.delete(o.args[0]!, intOption(o, "v", -1));
      return true;
    },
  },
  deleteall: {
    usage: "deleteall path [-b batch size]",
    valued: ["b"],
    minArgs: 1,
    async run(_ctx, client, o) {
      const batch = Math.max(1, intOption(o, "b", 1000));
      const paths: string[] = [];
      await walk(client, o.args[0]!, (path) => {
        paths.push(path);
      });
      // Deepest first, so each batch deletes children before their parents.
      paths.sort((a, b) => b.split("/").length - a.split("/").length);
      for (let i = 0; i < paths.length; i += batch) {
        const tx = client.transaction();
        for (const path of paths.slice(i, i + batch)) tx.delete(path);
        await tx.commit();
      }
      return true;
    },
  },
  delquota: {
    usage: "delquota [-n|-b|-N|-B] path",
    flags: ["n", "b", "N", "B"],
    minArgs: 1,
    async run(ctx, client, o) {
      const fields = Object.entries(quotaFlags)
        .filter(([flag]) => o.flags.has(flag))
        .map(([, field]) => field);
      if (!(await deleteQuota(client, o.args[0]!, fields.length === 0 ? undefined : fields))) {
        ctx.err(`Quota does not exist for ${o.args[0]}`);
        return false;
      }
      return true;
    },
  },
  get: {
    usage: "get [-s] [-w] path",
    flags: ["s", "w"],
    minArgs: 1,
    async run(ctx, client, o) {
      const { data, stat } = await client.getData(o.args[0]!, o.flags.has("w") ? { watch: ctx.watcher } : {});
      ctx.out(data === null ? "null" : data.toString());
      if (o.flags.has("s")) ctx.out(formatStat(stat));
      return true;
    },
  },
  getAcl: {
    usage: "getAcl [-s] path",
    flags: ["s"],
    minArgs: 1,
    async run(ctx, client, o) {
      const { acl, stat } = await client.getACL(o.args[0]!);
      ctx.out(formatAcl(acl));
      if (o.flags.has("s")) ctx.out(formatStat(stat));
      return true;
    },
  },
  getAllChildrenNumber: {
    usage: "getAllChildrenNumber path",
    minArgs: 1,
    async run(ctx, client, o) {
      ctx.out(String(await client.getAllChildrenNumber(o.args[0]!)));
      return true;
    },
  },
  getEphemerals: {
    usage: "getEphemerals path",
    minArgs: 0,
    async run(ctx, client, o) {
      ctx.out(`[${(await client.getEphemerals(o.args[0] ?? "/")).join(", ")}]`);
      return true;
    },
  },
  history: {
    usage: "history ",
    minArgs: 0,
    needsClient: false,
    async run(ctx) {
      const start = Math.max(0, ctx.history.length - 11);
      for (let i = start; i < ctx.history.length; i++) ctx.out(`${i} - ${ctx.history[i]}`);
      return true;
    },
  },
  listquota: {
    usage: "listquota path",
    minArgs: 1,
    async run(ctx, client, o) {
      const path = o.args[0]!;
      ctx.out(`absolute path is /zookeeper/quota${path}/zookeeper_limits`);
      const quota = await getQuota(client, path);
      if (!quota) {
        ctx.out(`quota for ${path} does not exist.`);
        return true;
      }
      const { limits, usage } = quota;
      ctx.out(`Output quota for ${path} ${formatQuota(limits)}`);
      ctx.out(`Output stat for ${path} count=${usage.count},bytes=${usage.bytes}`);
      return true;
    },
  },
  ls: {
    usage: "ls [-s] [-w] [-R] path",
    flags: ["s", "w", "R"],
    minArgs: 1,
    async run(ctx, client, o) {
      const path = o.args[0]!;
      if (o.flags.has("R")) {
        await walk(client, path, (p) => ctx.out(p));
        return true;
      }
      const { children, stat } = await client.getChildrenWithStat(
        path,
        o.flags.has("w") ? { watch: ctx.watcher } : {},
      );
      ctx.out(`[${children.sort().join(", ")}]`);
      if (o.flags.has("s")) ctx.out(formatStat(stat));
      return true;
    },
  },
  printwatches: {
    usage: "printwatches on|off",
    minArgs: 0,
    needsClient: false,
    async run(ctx, _client, o) {
      if (o.args.length === 0) ctx.out(`printwatches is ${ctx.printWatches ? "on" : "off"}`);
      else ctx.printWatches = o.args[0] === "on";
      return true;
    },
  },
  quit: {
    usage: "quit ",
    minArgs: 0,
    needsClient: false,
    async run(ctx) {
      ctx.quit();
      return true;
    },
  },
  reconfig: {
    usage:
      "reconfig [-s] [-v version] [[-file path] | [-members serverID=host:port1:port2;port3[,...]*]] | [-add serverId=host:port1:port2;port3[,...]]* [-remove serverId[,...]*]",
    flags: ["s"],
    valued: ["v", "file", "members", "add", "remove"],
    minArgs: 0,
    async run(ctx, client, o) {
      const version = o.values.get("v");
      const { data, stat } = await client.reconfig({
        joining: o.values.get("add"),
        leaving: o.values.get("remove"),
        newMembers: o.values.has("file") ? membersFromFile(o.values.get("file")!) : o.values.get("members"),
        fromConfig: version === undefined ? -1n : BigInt(`0x${version.replace(/^0x/, "")}`),
      });
      ctx.out(`Committed new configuration:\n${data?.toString() ?? ""}`);
      if (o.flags.has("s")) ctx.out(formatStat(stat));
      return true;
    },
  },
  redo: {
    usage: "redo cmdno",
    minArgs: 1,
    needsClient: false,
    async run(ctx, _client, o) {
      const line = ctx.history[Number(o.args[0])];
      if (line === undefined) throw new UsageError();
      return ctx.runLine(line);
    },
  },
  removewatches: {
    usage: "removewatches path [-c|-d|-a] [-l]",
    flags: ["c", "d", "a", "l"],
    minArgs: 1,
    async run(_ctx, client, o) {
      const kind = o.flags.has("c") ? "children" : o.flags.has("d") ? "data" : "any";
      await client.removeWatches(o.args[0]!, kind, { local: o.flags.has("l") });
      return true;
    },
  },
  set: {
    usage: "set [-s] [-v version] path data",
    flags: ["s"],
    valued: ["v"],
    minArgs: 2,
    async run(ctx, client, o) {
      const stat = await client.setData(o.args[0]!, o.args[1]!, intOption(o, "v", -1));
      if (o.flags.has("s")) ctx.out(formatStat(stat));
      return true;
    },
  },
  setAcl: {
    usage: "setAcl [-s] [-v version] [-R] path acl",
    flags: ["s", "R"],
    valued: ["v"],
    minArgs: 2,
    async run(ctx, client, o) {
      const acl = parseAcl(o.args[1]!);
      if (o.flags.has("R")) {
        await walk(client, o.args[0]!, async (path) => {
          await client.setACL(path, acl);
        });
        return true;
      }
      const stat = await client.setACL(o.args[0]!, acl, intOption(o, "v", -1));
      if (o.flags.has("s")) ctx.out(formatStat(stat));
      return true;
    },
  },
  setquota: {
    usage: "setquota -n|-b|-N|-B val path",
    valued: ["n", "b", "N", "B"],
    minArgs: 1,
    async run(_ctx, client, o) {
      const change: { -readonly [K in keyof Quota]?: number } = {};
      for (const [flag, field] of Object.entries(quotaFlags)) {
        if (o.values.has(flag)) change[field] = intOption(o, flag, -1);
      }
      if (Object.keys(change).length === 0) throw new UsageError();
      await setQuota(client, o.args[0]!, change);
      return true;
    },
  },
  stat: {
    usage: "stat [-w] path",
    flags: ["w"],
    minArgs: 1,
    async run(ctx, client, o) {
      const stat = await client.exists(o.args[0]!, o.flags.has("w") ? { watch: ctx.watcher } : {});
      if (stat === null) throw new NoNodeError(-101, { path: o.args[0] });
      ctx.out(formatStat(stat));
      return true;
    },
  },
  sync: {
    usage: "sync path",
    minArgs: 1,
    async run(ctx, client, o) {
      await client.sync(o.args[0]!);
      ctx.out("Sync is OK");
      return true;
    },
  },
  version: {
    usage: "version ",
    minArgs: 0,
    needsClient: false,
    async run(ctx) {
      ctx.out(`Paddock shell version: ${PADDOCK_VERSION} (zkCli 3.8 compatible)`);
      return true;
    },
  },
  whoami: {
    usage: "whoami ",
    minArgs: 0,
    async run(ctx, client) {
      ctx.out("Auth scheme: User");
      for (const info of await client.whoAmI()) ctx.out(`${info.authScheme}: ${info.user}`);
      return true;
    },
  },
};

// Code-unit order, as zkCli lists them (addWatch before addauth).
export const commandNames = Object.keys(commands).sort();

export function usageText(): string {
  return `ZooKeeper -server host:port -client-configuration properties-file cmd args\n${commandNames
    .map((name) => `\t${commands[name]!.usage}`)
    .join("\n")}`;
}

/** Runs one parsed command line; true when it succeeded. */
export async function runCommand(ctx: ShellContext, tokens: readonly string[]): Promise<boolean> {
  const [name, ...rest] = tokens;
  if (name === undefined) return true;
  const command = commands[name];
  if (command === undefined) {
    ctx.err(usageText());
    ctx.err(`Command not found: Command not found ${name}`);
    return false;
  }
  let options: Options;
  try {
    options = parseOptions(command, rest);
  } catch {
    ctx.err(command.usage);
    return false;
  }
  const client = ctx.client;
  if (command.needsClient !== false && (client === undefined || client.state === "closed")) {
    ctx.err("Not connected");
    return false;
  }
  try {
    return await command.run(ctx, client!, options);
  } catch (error) {
    if (error instanceof UsageError) ctx.err(command.usage);
    else ctx.err(errorLine(error, options.args[0]));
    return false;
  }
}
