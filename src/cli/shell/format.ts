// How the shell prints things, matching zkCli 3.8 character for character: Stat blocks with hex
// zxids and Java Date.toString() times, ACLs as 'scheme,'id / : perms, watch events as
// "WatchedEvent state:... type:... path:...", and KeeperException messages for errors.

import {
  type ACL,
  BadVersionError,
  ClientError,
  NoAuthError,
  NodeExistsError,
  NoNodeError,
  NotEmptyError,
  type Stat,
  ZooKeeperError,
} from "../../client/index.js";
import { Perms } from "../../protocol/constants.js";

const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number): string => String(n).padStart(2, "0");

/** Java's Date.toString(): "Wed Nov 25 14:57:54 UTC 2026", in the local time zone. */
export function javaDate(ms: bigint): string {
  const date = new Date(Number(ms));
  const zone =
    new Intl.DateTimeFormat("en-US", { timeZoneName: "short" })
      .formatToParts(date)
      .find((p) => p.type === "timeZoneName")?.value ?? "UTC";
  return `${days[date.getDay()]} ${months[date.getMonth()]} ${two(date.getDate())} ${two(date.getHours())}:${two(
    date.getMinutes(),
  )}:${two(date.getSeconds())} ${zone} ${date.getFullYear()}`;
}

const hex = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;

export function formatStat(stat: Stat): string {
  return [
    `cZxid = ${hex(stat.czxid)}`,
    `ctime = ${javaDate(stat.ctime)}`,
    `mZxid = ${hex(stat.mzxid)}`,
    `mtime = ${javaDate(stat.mtime)}`,
    `pZxid = ${hex(stat.pzxid)}`,
    `cversion = ${stat.cversion}`,
    `dataVersion = ${stat.version}`,
    `aclVersion = ${stat.aversion}`,
    `ephemeralOwner = ${hex(stat.ephemeralOwner)}`,
    `dataLength = ${stat.dataLength}`,
    `numChildren = ${stat.numChildren}`,
  ].join("\n");
}

const permLetters: [number, string][] = [
  [Perms.CREATE, "c"],
  [Perms.DELETE, "d"],
  [Perms.READ, "r"],
  [Perms.WRITE, "w"],
  [Perms.ADMIN, "a"],
];

export function formatPerms(perms: number): string {
  return permLetters
    .filter(([bit]) => (perms & bit) !== 0)
    .map(([, letter]) => letter)
    .join("");
}

export function formatAcl(acl: readonly ACL[]): string {
  return acl.map((entry) => `'${entry.id.scheme},'${entry.id.id}\n: ${formatPerms(entry.perms)}`).join("\n");
}

/** Parses zkCli ACL text "scheme:id:perms[,scheme:id:perms...]"; the id may itself hold colons. */
export function parseAcl(text: string): ACL[] {
  return text.split(",").map((entry) => {
    const first = entry.indexOf(":");
    const last = entry.lastIndexOf(":");
    if (first < 0 || last === first) throw new ClientError("PDK_BAD_ARGUMENT", `bad ACL entry "${entry}"`);
    let perms = 0;
    for (const letter of entry.slice(last + 1)) {
      const bit = permLetters.find(([, l]) => l === letter)?.[0];
      if (bit === undefined)
        throw new ClientError("PDK_BAD_ARGUMENT", `bad permission "${letter}" in "${entry}"`);
      perms |= bit;
    }
    return { perms, id: { scheme: entry.slice(0, first), id: entry.slice(first + 1, last) } };
  });
}

const eventNames: Record<string, string> = {
  created: "NodeCreated",
  deleted: "NodeDeleted",
  dataChanged: "NodeDataChanged",
  childrenChanged: "NodeChildrenChanged",
  dataWatchRemoved: "DataWatchRemoved",
  childWatchRemoved: "ChildWatchRemoved",
  persistentWatchRemoved: "PersistentWatchRemoved",
};

export function formatWatchedEvent(
  state: string,
  type: string | undefined,
  path: string | undefined,
): string {
  const typeName = type === undefined ? "None" : (eventNames[type] ?? type);
  return `\nWATCHER::\n\nWatchedEvent state:${state} type:${typeName} path:${path ?? "null"}`;
}

/** KeeperException.Code names as Java's getCodeMessage prints them. */
const codeMessages: Record<number, string> = {
  [-1]: "SystemError",
  [-2]: "RuntimeInconsistency",
  [-3]: "DataInconsistency",
  [-4]: "ConnectionLoss",
  [-5]: "MarshallingError",
  [-6]: "Unimplemented",
  [-7]: "OperationTimeout",
  [-8]: "BadArguments",
  [-13]: "NewConfigNoQuorum",
  [-14]: "ReconfigInProgress",
  [-108]: "NoChildrenForEphemerals",
  [-112]: "Session expired",
  [-114]: "InvalidACL",
  [-115]: "AuthFailed",
  [-118]: "Session moved",
  [-119]: "Not a read-only call",
  [-120]: "Ephemeral node on local session",
  [-121]: "No such watcher",
  [-122]: "Request timeout",
  [-123]: "Reconfig is disabled",
  [-125]: "Quota has exceeded",
  [-127]: "Op throttled due to high load",
};

/** The line zkCli prints for a failed command. */
export function errorLine(error: unknown, path?: string): string {
  const where = error instanceof ZooKeeperError ? (error.path ?? path) : path;
  if (error instanceof NoNodeError) return `Node does not exist: ${where}`;
  if (error instanceof NodeExistsError) return `Node already exists: ${where}`;
  if (error instanceof NotEmptyError) return `Node not empty: ${where}`;
  if (error instanceof BadVersionError) return `version No is not valid : ${where}`;
  if (error instanceof NoAuthError) return `Insufficient permission : ${where}`;
  if (error instanceof ZooKeeperError) {
    const name = codeMessages[error.code] ?? error.codeName;
    return `KeeperErrorCode = ${name}${where === undefined ? "" : ` for ${where}`}`;
  }
  return error instanceof Error ? error.message : String(error);
}
