// The error a bad configuration stops start-up with, and the one place settings are located for
// messages. A setting comes from a file (zoo.cfg, its dynamic file, myid) with a line, or from the
// command line (-Dname=value) without one; every message names where to fix it.

/** One `key=value` as written, with where it was written. */
export interface Setting {
  /** The key as written, or `-Dname` for a system property from the command line. */
  readonly key: string;
  readonly value: string;
  /** 1-based line the logical line starts on; undefined for the command line. */
  readonly line: number | undefined;
  /** The file as the operator named it, or "command line". */
  readonly source: string;
}

/** Where -Dname=value settings come from, in messages. */
export const COMMAND_LINE = "command line";

/** A zoo.cfg (or myid, dynamic file, -D argument) that Paddock refuses to start with. */
export class ConfigError extends Error {
  readonly code = "PDK_CONFIG_INVALID";

  constructor(
    /** File the problem is in, as the operator named it, or "command line". */
    readonly source: string,
    /** 1-based line the offending setting starts on, when there is one. */
    readonly line: number | undefined,
    detail: string,
  ) {
    super(`PDK_CONFIG_INVALID: ${where(source, line)}: ${detail}`);
    this.name = "ConfigError";
  }
}

export function where(source: string, line: number | undefined): string {
  return line === undefined ? source : `${source} line ${line}`;
}

/** A setting's location for use inside a message: "line 4", "line 2 of zoo.cfg.dynamic", "the command line". */
export function lineOf(s: Setting, home: string): string {
  if (s.line === undefined) return `the ${s.source}`;
  return s.source === home ? `line ${s.line}` : `line ${s.line} of ${s.source}`;
}

export function errorAt(s: Setting, detail: string): ConfigError {
  return new ConfigError(s.source, s.line, detail);
}

/** Rejects a setting's value: the message repeats it as written, then says what is wrong. */
export function fail(s: Setting, problem: string): never {
  throw errorAt(s, `${s.key}=${s.value} ${problem}`);
}
