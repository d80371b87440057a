// ACL evaluation as ZooKeeper's server does it: the permission check (ZooKeeperServer.checkACL), the
// fix-up of a client-supplied ACL list on create/setACL (PrepRequestProcessor.fixupACL), and the
// schemes' id rules (IP with CIDR for IPv4 and IPv6, digest `user:base64(sha1)`, x509 distinguished
// names, sasl user names), plus world:anyone and the super bypass. ZooKeeper registers x509 and sasl
// only when configured; here they always exist, so an ACL's validity never depends on server flags.

import { createHash } from "node:crypto";
import type { ACL, Id } from "../protocol/data.js";
import { isDistinguishedName } from "./x509-identity.js";

/** Schemes whose ids the `auth` pseudo-scheme expands to: ZooKeeper's `isAuthenticated()` providers. */
const AUTHENTICATED_SCHEMES: ReadonlySet<string> = new Set(["digest", "x509", "sasl"]);

/**
 * Parses an IPv4 or IPv6 literal the way ZooKeeper's IPAuthenticationProvider does (no zone ids, no
 * embedded IPv4 in IPv6); undefined when it does not parse.
 */
export function parseIpAddress(addr: string): Uint8Array | undefined {
  if (addr.includes(":")) return parseIpv6(addr);
  if (addr.includes(".")) return parseIpv4(addr);
  return undefined;
}

/** Java's Integer.parseInt over ASCII digits: an optional sign, then at least one digit. */
function parseJavaInt(s: string, radix: 10 | 16): number | undefined {
  const pattern = radix === 10 ? /^[+-]?[0-9]+$/ : /^[+-]?[0-9a-fA-F]+$/;
  if (!pattern.test(s)) return undefined;
  const v = Number.parseInt(s, radix);
  return v >= -0x80000000 && v <= 0x7fffffff ? v : undefined;
}

