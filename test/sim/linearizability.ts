// A linearizability checker: the Wing-Gong search with Lowe's memoisation (porcupine's checkSingle),
// run per partition of the history (P-compositionality). Operations that never returned are
// indeterminate: their return is at infinity, so they may take effect at any later point or never.
// A search that exceeds its step budget answers "unknown", which callers must treat as failure.

export interface Operation<I, O> {
  input: I;
  /** Undefined for an indeterminate operation (timed out; may or may not have happened). */
  output: O | undefined;
  call: number;
  /** Infinity for an indeterminate operation. */
  ret: number;
}

export interface Model<S, I, O> {
  init(): S;
  /** Every state the operation may lead to from `state` given its output, empty if it cannot happen. */
  step(state: S, input: I, output: O | undefined): S[];
  /** A string equal for equal states, for the memo table. */
  key(state: S): string;
  partition?(ops: Operation<I, O>[]): Operation<I, O>[][];
  describe?(op: Operation<I, O>): string;
}

export type Verdict = "ok" | "illegal" | "unknown";

interface Node {
  op: number;
  isCall: boolean;
  time: number;
  match: Node | null;
  prev: Node | null;
  next: Node | null;
}

function buildList<I, O>(ops: Operation<I, O>[]): Node {
  const events: Node[] = [];
  ops.forEach((op, k) => {
    const call: Node = { op: k, isCall: true, time: op.call, match: null, prev: null, next: null };
    const ret: Node = { op: k, isCall: false, time: op.ret, match: null, prev: null, next: null };
    call.match = ret;
    events.push(call, ret);
  });
  // Intervals are closed: at equal times, calls sort before returns so touching operations overlap.
  events.sort((x, y) => x.time - y.time || (x.isCall === y.isCall ? x.op - y.op : x.isCall ? -1 : 1));
  const head: Node = { op: -1, isCall: false, time: -Infinity, match: null, prev: null, next: null };
  let prev = head;
  for (const e of events) {
    prev.next = e;
    e.prev = prev;
    prev = e;
  }
  return head;
}

function lift(call: Node): void {
  call.prev!.next = call.next;
  if (call.next !== null) call.next.prev = call.prev;
  const ret = call.match!;
  ret.prev!.next = ret.next;
  if (ret.next !== null) ret.next.prev = ret.prev;
}

function unlift(call: Node): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next !== null) ret.next.prev = ret;
  call.prev!.next = call;
  if (call.next !== null) call.next.prev = call;
}

export function checkSingle<S, I, O>(
  model: Model<S, I, O>,
  ops: Operation<I, O>[],
  stepBudget: number,
): Verdict {
  const head = buildList(ops);
  const linearized = new Uint8Array(ops.length);
  const memo = new Set<string>();
  const stack: { call: Node; state: S; alternatives: S[] }[] = [];
  let state = model.init();
  let entry = head.next;
  let steps = 0;
  const bits = (): string => Buffer.from(linearized).toString("latin1");
  while (head.next !== null) {
    if (++steps > stepBudget) return "unknown";
    if (entry === null) return "illegal";
    if (entry.isCall) {
      const op = ops[entry.op]!;
      const outcomes = model.step(state, op.input, op.output);
      let advanced = false;
      while (outcomes.length > 0) {
        const next = outcomes.shift()!;
        linearized[entry.op] = 1;
        const key = `${bits()}|${model.key(next)}`;
        if (!memo.has(key)) {
          memo.add(key);
          stack.push({ call: entry, state, alternatives: outcomes });
          state = next;
          lift(entry);
          entry = head.next;
          advanced = true;
          break;
        }
        linearized[entry.op] = 0;
      }
      if (!advanced) entry = entry.next;
    } else {
      // A return whose call is not yet linearized: undo the most recent choice and try its next outcome.
      const top = stack.pop();
      if (top === undefined) return "illegal";
      state = top.state;
      linearized[top.call.op] = 0;
      unlift(top.call);
      entry = top.call.next;
      while (top.alternatives.length > 0) {
        const next = top.alternatives.shift()!;
        linearized[top.call.op] = 1;
        const key = `${bits()}|${model.key(next)}`;
        if (!memo.has(key)) {
          memo.add(key);
          stack.push({ call: top.call, state, alternatives: top.alternatives });
          state = next;
          lift(top.call);
          entry = head.next;
          break;
        }
        linearized[top.call.op] = 0;
      }
    }
  }
  return "ok";
}

export interface CheckResult {
  verdict: Verdict;
  /** Index of the first partition that was not "ok", for the report. */
  failedPartition: number;
  partitions: number;
}

export function checkLinearizable<S, I, O>(
  model: Model<S, I, O>,
  ops: Operation<I, O>[],
  stepBudget = 2_000_000,
): CheckResult {
  const parts = model.partition ? model.partition(ops) : [ops];
  for (let k = 0; k < parts.length; k++) {
    const verdict = checkSingle(model, parts[k]!, stepBudget);
    if (verdict !== "ok") return { verdict, failedPartition: k, partitions: parts.length };
  }
  return { verdict: "ok", failedPartition: -1, partitions: parts.length };
}
