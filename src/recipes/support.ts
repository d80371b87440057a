// Shared moves of the recipes: retry an operation across connection loss (but never across
// session expiry), create parent paths, order sequential children, and wait for a one-time watch
// with a deadline. Retrying is only safe for operations the recipe can re-check, so each recipe
// decides what to wrap; a create that may have applied is resolved by the protected-name scheme.

import { randomUUID } from "node:crypto";
import {
  type Client,
  ConnectionLossError,
  NodeExistsError,
  NoNodeError,
  OperationTimeoutError,
  RequestTimeoutError,
  type WatchEvent,
} from "../client/index.js";

/** Attempts before a retried operation gives up; each waits for the connection to come back. */
const RETRIES_MAX = 20;

/** Runs `operation`, and after a connection loss waits for the reconnect and runs it again. */
export async function retrying<T>(client: Client, operation: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const transient = error instanceof ConnectionLossError || error instanceof RequestTimeoutError;
      if (!transient || attempt >= RETRIES_MAX) throw error;
      await client.connected(Math.max(client.sessionTimeoutMs * 2, 1000));
    }
  }
}

/** Creates `path` and any missing parents as persistent nodes; an existing node is fine. */
export async function ensurePath(client: Client, path: string): Promise<void> {
  if (path === "/" || (await retrying(client, () => client.exists(path))) !== null) return;
  const parts = path.split("/").slice(1);
  for (let i = 1; i <= parts.length; i++) {
    const prefix = `/${parts.slice(0, i).join("/")}`;
    try {
      await retrying(client, () => client.create(prefix));
    } catch (error) {
      if (!(error instanceof NodeExistsError)) throw error;
    }
  }
}

/** The 10-digit sequence suffix ZooKeeper appends to sequential nodes. */
export function sequenceOf(name: string): number {
  return Number(name.slice(-10));
}

export function bySequence(names: readonly string[]): string[] {
  return [...names].sort((a, b) => sequenceOf(a) - sequenceOf(b));
}

/**
 * Creates an ephemeral sequential node whose name starts with a random marker, so that after a
 * connection loss during the create the recipe can find out whether it happened (Curator's
 * "protected" mode) instead of leaving an orphan that would block everybody else.
 */
export async function createProtected(
  client: Client,
  dir: string,
  prefix: string,
  data: Buffer | null = null,
): Promise<string> {
  const marker = `_c_${randomUUID()}-${prefix}`;
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.create(`${dir}/${marker}`, data, { mode: "ephemeralSequential" });
    } catch (error) {
      if (
        !(error instanceof ConnectionLossError || error instanceof RequestTimeoutError) ||
        attempt >= RETRIES_MAX
      ) {
        throw error;
      }
      await client.connected(Math.max(client.sessionTimeoutMs * 2, 1000));
      const found = (await retrying(client, () => client.getChildren(dir))).find((name) =>
        name.startsWith(marker),
      );
      if (found !== undefined) return `${dir}/${found}`;
    }
  }
}

/** Deletes a node, treating "already gone" as success. */
export async function deleteIfExists(client: Client, path: string, version = -1): Promise<void> {
  try {
    await retrying(client, () => client.delete(path, version));
  } catch (error) {
    if (!(error instanceof NoNodeError)) throw error;
  }
}

/** A one-time watcher and a promise of its first event. */
export function watchOnce(): { watch: (event: WatchEvent) => void; fired: Promise<WatchEvent> } {
  let watch!: (event: WatchEvent) => void;
  const fired = new Promise<WatchEvent>((resolve) => {
    watch = resolve;
  });
  return { watch, fired };
}

/** Waits for `fired` until `deadline` (epoch ms, or undefined for no limit); false on timeout. */
export async function waitUntil(fired: Promise<unknown>, deadline: number | undefined): Promise<boolean> {
  if (deadline === undefined) {
    await fired;
    return true;
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([fired.then(() => true as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

export function deadlineOf(timeoutMs: number | undefined): number | undefined {
  return timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
}

export function timeoutError(timeoutMs: number | undefined, path: string): OperationTimeoutError {
  return new OperationTimeoutError(timeoutMs ?? 0, { path });
}
