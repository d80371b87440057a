// The workloads: what each session sends and how replies turn into measured operations. Most are
// "pipelined": every session keeps `depth` requests in flight and sends the next on each reply.
// Watch fan-out and session churn measure something else (notification delivery, whole sessions)
// and have drivers of their own.

import { performance } from "node:perf_hooks";
import { CreateFlag, OpCode } from "../src/protocol/constants.js";
import type { MultiOp } from "../src/protocol/requests.js";
import {
  type Address,
  CHURN,
  CREATE_DELETE,
  createTemplate,
  type KeySpace,
  keyPath,
  WATCHED,
  WIDE,
} from "./keyspace.js";
import type { Recorder } from "./recorder.js";
import { BenchSession, requestTemplate } from "./session.js";

export interface WorkloadOptions extends KeySpace {
  /** Fraction of reads in `mixed`. */
  readRatio: number;
  /** setData operations in one `multi`. */
  multiOps: number;
  /** Overrides each workload's own session count and depth when set. */
  sessions: number | undefined;
  depth: number | undefined;
}

/** A running workload: `stop` ends sending, waits for what is in flight and closes the sessions. */
export interface Driver {
  stop(): Promise<void>;
}

export interface Workload {
  readonly name: string;
  /** What one counted operation is, for the table's heading. */
  readonly unit: string;
  /** True when the operation is a write: the table flags it when a server kept nothing across a restart. */
  readonly writes: boolean;
  readonly sessions: number;
  readonly depth: number;
  start(address: Address, options: WorkloadOptions, recorder: Recorder): Promise<Driver>;
}

/** Bounds the drain at the end of a run: a server that stopped answering must not hang the bench. */
const DRAIN_WAIT_MS = 10_000;

