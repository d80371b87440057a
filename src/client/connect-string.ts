// Parses ZooKeeper connection strings ("h1:2181,h2:2181/app") and maps paths across the chroot.
// The chroot is applied here and nowhere else: the rest of the client speaks client paths, and only
// the bytes on the wire carry server paths, exactly as ZooKeeper's own clients do it.

import { ClientError } from "./errors.js";

/** One server of a connection string. */
export interface HostPort {
  /** Host name or IP address (IPv6 without brackets). */
  readonly host: string;
  /** TCP port, 1..65535; 2181 when the string gave none. */
  readonly port: number;
}

/** A parsed connection string. */
export interface ConnectString {
  /** The servers in the order given (the client shuffles them when it connects). */
  readonly hosts: readonly HostPort[];
  /** "" when there is no chroot, else an absolute path without a trailing slash. */
  readonly chroot: string;
}

const DEFAULT_PORT = 2181;

function parseHost(entry: string): HostPort {
  // "[::1]:2181" for IPv6, "host:port" or "host" otherwise.
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  const [host, portText] = bracketed
    ? [bracketed[1]!, bracketed[2]]
    : entry.includes(":")
      ? [entry.slice(0, entry.lastIndexOf(":")), entry.slice(entry.lastIndexOf(":") + 1)]
      : [entry, undefined];
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (host === "" || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ClientError("PDK_BAD_CONNECT_STRING", `bad host "${entry}" in the connection string`);
  }
  return { host, port };
}

/**
 * Parses "h1:2181,[::1]:2182,h3/chroot" into hosts and chroot.
 * @throws {ClientError} `PDK_BAD_CONNECT_STRING` for no hosts or a bad host or port;
 * `PDK_BAD_ARGUMENT` for an invalid chroot path.
 */
export function parseConnectString(text: string): ConnectString {
  const slash = text.indexOf("/");
  const hostsPart = slash < 0 ? text : text.slice(0, slash);
  let chroot = slash < 0 ? "" : text.slice(slash);
  if (chroot === "/") chroot = "";
  if (chroot !== "") validatePath(chroot);
  const hosts = hostsPart
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "")
    .map(parseHost);
  if (hosts.length === 0) throw new ClientError("PDK_BAD_CONNECT_STRING", `no hosts in "${text}"`);
  return { hosts, chroot };
}

/** ZooKeeper's PathUtils rules, checked before a request is sent so the caller gets a clear error. */
export function validatePath(path: string, sequential = false): void {
  const fail = (why: string): never => {
    throw new ClientError("PDK_BAD_ARGUMENT", `invalid path "${path}": ${why}`);
  };
  if (path.length === 0) fail("empty");
  if (path[0] !== "/") fail("must start with /");
  if (path.length === 1) return;
  if (path.endsWith("/") && !sequential) fail("must not end with /");
  const parts = path.split("/").slice(1);
  for (const [index, part] of parts.entries()) {
    if (part === "" && !(sequential && index === parts.length - 1)) fail("empty node name");
    if (part === "." || part === "..") fail("relative names are not allowed");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters refused.
    if (/[\u0000\u0001-\u001f\u007f-\u009f\ud800-\uf8ff\ufff0-\uffff]/.test(part)) fail("invalid character");
  }
}

export function toServerPath(chroot: string, clientPath: string): string {
  if (chroot === "") return clientPath;
  return clientPath === "/" ? chroot : chroot + clientPath;
}

/** Strips the chroot; a path outside it (which a server never sends) is returned unchanged. */
export function toClientPath(chroot: string, serverPath: string): string {
  if (chroot === "") return serverPath;
  if (serverPath === chroot) return "/";
  if (serverPath.startsWith(`${chroot}/`)) return serverPath.slice(chroot.length);
  return serverPath;
}

/** Fisher-Yates on a copy: spreads clients of one connection string over the ensemble. */
export function shuffled<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
