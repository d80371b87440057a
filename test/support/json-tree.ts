// A JSON reader for comparing ZooKeeper's AdminServer output with Paddock's: it keeps key order and
// each number's source text, so a test can tell a Java long (`3`) from a double (`3.0`) and read a
// 64-bit session id exactly, which JSON.parse cannot.

export type JsonNode =
  | { kind: "object"; entries: Array<[string, JsonNode]> }
  | { kind: "array"; items: JsonNode[] }
  | { kind: "string"; value: string }
  | { kind: "int"; value: bigint }
  | { kind: "double"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "null" };

export function parseJsonTree(text: string): JsonNode {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\r\n".includes(text[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new Error(
      `bad JSON at ${i}: ${what} in ${JSON.stringify(text.slice(Math.max(0, i - 20), i + 20))}`,
    );
  };
  const value = (): JsonNode => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const entries: Array<[string, JsonNode]> = [];
      ws();
      if (text[i] === "}") {
        i++;
        return { kind: "object", entries };
      }
      for (;;) {
        ws();
        const key = value();
        if (key.kind !== "string") fail("object key");
        ws();
        if (text[i++] !== ":") fail("colon");
        entries.push([(key as { value: string }).value, value()]);
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") {
          i++;
          return { kind: "object", entries };
        } else fail("object separator");
      }
    }
    if (c === "[") {
      i++;
      const items: JsonNode[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return { kind: "array", items };
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") {
          i++;
          return { kind: "array", items };
        } else fail("array separator");
      }
    }
    if (c === '"') {
      const start = i;
      i++;
      while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
      return { kind: "string", value: JSON.parse(text.slice(start, i)) as string };
    }
    const literal = /^(true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(i));
    if (literal === null) return fail("value");
    const word = literal[0];
    i += word.length;
    if (word === "true" || word === "false") return { kind: "bool", value: word === "true" };
    if (word === "null") return { kind: "null" };
    return /[.eE]/.test(word)
      ? { kind: "double", value: Number(word) }
      : { kind: "int", value: BigInt(word) };
  };
  const root = value();
  ws();
  if (i !== text.length) fail("trailing text");
  return root;
}

/**
 * The shape of a node: kinds and keys all the way down, values left out. Keys that are numbers
 * (session ids, expiry times: map keys whose values differ from run to run) read as "<number>".
 */
export function shapeOf(node: JsonNode): unknown {
  switch (node.kind) {
    case "object":
      return Object.fromEntries(
        node.entries.map(([k, v]) => [/^-?\d+$/.test(k) ? "<number>" : k, shapeOf(v)]),
      );
    case "array":
      return node.items.length === 0 ? [] : [shapeOf(node.items[0]!)];
    default:
      return node.kind;
  }
}

export function keysOf(node: JsonNode): string[] {
  if (node.kind !== "object") throw new Error(`expected an object, got ${node.kind}`);
  return node.entries.map(([k]) => k);
}

export function field(node: JsonNode, key: string): JsonNode {
  if (node.kind !== "object") throw new Error(`expected an object, got ${node.kind}`);
  const found = node.entries.find(([k]) => k === key);
  if (found === undefined) throw new Error(`no key ${key} in ${keysOf(node).join(", ")}`);
  return found[1];
}
