// A typed, promise-returning view of the node-zookeeper-client npm package (plain CommonJS without
// type declarations). It only adapts call shapes: every request still goes through the package's
// own encoder and connection logic, which is the third-party behaviour the compat test is after.

import type { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import type { Socket } from "node:net";

export interface ZkStat {
  czxid: Buffer;
  mzxid: Buffer;
  pzxid: Buffer;
  ctime: Buffer;
  mtime: Buffer;
  ephemeralOwner: Buffer;
  version: number;
  cversion: number;
  aversion: number;
  dataLength: number;
  numChildren: number;
}

export interface ZkEvent {
  type: number;
  name: string;
  path: string;
}

export interface ZkError extends Error {
  code: number;
}

type Callback<T> = (error: ZkError | null, result: T) => void;
type Watcher = (event: ZkEvent) => void;

interface RawTransaction {
  create(path: string, data: Buffer | undefined, mode: number): RawTransaction;
  setData(path: string, data: Buffer, version: number): RawTransaction;
  check(path: string, version: number): RawTransaction;
  remove(path: string, version: number): RawTransaction;
  commit(callback: (error: ZkError | null, results: Array<{ type: number; err?: number }>) => void): void;
}

interface RawClient extends EventEmitter {
  connect(): void;
  close(): void;
  getSessionId(): Buffer;
  getSessionPassword(): Buffer;
  create(path: string, data: Buffer | undefined, mode: number, callback: Callback<string>): void;
  remove(path: string, version: number, callback: (error: ZkError | null) => void): void;
  setData(path: string, data: Buffer, version: number, callback: Callback<ZkStat>): void;
  getData(
    path: string,
    watcher: Watcher | undefined,
    callback: (error: ZkError | null, data: Buffer | undefined, stat: ZkStat) => void,
  ): void;
  exists(path: string, watcher: Watcher | undefined, callback: Callback<ZkStat | null>): void;
  getChildren(
    path: string,
    watcher: Watcher | undefined,
    callback: (error: ZkError | null, children: string[], stat: ZkStat) => void,
  ): void;
  transaction(): RawTransaction;
  connectionManager: { socket?: Socket; connect(): void };
}

interface ClientModule {
  createClient(connectString: string, options?: Record<string, unknown>): RawClient;
  CreateMode: {
    PERSISTENT: number;
    EPHEMERAL: number;
    PERSISTENT_SEQUENTIAL: number;
    EPHEMERAL_SEQUENTIAL: number;
  };
  Event: {
    NODE_CREATED: number;
    NODE_DELETED: number;
    NODE_DATA_CHANGED: number;
    NODE_CHILDREN_CHANGED: number;
  };
}

export const zookeeperClient = createRequire(import.meta.url)("node-zookeeper-client") as ClientModule;
export const CreateMode = zookeeperClient.CreateMode;

const waitMs = 30_000;

/** A 64-bit field as node-zookeeper-client hands it over (8 big-endian bytes) made comparable. */
export function long(bytes: Buffer): bigint {
  return bytes.readBigInt64BE(0);
}

function settle<T>(resolve: (value: T) => void, reject: (error: Error) => void): Callback<T> {
  return (error, result) => (error ? reject(error) : resolve(result));
}

/** Resolves on the client's next `name` event; rejects after the bound so no test hangs. */
function nextEvent(client: RawClient, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${name}" event within ${waitMs} ms`)), waitMs);
    client.once(name, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export class ZkSession {
  private constructor(readonly raw: RawClient) {}

  /** Connects and waits for the session; `resume` reuses an existing session id and password. */
  static async connect(
    connectString: string,
    resume?: { id: Buffer; password: Buffer },
    sessionTimeoutMs = 30_000,
  ): Promise<ZkSession> {
    const raw = zookeeperClient.createClient(connectString, {
      sessionTimeout: sessionTimeoutMs,
      ...(resume ? { sessionId: resume.id, sessionPassword: resume.password } : {}),
    });
    const connected = nextEvent(raw, "connected");
    raw.connect();
    await connected;
    return new ZkSession(raw);
  }

  /** Connects with a session id and password expected to be refused; resolves when told "expired". */
  static async expectExpired(connectString: string, resume: { id: Buffer; password: Buffer }): Promise<void> {
    const raw = zookeeperClient.createClient(connectString, {
      sessionTimeout: 30_000,
      sessionId: resume.id,
      sessionPassword: resume.password,
    });
    const expired = nextEvent(raw, "expired");
    raw.connect();
    try {
      await expired;
    } finally {
      raw.close();
    }
  }

  get sessionId(): Buffer {
    return this.raw.getSessionId();
  }

  get sessionPassword(): Buffer {
    return this.raw.getSessionPassword();
  }

  create(path: string, data: Buffer | undefined, mode = CreateMode.PERSISTENT): Promise<string> {
    return new Promise((resolve, reject) => this.raw.create(path, data, mode, settle(resolve, reject)));
  }

  /** Data is undefined when the server sent length -1 (a node created without data). */
  getData(path: string, watcher?: Watcher): Promise<{ data: Buffer | undefined; stat: ZkStat }> {
    return new Promise((resolve, reject) =>
      this.raw.getData(path, watcher, (error, data, stat) =>
        error ? reject(error) : resolve({ data, stat }),
      ),
    );
  }

  setData(path: string, data: Buffer, version = -1): Promise<ZkStat> {
    return new Promise((resolve, reject) => this.raw.setData(path, data, version, settle(resolve, reject)));
  }

  remove(path: string, version = -1): Promise<void> {
    return new Promise((resolve, reject) =>
      this.raw.remove(path, version, (error) => (error ? reject(error) : resolve())),
    );
  }

  exists(path: string, watcher?: Watcher): Promise<ZkStat | null> {
    return new Promise((resolve, reject) => this.raw.exists(path, watcher, settle(resolve, reject)));
  }

  getChildren(path: string, watcher?: Watcher): Promise<{ children: string[]; stat: ZkStat }> {
    return new Promise((resolve, reject) =>
      this.raw.getChildren(path, watcher, (error, children, stat) =>
        error ? reject(error) : resolve({ children, stat }),
      ),
    );
  }

  /** Builds a multi with the package's transaction API and commits it. */
  multi(
    build: (transaction: RawTransaction) => RawTransaction,
  ): Promise<{ error: ZkError | null; results: Array<{ type: number; err?: number }> }> {
    return new Promise((resolve) =>
      build(this.raw.transaction()).commit((error, results) => resolve({ error, results })),
    );
  }

  /** Closes the session and waits until the client has let go of the connection. */
  async close(): Promise<void> {
    const disconnected = nextEvent(this.raw, "disconnected");
    this.raw.close();
    await disconnected;
  }

  /** Cuts the TCP connection and lets the client reconnect by itself; resolves once it has. */
  async dropConnection(): Promise<void> {
    const reconnected = nextEvent(this.raw, "connected");
    this.raw.connectionManager.socket?.destroy();
    await reconnected;
  }

  /** Cuts the TCP connection and stops the client from ever reconnecting, as if its process died. */
  abandon(): void {
    this.raw.connectionManager.connect = () => {};
    this.raw.connectionManager.socket?.destroy();
  }
}

/** Collects watch events and hands them out in order, each wait bounded. */
export class EventLog {
  private readonly events: ZkEvent[] = [];
  private readonly waiting: Array<(event: ZkEvent) => void> = [];

  readonly watcher: Watcher = (event) => {
    const waiter = this.waiting.shift();
    if (waiter) waiter(event);
    else this.events.push(event);
  };

  next(): Promise<string> {
    const ready = this.events.shift();
    if (ready) return Promise.resolve(describe(ready));
    return new Promise((resolve, reject) => {
      const waiter = (event: ZkEvent): void => {
        clearTimeout(timer);
        resolve(describe(event));
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(new Error(`no watch event within ${waitMs} ms`));
      }, waitMs);
      this.waiting.push(waiter);
    });
  }

  /** Events already delivered, without waiting. */
  pending(): string[] {
    return this.events.splice(0).map(describe);
  }
}

function describe(event: ZkEvent): string {
  return `${event.name}@${event.path}`;
}
