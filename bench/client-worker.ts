// One side of the client comparison, run as a child process so that process.cpuUsage() is this
// client library's CPU alone: it drives pipelined getData through Paddock's client (promises) or
// node-zookeeper-client (callbacks), each in its own idiom, and prints one JSON line of results.
// Started by bench/clients.ts with its options as the single argument.

import { performance } from "node:perf_hooks";
import { type Client, connect } from "../src/client/index.js";
import { ZkSession } from "../test/support/node-zookeeper-client.js";
import { keyPath } from "./keyspace.js";
import { processCpuUs } from "./proc.js";
import { type Measured, Recorder } from "./recorder.js";

export type ClientLibrary = "paddock" | "node-zookeeper-client";

export interface WorkerOptions {
  library: ClientLibrary;
  host: string;
  port: number;
  /** Clients (each with its own session and connection). */
  sessions: number;
  /** getData calls in flight per client. */
  depth: number;
  keys: number;
  warmupMs: number;
  durationMs: number;
  /** The server's pid, so its CPU over exactly this window can be read from /proc. */
  serverPid: number | undefined;
}

export interface WorkerResult extends Measured {
  library: ClientLibrary;
  /** This process's user plus system CPU over the window, per completed operation. */
  clientCpuUsPerOp: number;
  clientCpuCores: number;
  serverCpuUsPerOp: number | undefined;
}

/** Bounds the drain: a server that stopped answering must not hang the bench. */
const DRAIN_WAIT_MS = 10_000;
/** How long a window may be stretched waiting for its first completed operation. */
const WINDOW_STRETCH_MAX_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One client's way of issuing a getData and reporting its outcome (0, or a name for the error). */
interface Driver {
  getData(path: string, done: (error: string | undefined) => void): void;
  close(): Promise<void>;
}

async function paddockDriver(host: string, port: number): Promise<Driver> {
  // The limits sit above the bench's depth so the client's own bounds never throttle it.
  const client: Client = await connect(`${host}:${port}`, { outstandingRequestsMax: 1000 });
  return {
    getData(path, done) {
      client.getData(path).then(
        () => done(undefined),
        (error: Error) => done(error.name),
      );
    },
    close: () => client.close(),
  };
}

async function nodeZookeeperClientDriver(host: string, port: number): Promise<Driver> {
  const session = await ZkSession.connect(`${host}:${port}`);
  return {
    getData(path, done) {
      session.raw.getData(path, undefined, (error) => done(error ? `code ${error.code}` : undefined));
    },
    close: () => session.close(),
  };
}

async function run(options: WorkerOptions): Promise<WorkerResult> {
  const open = options.library === "paddock" ? paddockDriver : nodeZookeeperClientDriver;
  const drivers = await Promise.all(
    Array.from({ length: options.sessions }, () => open(options.host, options.port)),
  );
  const paths = Array.from({ length: options.keys }, (_, i) => keyPath(i));
  const recorder = new Recorder();
  let running = true;
  let inFlight = 0;
  const issue = (driver: Driver): void => {
    const path = paths[Math.floor(Math.random() * paths.length)]!;
    const sentAtMs = performance.now();
    inFlight++;
    driver.getData(path, (error) => {
      inFlight--;
      const latencyMs = performance.now() - sentAtMs;
      if (error === undefined) recorder.done(0, latencyMs);
      else recorder.error(error);
      if (running) issue(driver);
    });
  };
  for (const driver of drivers) for (let i = 0; i < options.depth; i++) issue(driver);

  await sleep(options.warmupMs);
  const serverBefore = options.serverPid === undefined ? undefined : processCpuUs(options.serverPid);
  const cpuBefore = process.cpuUsage();
  const startedMs = performance.now();
  recorder.recording = true;
  await sleep(options.durationMs);
  for (let i = 0; i < WINDOW_STRETCH_MAX_MS / 10 && recorder.ops + recorder.errors === 0; i++)
    await sleep(10);
  recorder.recording = false;
  const elapsedMs = performance.now() - startedMs;
  const cpu = process.cpuUsage(cpuBefore);
  const serverAfter = options.serverPid === undefined ? undefined : processCpuUs(options.serverPid);

  running = false;
  for (let i = 0; i < DRAIN_WAIT_MS / 10 && inFlight > 0; i++) await sleep(10);
  await Promise.all(drivers.map((d) => d.close()));

  const clientCpuUs = cpu.user + cpu.system;
  const serverCpuUs =
    serverBefore === undefined || serverAfter === undefined ? undefined : serverAfter - serverBefore;
  const ops = recorder.ops;
  return {
    library: options.library,
    ...recorder.measured(elapsedMs / 1000),
    clientCpuUsPerOp: ops === 0 ? 0 : clientCpuUs / ops,
    clientCpuCores: clientCpuUs / 1000 / elapsedMs,
    serverCpuUsPerOp: serverCpuUs === undefined || ops === 0 ? undefined : serverCpuUs / ops,
  };
}

const argument = process.argv[2];
if (argument === undefined) {
  process.stderr.write("usage: node client-worker.js '<WorkerOptions as JSON>'\n");
  process.exit(2);
}
run(JSON.parse(argument) as WorkerOptions).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    // node-zookeeper-client may keep a reconnect timer alive after close; the result is out.
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`client worker failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
