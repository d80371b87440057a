// zoo.cfg and its dynamic file are java.util.Properties text; this reads that syntax exactly as
// Properties.load does (continuations, comments, separators, escapes), keeping each setting's line
// so that every message can point at it.

import { ConfigError, type Setting } from "./config-error.js";

/**
 * java.util.Properties.load: a logical line continues while it ends in an odd number of
 * backslashes, `#`/`!` start comment lines, the key ends at the first unescaped `=`, `:` or
 * whitespace, and backslash escapes are decoded. Keys and values are then trimmed, as ZooKeeper does.
 */
export function readProperties(text: string, source: string): Setting[] {
  const lines = text.split(/\r\n|\r|\n/);
  const settings: Setting[] = [];
  for (let i = 0; i < lines.length; i++) {
    let natural = stripLeading(lines[i]!);
    if (natural === "" || natural.startsWith("#") || natural.startsWith("!")) continue;
    const startLine = i + 1;
    let logical = "";
    while (endsInContinuation(natural) && i + 1 < lines.length) {
      logical += natural.slice(0, -1);
      natural = stripLeading(lines[++i]!);
    }
    logical += endsInContinuation(natural) ? natural.slice(0, -1) : natural;
    const { key, value } = splitKeyValue(logical);
    settings.push({
      key: decodeEscapes(key, source, startLine).trim(),
      value: decodeEscapes(value, source, startLine).trim(),
      line: startLine,
      source,
    });
  }
  return settings;
}

function stripLeading(line: string): string {
  return line.replace(/^[ \t\f]+/, "");
}

function endsInContinuation(line: string): boolean {
  let backslashes = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === "\\"; i--) backslashes++;
  return backslashes % 2 === 1;
}

function splitKeyValue(logical: string): { key: string; value: string } {
  let end = 0;
  while (end < logical.length && !"=: \t\f".includes(logical[end]!)) end += logical[end] === "\\" ? 2 : 1;
  end = Math.min(end, logical.length);
  let start = end;
  while (start < logical.length && " \t\f".includes(logical[start]!)) start++;
  if (start < logical.length && "=:".includes(logical[start]!)) start++;
  while (start < logical.length && " \t\f".includes(logical[start]!)) start++;
  return { key: logical.slice(0, end), value: logical.slice(start) };
}

const ESCAPES: Record<string, string> = { t: "\t", n: "\n", r: "\r", f: "\f" };

function decodeEscapes(text: string, source: string, line: number): string {
  return text.replace(/\\(u(.{0,4})|[\s\S]?)/g, (_match, escaped: string, hex: string | undefined) => {
    if (hex === undefined) return ESCAPES[escaped] ?? escaped;
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
      throw new ConfigError(source, line, `malformed \\uXXXX escape "\\u${hex}" (four hex digits expected)`);
    }
    return String.fromCharCode(Number.parseInt(hex, 16));
  });
}
