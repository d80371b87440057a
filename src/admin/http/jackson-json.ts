// JSON text as ZooKeeper's AdminServer writes it (Jackson with INDENT_OUTPUT): two-space indent per
// object level, `"key" : value`, arrays inline as `[ a, b ]`, empty containers as `{ }` and `[ ]`.
// Tools diff and grep this output, and 64-bit ids must survive exactly, so bigint is written as its
// digits and Java doubles keep their `.0`; JSON.stringify can do neither.

/** A Java double: printed as Double.toString prints it (`0.0`, `4.8`), never as an integer. */
export class JavaDouble {
  constructor(readonly value: number) {}
}

export const double = (value: number): JavaDouble => new JavaDouble(value);

/** A value the writer accepts: maps keep insertion order, whatever their keys look like. */
export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | JavaDouble
  | readonly JsonValue[]
  | ReadonlyMap<string, JsonValue>
  | { readonly [key: string]: JsonValue };

function javaDoubleText(v: number): string {
  if (Number.isNaN(v)) return '"NaN"';
  if (!Number.isFinite(v)) return v > 0 ? '"Infinity"' : '"-Infinity"';
  if (Number.isInteger(v) && Math.abs(v) < 1e7) return `${v}.0`;
  const text = String(v);
  // Java writes large and small magnitudes as 1.0E10; JSON reads either form the same.
  return text.includes("e") ? text.replace("e+", "E").replace("e", "E") : text;
}

function entriesOf(value: ReadonlyMap<string, JsonValue> | { readonly [key: string]: JsonValue }) {
  return value instanceof Map ? [...value.entries()] : Object.entries(value);
}

function write(value: JsonValue, depth: number, out: string[]): void {
  if (value === null) out.push("null");
  else if (typeof value === "boolean") out.push(String(value));
  else if (typeof value === "bigint") out.push(value.toString());
  else if (typeof value === "number") {
    // Integral numbers stand for Java ints and longs; a fraction can only be a double.
    out.push(Number.isInteger(value) ? String(value) : javaDoubleText(value));
  } else if (typeof value === "string") out.push(JSON.stringify(value));
  else if (value instanceof JavaDouble) out.push(javaDoubleText(value.value));
  else if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push("[ ]");
      return;
    }
    out.push("[ ");
    value.forEach((item: JsonValue, i: number) => {
      if (i > 0) out.push(", ");
      write(item, depth, out);
    });
    out.push(" ]");
  } else {
    const entries = entriesOf(value as ReadonlyMap<string, JsonValue>);
    if (entries.length === 0) {
      out.push("{ }");
      return;
    }
    const inner = "  ".repeat(depth + 1);
    out.push("{\n");
    entries.forEach(([key, item], i) => {
      if (i > 0) out.push(",\n");
      out.push(inner, JSON.stringify(key), " : ");
      write(item, depth + 1, out);
    });
    out.push("\n", "  ".repeat(depth), "}");
  }
}

/** The text Jackson's pretty printer produces for `value`. */
export function jacksonText(value: JsonValue): string {
  const out: string[] = [];
  write(value, 0, out);
  return out.join("");
}