/** Waits (bounded) until no request is in flight, then closes every session. */
async function drain(sessions: readonly BenchSession[]): Promise<void> {
  for (let i = 0; i < DRAIN_WAIT_MS / 10; i++) {
    if (sessions.every((s) => s.requestsInFlight === 0 || !s.isOpen)) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await Promise.all(sessions.map((s) => s.close()));
}

function openSessions(address: Address, count: number): Promise<BenchSession[]> {
  return Promise.all(Array.from({ length: count }, () => BenchSession.open(address.host, address.port)));
}

/** Request templates per key, built on first use and shared by every session. */
class KeyTemplates {
  private readonly cache: Array<Buffer | undefined>;
  constructor(
    keys: number,
    private readonly build: (path: string) => Buffer,
  ) {
    this.cache = new Array(keys);
  }
  random(): Buffer {
    const index = Math.floor(Math.random() * this.cache.length);
    let template = this.cache[index];
    if (template === undefined) {
      template = this.build(keyPath(index));
      this.cache[index] = template;
    }
    return template;
  }
}

let runsStarted = 0;

/** Distinct across runs in this process and across processes against one server. */
function uniqueRunName(): string {
  runsStarted++;
  return `${process.pid.toString(36)}${Date.now().toString(36)}${runsStarted}`;
}

/** Chooses the next request for session `index`; `send` is the session's own. */
type NextRequest = (session: BenchSession, index: number) => void;

async function startPipelined(
  address: Address,
  sessionCount: number,
  depth: number,
  recorder: Recorder,
  next: NextRequest,
): Promise<Driver> {
  const sessions = await openSessions(address, sessionCount);
  let running = true;
  sessions.forEach((session, index) => {
    session.onReply = (_tag, err, _payload, sentAtMs) => {
      recorder.done(err, performance.now() - sentAtMs);
      if (running) next(session, index);
    };
    session.onLost = (error) =>
      recorder.error(`connection lost: ${error.message}`, session.requestsInFlight + 1);
    for (let i = 0; i < depth; i++) next(session, index);
  });
  return {
    async stop() {
      running = false;
      await drain(sessions);
    },
  };
}

function getTemplates(options: WorkloadOptions): KeyTemplates {
  return new KeyTemplates(options.keys, (path) =>
    requestTemplate({ type: OpCode.getData, path, watch: false }),
  );
}

function setTemplates(options: WorkloadOptions): KeyTemplates {
  const data = Buffer.alloc(options.valueBytes, 0x62);
  return new KeyTemplates(options.keys, (path) =>
    requestTemplate({ type: OpCode.setData, path, data, version: -1 }),
  );
}

function pipelined(
  name: string,
  writes: boolean,
  sessions: number,
  depth: number,
  makeNext: (options: WorkloadOptions) => NextRequest,
): Workload {
  return {
    name,
    unit: "ops",
    writes,
    sessions,
    depth,
    start: (address, options, recorder) =>
      startPipelined(
        address,
        options.sessions ?? sessions,
        options.depth ?? depth,
        recorder,
        makeNext(options),
      ),
  };
}

const get = pipelined("get", false, 32, 16, (options) => {
  const templates = getTemplates(options);
  return (session) => session.send(templates.random(), 0);
});

const set = pipelined("set", true, 32, 16, (options) => {
  const templates = setTemplates(options);
  return (session) => session.send(templates.random(), 0);
});

const mixed = pipelined("mixed", true, 32, 16, (options) => {
  const reads = getTemplates(options);
  const writes = setTemplates(options);
  return (session) => session.send(Math.random() < options.readRatio ? reads.random() : writes.random(), 0);
});

const exists = pipelined("exists", false, 32, 16, (options) => {
  const templates = new KeyTemplates(options.keys, (path) =>
    requestTemplate({ type: OpCode.exists, path, watch: false }),
  );
  return (session) => session.send(templates.random(), 0);
});

const children = pipelined("children", false, 8, 4, () => {
  const template = requestTemplate({ type: OpCode.getChildren, path: WIDE, watch: false });
  return (session) => session.send(template, 0);
});

/**
 * Each create is followed by the delete of the same node in the same session, which orders them.
 * A run that stops between the two leaves a node behind, so names carry a per-run prefix.
 */
const createDelete = pipelined("create-delete", true, 8, 32, (options) => {
  const data = Buffer.alloc(options.valueBytes, 0x63);
  const counters: number[] = [];
  const run = uniqueRunName();
  return (session, index) => {
    const n = counters[index] ?? 0;
    counters[index] = n + 1;
    const path = `${CREATE_DELETE}/${run}-s${index}-${n >> 1}`;
    if ((n & 1) === 0) session.send(createTemplate(path, data), 0);
    else session.send(requestTemplate({ type: OpCode.delete, path, version: -1 }), 1);
  };
});

const multi = pipelined("multi", true, 32, 16, (options) => {
  const data = Buffer.alloc(options.valueBytes, 0x64);
  return (session) => {
    const ops: MultiOp[] = [];
    for (let i = 0; i < options.multiOps; i++) {
      const path = keyPath(Math.floor(Math.random() * options.keys));
      ops.push({ type: OpCode.setData, path, data, version: -1 });
    }
    session.send(requestTemplate({ type: OpCode.multi, ops }), 0);
  };
});

/**
 * One setData on a watched node, N sessions watching it: an operation is one notification
 * delivered, its latency from the setData being sent. Each watcher re-arms as soon as it hears,
 * and the next change is made once every watcher has re-armed.
 */
const watch: Workload = {
  name: "watch",
  unit: "events",
  writes: true,
  sessions: 32,
  depth: 1,
  async start(address, options, recorder) {
    const watcherCount = options.sessions ?? this.sessions;
    const watchers = await openSessions(address, watcherCount);
    const [writer] = await openSessions(address, 1);
    const arm = requestTemplate({ type: OpCode.getData, path: WATCHED, watch: true });
    const change = requestTemplate({
      type: OpCode.setData,
      path: WATCHED,
      data: Buffer.alloc(options.valueBytes, 0x65),
      version: -1,
    });
    let running = true;
    let armed = 0;
    let changedAtMs = 0;
    let writerReplied = true;
    const maybeChange = () => {
      if (!running || armed < watcherCount || !writerReplied) return;
      armed = 0;
      writerReplied = false;
      changedAtMs = performance.now();
      writer!.send(change, 0);
    };
    writer!.onReply = (_tag, err) => {
      writerReplied = true;
      if (err !== 0) recorder.done(err, 0);
      maybeChange();
    };
    writer!.onLost = (error) => recorder.error(`connection lost: ${error.message}`);
    for (const session of watchers) {
      session.onNotification = () => {
        recorder.done(0, performance.now() - changedAtMs);
        session.send(arm, 0);
      };
      session.onReply = (_tag, err) => {
        if (err !== 0) recorder.done(err, 0);
        armed++;
        maybeChange();
      };
      session.onLost = (error) => recorder.error(`connection lost: ${error.message}`);
      session.send(arm, 0);
    }
    return {
      async stop() {
        running = false;
        await drain([writer!, ...watchers]);
      },
    };
  },
};

/** Each of `sessions` loops connects, creates an ephemeral node and closes: one operation per session. */
const churn: Workload = {
  name: "churn",
  unit: "sessions",
  writes: true,
  sessions: 8,
  depth: 1,
  async start(address, options, recorder) {
    let running = true;
    const run = uniqueRunName();
    const loop = async (index: number) => {
      for (let n = 0; running; n++) {
        const startedMs = performance.now();
        try {
          const session = await BenchSession.open(address.host, address.port);
          const err = await new Promise<number>((resolve, reject) => {
            session.onReply = (_tag, code) => resolve(code);
            session.onLost = reject;
            session.send(createTemplate(`${CHURN}/${run}-s${index}-${n}`, null, CreateFlag.EPHEMERAL), 0);
          });
          await session.close();
          recorder.done(err, performance.now() - startedMs);
        } catch (error) {
          recorder.error(`session failed: ${(error as Error).message}`);
        }
      }
    };
    const loops = Array.from({ length: options.sessions ?? this.sessions }, (_, i) => loop(i));
    return {
      async stop() {
        running = false;
        await Promise.all(loops);
      },
    };
  },
};

export const WORKLOADS: readonly Workload[] = [
  get,
  set,
  createDelete,
  mixed,
  multi,
  exists,
  children,
  watch,
  churn,
];

export function workloadNamed(name: string): Workload {
  const found = WORKLOADS.find((w) => w.name === name);
  if (found === undefined) {
    throw new Error(`unknown workload "${name}"; known: ${WORKLOADS.map((w) => w.name).join(", ")}`);
  }
  return found;
}
