// The simulated replicas' state machine: string registers changed by committed entries. Each entry
// carries a client operation as JSON; applying it is a pure function of the state, so every replica
// that applies the same log holds the same registers, which the digest lets the checker compare.

export type Command =
  | { id: number; kind: "write"; key: string; value: string }
  | { id: number; kind: "cas"; key: string; expect: string; value: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeCommand(c: Command): Uint8Array {
  return encoder.encode(JSON.stringify(c));
}

export function decodeCommand(data: Uint8Array): Command {
  return JSON.parse(decoder.decode(data)) as Command;
}

export class KvState {
  readonly values = new Map<string, string>();
  /** Every operation id applied, so acknowledged writes can be found after the run. */
  readonly appliedIds = new Set<number>();
  index = 0;

  /** Apply one committed command; the result is what the client is told. */
  apply(index: number, c: Command): boolean {
    this.index = index;
    this.appliedIds.add(c.id);
    if (c.kind === "write") {
      this.values.set(c.key, c.value);
      return true;
    }
    if ((this.values.get(c.key) ?? null) !== c.expect) return false;
    this.values.set(c.key, c.value);
    return true;
  }

  encode(): Uint8Array {
    const values = [...this.values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return encoder.encode(
      JSON.stringify({ index: this.index, values, ids: [...this.appliedIds].sort((a, b) => a - b) }),
    );
  }

  static decode(data: Uint8Array): KvState {
    const raw = JSON.parse(decoder.decode(data)) as {
      index: number;
      values: [string, string][];
      ids: number[];
    };
    const kv = new KvState();
    kv.index = raw.index;
    for (const [k, v] of raw.values) kv.values.set(k, v);
    for (const id of raw.ids) kv.appliedIds.add(id);
    return kv;
  }

  /** FNV-1a over the canonical encoding: equal digests at equal indexes mean equal replicas. */
  digest(): string {
    let h = 0x811c9dc5;
    for (const byte of this.encode()) {
      h ^= byte;
      h = Math.imul(h, 0x01000193);
    }
    return (h >>> 0).toString(16).padStart(8, "0");
  }
}
