// Reads a JAAS login configuration file, the one `java.security.auth.login.config` names, with the
// grammar of the JDK's ConfigFile: `Name { module flag key=value ...; ... };`, values quoted or
// bare words, // and /* */ comments. Only the text is parsed here (the caller reads the file), and
// every mistake is reported with the file and line, as a start-up error.

export interface JaasEntry {
  /** The login module class, e.g. org.apache.zookeeper.server.auth.DigestLoginModule. */
  readonly loginModule: string;
  readonly flag: "required" | "requisite" | "sufficient" | "optional";
  /** Options in file order; a key written twice keeps its last value, as Java's HashMap does. */
  readonly options: ReadonlyMap<string, string>;
  readonly line: number;
}

export class JaasConfigError extends Error {
  readonly code = "PDK_JAAS_INVALID";

  constructor(
    readonly source: string,
    readonly line: number,
    detail: string,
  ) {
    super(`PDK_JAAS_INVALID: ${source} line ${line}: ${detail}`);
    this.name = "JaasConfigError";
  }
}

type Token =
  | { kind: "word"; text: string; line: number }
  | { kind: "quoted"; text: string; line: number }
  | { kind: "punct"; text: "{" | "}" | ";" | "="; line: number }
  | { kind: "end"; line: number };

const WORD = /[A-Za-z0-9.$_\-*]/;
const ESCAPES: Readonly<Record<string, string>> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" };

function tokenize(text: string, source: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") {
      line++;
      i++;
    } else if (c <= " ") {
      i++;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) throw new JaasConfigError(source, line, "a /* comment is never closed");
      for (let j = i; j < end; j++) if (text[j] === "\n") line++;
      i = end + 2;
    } else if (c === '"') {
      const start = line;
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) throw new JaasConfigError(source, start, "a quoted value is never closed");
        const q = text[i]!;
        if (q === '"') break;
        if (q === "\n") line++;
        if (q === "\\" && i + 1 < text.length) {
          const next = text[i + 1]!;
          value += ESCAPES[next] ?? next;
          i += 2;
          continue;
        }
        value += q;
        i++;
      }
      i++;
      tokens.push({ kind: "quoted", text: value, line: start });
    } else if (c === "{" || c === "}" || c === ";" || c === "=") {
      tokens.push({ kind: "punct", text: c, line });
      i++;
    } else if (WORD.test(c)) {
      let word = "";
      while (i < text.length && WORD.test(text[i]!)) word += text[i++];
      tokens.push({ kind: "word", text: word, line });
    } else {
      throw new JaasConfigError(source, line, `unexpected character "${c}"`);
    }
  }
  tokens.push({ kind: "end", line });
  return tokens;
}

const FLAGS = ["required", "requisite", "sufficient", "optional"] as const;

/** Parses JAAS text; `source` names the file in errors. Sections by name, entries in order. */
export function parseJaas(text: string, source: string): ReadonlyMap<string, readonly JaasEntry[]> {
  const tokens = tokenize(text, source);
  let at = 0;
  const peek = () => tokens[at]!;
  const atPunct = (p: string) => {
    const t = tokens[at]!;
    return t.kind === "punct" && t.text === p;
  };
  const next = () => tokens[at++]!;
  const describe = (t: Token) => (t.kind === "end" ? "the end of the file" : `"${t.text}"`);
  const expectPunct = (p: string, what: string) => {
    const t = next();
    if (t.kind !== "punct" || t.text !== p)
      throw new JaasConfigError(source, t.line, `expected ${what}, found ${describe(t)}`);
  };
  const sections = new Map<string, JaasEntry[]>();
  while (peek().kind !== "end") {
    const name = next();
    if (name.kind !== "word" && name.kind !== "quoted") {
      throw new JaasConfigError(source, name.line, `expected a section name, found ${describe(name)}`);
    }
    if (sections.has(name.text)) {
      throw new JaasConfigError(source, name.line, `section "${name.text}" is defined twice`);
    }
    expectPunct("{", `"{" after section ${name.text}`);
    const entries: JaasEntry[] = [];
    while (!atPunct("}")) {
      const module = next();
      if (module.kind !== "word") {
        throw new JaasConfigError(
          source,
          module.line,
          `expected a login module class name, found ${describe(module)}`,
        );
      }
      const flagToken = next();
      const flag = FLAGS.find((f) => flagToken.kind === "word" && f === flagToken.text.toLowerCase());
      if (flag === undefined) {
        throw new JaasConfigError(
          source,
          flagToken.line,
          `expected a control flag (${FLAGS.join(", ")}) after ${module.text}, found ${describe(flagToken)}`,
        );
      }
      const options = new Map<string, string>();
      while (!atPunct(";")) {
        const key = next();
        if (key.kind !== "word") {
          throw new JaasConfigError(
            source,
            key.line,
            `expected an option name or ";", found ${describe(key)}`,
          );
        }
        expectPunct("=", `"=" after option ${key.text}`);
        const value = next();
        if (value.kind !== "word" && value.kind !== "quoted") {
          throw new JaasConfigError(
            source,
            value.line,
            `expected a value for option ${key.text}, found ${describe(value)}`,
          );
        }
        options.set(key.text, value.text);
      }
      expectPunct(";", '";"');
      entries.push({ loginModule: module.text, flag, options, line: module.line });
    }
    expectPunct("}", '"}"');
    expectPunct(";", `";" after the "}" of section ${name.text}`);
    sections.set(name.text, entries);
  }
  return sections;
}