function parseIpv4(addr: string): Uint8Array | undefined {
  const parts = addr.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const v = parseJavaInt(parts[i]!, 10);
    if (v === undefined || v < 0 || v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

function parseIpv6(addr: string): Uint8Array | undefined {
  const halves = addr.split("::");
  let head: string[];
  let tail: string[] = [];
  if (halves.length === 1) {
    head = halves[0]!.split(":");
    if (head.length !== 8) return undefined;
  } else if (halves.length === 2) {
    head = halves[0] === "" ? [] : halves[0]!.split(":");
    tail = halves[1] === "" ? [] : halves[1]!.split(":");
    if (head.length + tail.length >= 8) return undefined;
  } else {
    return undefined;
  }
  const out = new Uint8Array(16);
  if (!writeIpv6Segments(out, 0, head) || !writeIpv6Segments(out, 16 - tail.length * 2, tail))
    return undefined;
  return out;
}

function writeIpv6Segments(out: Uint8Array, start: number, segments: readonly string[]): boolean {
  let i = start;
  for (const segment of segments) {
    if (segment.length === 0 || segment.length > 4) return false;
    const v = parseJavaInt(segment, 16);
    if (v === undefined) return false;
    out[i++] = (v >> 8) & 0xff;
    out[i++] = v & 0xff;
  }
  return true;
}

/** Clears every bit after the first `bits` bits. */
function maskBits(b: Uint8Array, bits: number): void {
  let start = bits >> 3;
  let mask = ~((1 << (8 - (bits % 8))) - 1) & 0xff;
  while (start < b.length) {
    b[start]! &= mask;
    mask = 0;
    start++;
  }
}

/** An ip ACL expression: an address with an optional `/bits` prefix length. */
function parseIpExpression(expr: string): { addr: Uint8Array; bits: number } | undefined {
  const slash = expr.indexOf("/");
  const addr = parseIpAddress(slash < 0 ? expr : expr.slice(0, slash));
  if (addr === undefined) return undefined;
  let bits = addr.length * 8;
  if (slash >= 0) {
    const v = parseJavaInt(expr.slice(slash + 1), 10);
    if (v === undefined || v < 0 || v > addr.length * 8) return undefined;
    bits = v;
  }
  return { addr, bits };
}

/** Whether a client address (`ip:` auth id) falls inside an ip ACL expression such as `10.0.0.0/8`. */
export function ipMatches(clientAddr: string, aclExpr: string): boolean {
  const expr = parseIpExpression(aclExpr);
  if (expr === undefined) return false;
  maskBits(expr.addr, expr.bits);
  const remote = parseIpAddress(clientAddr);
  if (remote === undefined) return false;
  maskBits(remote, expr.bits);
  if (remote.length !== expr.addr.length) return false;
  for (let i = 0; i < remote.length; i++) if (remote[i] !== expr.addr[i]) return false;
  return true;
}

/** Java's `s.split(":").length`: trailing empty strings do not count. */
function javaSplitCount(s: string, sep: string): number {
  const parts = s.split(sep);
  let n = parts.length;
  while (n > 0 && parts[n - 1] === "") n--;
  return n;
}

/**
 * SASLAuthenticationProvider.isValid, which parses the id as a KerberosName: anything without `@`,
 * or exactly `name[/host]@REALM`.
 */
function isKerberosName(id: string): boolean {
  return !id.includes("@") || /^[^/@]*(?:\/[^/@]*)?@[^/@]*$/.test(id);
}

/** The provider `isValid` rule for an ACL id of a registered scheme; undefined for unknown schemes. */
function isValidId(scheme: string, id: string): boolean | undefined {
  switch (scheme) {
    case "ip":
      return parseIpExpression(id) !== undefined;
    case "digest":
      return javaSplitCount(id, ":") === 2;
    case "x509":
      return isDistinguishedName(id);
    case "sasl":
      return isKerberosName(id);
    default:
      return undefined;
  }
}

function matchesId(scheme: string, authId: string, aclId: string): boolean {
  switch (scheme) {
    case "ip":
      return ipMatches(authId, aclId);
    case "digest":
    case "x509":
      return authId === aclId;
    case "sasl":
      // SASLAuthenticationProvider: a SASL user literally named "super" passes every sasl ACL.
      return authId === "super" || authId === aclId;
    default:
      return false;
  }
}

/**
 * True when `authIds` may perform `perm` (a Perms bit mask: any bit suffices) on a node with `acl`.
 * An empty ACL allows everything; a `super` identity bypasses every check.
 */
export function checkPerm(acl: readonly ACL[], perm: number, authIds: readonly Id[]): boolean {
  if (acl.length === 0) return true;
  // Indexed loops: the lists are frozen (interned in the tree, shared by decoded log entries), and V8
  // allocates an iterator result per step of a for-of over a frozen array; this runs on every write.
  for (let i = 0; i < authIds.length; i++) if (authIds[i]!.scheme === "super") return true;
  for (let i = 0; i < acl.length; i++) {
    const a = acl[i]!;
    if ((a.perms & perm) === 0) continue;
    const { scheme, id } = a.id;
    if (scheme === "world" && id === "anyone") return true;
    for (let j = 0; j < authIds.length; j++) {
      const authId = authIds[j]!;
      if (authId.scheme === scheme && matchesId(scheme, authId.id, id)) return true;
    }
  }
  return false;
}

function sameACL(a: ACL, b: ACL): boolean {
  return a.perms === b.perms && a.id.scheme === b.id.scheme && a.id.id === b.id.id;
}

/** Whether an entry equal to acl[i] comes before it. */
function repeatsEarlier(acl: readonly ACL[], i: number): boolean {
  for (let j = 0; j < i; j++) if (sameACL(acl[j]!, acl[i]!)) return true;
  return false;
}

/**
 * The ACL list to store for a create or setACL: duplicates removed, `auth` expanded to the session's
 * authenticated ids, every id checked by its scheme. undefined means INVALIDACL (also for null/empty).
 * A list that needs no change is returned as it is: almost every create sends one, and a replay of
 * the log runs this once per create.
 */
export function fixupACL(acl: readonly ACL[] | null, authIds: readonly Id[]): readonly ACL[] | undefined {
  if (acl === null || acl.length === 0) return undefined;
  /** The list so far, once it differs from `acl` (an entry dropped or expanded). */
  let out: ACL[] | undefined;
  for (let i = 0; i < acl.length; i++) {
    const a = acl[i]!;
    if (repeatsEarlier(acl, i)) {
      out ??= acl.slice(0, i);
      continue;
    }
    const { scheme, id } = a.id;
    if (scheme === "auth") {
      out ??= acl.slice(0, i);
      let expanded = false;
      for (let j = 0; j < authIds.length; j++) {
        const authId = authIds[j]!;
        if (!AUTHENTICATED_SCHEMES.has(authId.scheme)) continue;
        expanded = true;
        out.push({ perms: a.perms, id: authId });
      }
      if (!expanded) return undefined;
      continue;
    }
    if (!(scheme === "world" && id === "anyone") && isValidId(scheme, id) !== true) return undefined;
    out?.push(a);
  }
  return out ?? acl;
}

function sha1Base64(s: string): string {
  return createHash("sha1").update(s, "utf8").digest("base64");
}

/** The digest ACL id for a user and password: `user:` + base64(sha1(`user:password`)). */
export function digestOf(user: string, password: string): string {
  return `${user}:${sha1Base64(`${user}:${password}`)}`;
}

/**
 * The digest id for the auth data of an `addauth digest user:password` packet, exactly as ZooKeeper's
 * generateDigest: the user is everything before the first ':', the hash covers the whole string.
 */
export function generateDigest(idPassword: string): string {
  const colon = idPassword.indexOf(":");
  const user = colon < 0 ? idPassword : idPassword.slice(0, colon);
  return `${user}:${sha1Base64(idPassword)}`;
}

/** The ACL shown by getACL to a caller without ADMIN: digest ids become `user:x`. */
export function maskDigests(acl: readonly ACL[]): ACL[] {
  return acl.map((a) =>
    a.id.scheme === "digest"
      ? { perms: a.perms, id: { scheme: "digest", id: a.id.id.replace(/:.*/g, ":x") } }
      : a,
  );
}
