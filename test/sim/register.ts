// The model the simulator's clients are checked against: independent string registers keyed by
// name, with read, blind write and compare-and-set. Partitioning by key is exact because no
// operation touches two keys.

import type { Model, Operation } from "./linearizability.js";

export type RegisterInput =
  | { kind: "read"; key: string }
  | { kind: "write"; key: string; value: string }
  | { kind: "cas"; key: string; expect: string; value: string };

/** read: the value seen (null: absent); write: true; cas: whether it swapped. */
export type RegisterOutput = string | null | boolean;

export type RegisterOp = Operation<RegisterInput, RegisterOutput>;

export const registerModel: Model<string | null, RegisterInput, RegisterOutput> = {
  init: () => null,
  step(state, input, output) {
    switch (input.kind) {
      case "read":
        return output === undefined || output === state ? [state] : [];
      case "write":
        return [input.value];
      case "cas": {
        const swaps = state === input.expect;
        if (output === undefined) return swaps ? [input.value] : [state];
        if (output === true) return swaps ? [input.value] : [];
        return swaps ? [] : [state];
      }
    }
  },
  key: (state) => (state === null ? "\u0000" : state),
  partition(ops) {
    const byKey = new Map<string, RegisterOp[]>();
    for (const op of ops) {
      const list = byKey.get(op.input.key) ?? [];
      list.push(op);
      byKey.set(op.input.key, list);
    }
    return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
  },
  describe(op) {
    const i = op.input;
    const body =
      i.kind === "read"
        ? `read ${i.key}`
        : i.kind === "write"
          ? `write ${i.key}=${i.value}`
          : `cas ${i.key} ${i.expect}->${i.value}`;
    const out = op.output === undefined ? "?" : JSON.stringify(op.output);
    return `[${op.call}, ${op.ret}] ${body} -> ${out}`;
  },
};
