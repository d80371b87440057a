// ZooKeeper's znode path rules (PathUtils.validatePath) and the two string helpers the tree needs.
// Paths are compared and stored as JavaScript strings, whose UTF-16 code units are the same `char`s
// Java checks, so the character ranges below carry over unit for unit (surrogates are rejected).

/** Returns undefined for a valid path, else the reason it is invalid (ZooKeeper's wording). */
export function validatePath(path: string): string | undefined {
  if (path.length === 0) return "Path length must be > 0";
  if (path.charCodeAt(0) !== 0x2f) return "Path must start with / character";
  if (path.length === 1) return undefined;
  if (path.charCodeAt(path.length - 1) === 0x2f) return "Path must not end with / character";
  let last = 0x2f;
  for (let i = 1; i < path.length; last = path.charCodeAt(i), i++) {
    const c = path.charCodeAt(i);
    if (c === 0) return `null character not allowed @${i}`;
    if (c === 0x2f && last === 0x2f) return `empty node name specified @${i}`;
    if (c === 0x2e && last === 0x2e) {
      // ".." is only relative when it is a whole component.
      if (path.charCodeAt(i - 2) === 0x2f && (i + 1 === path.length || path.charCodeAt(i + 1) === 0x2f)) {
        return `relative paths not allowed @${i}`;
      }
    } else if (c === 0x2e) {
      if (last === 0x2f && (i + 1 === path.length || path.charCodeAt(i + 1) === 0x2f)) {
        return `relative paths not allowed @${i}`;
      }
    } else if (
      (c > 0 && c <= 0x1f) ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0xd800 && c <= 0xf8ff) ||
      (c >= 0xfff0 && c <= 0xffff)
    ) {
      return `invalid character @${i}`;
    }
  }
  return undefined;
}

/**
 * The parent of a valid non-root path: "/a/b" -> "/a", "/a" -> "/". (ZooKeeper's own substring gives
 * "" for "/a", its internal alias of the root; the state machine handles that raw form itself.)
 */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  if (slash < 0 || path.length === 1) {
    throw new Error(`invariant: path ${JSON.stringify(path)} has no parent`);
  }
  return slash === 0 ? "/" : path.slice(0, slash);
}

/** The last component of a path: the child name stored in its parent. */
export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
