// The AdminServer's authentication and authorization for commands that need it (snapshot and
// restore in 3.9): the `Authorization: <scheme>[ <data>]` header names a ZooKeeper identity, which
// must hold every bit of the command's permission on the ACL of its path, as ZooKeeper checks a
// client request. Outcomes carry ZooKeeper's status codes and messages.

import { checkPerm, digestOf } from "../../data/acl.js";
import type { ACL, Id } from "../../protocol/data.js";

export interface AuthSettings {
  readonly skipACL: boolean;
  /** `user:base64(sha1)` of the super user, if one is configured. */
  readonly superDigest: string | undefined;
}

export type AuthOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: number; readonly error: string };

/** The identities an Authorization header proves, or undefined when it proves none (401). */
export function authenticate(
  header: string,
  remoteAddress: string,
  settings: AuthSettings,
): readonly Id[] | undefined {
  const parts = header.split(" ");
  if (parts.length !== 1 && parts.length !== 2) return undefined;
  const [scheme, data] = parts as [string, string | undefined];
  if (scheme === "ip") return [{ scheme: "ip", id: remoteAddress }];
  if (scheme === "digest" && data !== undefined) {
    // ZooKeeper's digest provider takes `user:password` in plain text, split at the first colon.
    const colon = data.indexOf(":");
    if (colon <= 0) return undefined;
    const digest = digestOf(data.slice(0, colon), data.slice(colon + 1));
    const ids: Id[] = [{ scheme: "digest", id: digest }];
    if (settings.superDigest !== undefined && digest === settings.superDigest)
      ids.push({ scheme: "super", id: "" });
    return ids;
  }
  // x509 needs a TLS admin port, which Paddock does not serve: no identity, as for an unknown scheme.
  return undefined;
}

/** ZooKeeper's check: each bit of `perm` separately satisfied by the ACL of the command's path. */
export function authorize(
  header: string | undefined,
  remoteAddress: string,
  acl: readonly ACL[],
  perm: number,
  settings: AuthSettings,
): AuthOutcome {
  if (header === undefined) return { ok: false, status: 401, error: "Auth info is missing for the command" };
  const ids = authenticate(header, remoteAddress, settings);
  if (ids === undefined || ids.length === 0) return { ok: false, status: 401, error: "Not authenticated" };
  if (settings.skipACL) return { ok: true };
  for (let bit = 1; bit <= perm; bit <<= 1) {
    if ((perm & bit) !== 0 && !checkPerm(acl, bit, ids))
      return { ok: false, status: 403, error: "Not authorized" };
  }
  return { ok: true };
}
