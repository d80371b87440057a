// Quotas, which ZooKeeper keeps as ordinary znodes under /zookeeper/quota/<path>: a
// `zookeeper_limits` node written by clients and a `zookeeper_stats` node the server keeps
// current. The text format is StatsTrack's from ZooKeeper 3.7+, byte for byte (including its odd
// "bytes=N=;" join), because servers and zkCli parse exactly that.

import type { Client } from "./client.js";
import { ClientError, NodeExistsError, NoNodeError } from "./errors.js";

export const QUOTA_ROOT = "/zookeeper/quota";
const LIMITS = "zookeeper_limits";
const STATS = "zookeeper_stats";

/** Limits; -1 means "no limit". Soft limits only log on the server, hard ones refuse writes. */
export interface Quota {
  /** Soft limit on the number of nodes in the subtree (the node itself included). */
  readonly count: number;
  /** Soft limit on the total data bytes in the subtree. */
  readonly bytes: number;
  /** Hard limit on nodes: writes beyond it fail with QuotaExceededError. */
  readonly countHardLimit: number;
  /** Hard limit on data bytes: writes beyond it fail with QuotaExceededError. */
  readonly byteHardLimit: number;
}

/** Every limit -1: no quota. */
export const NO_QUOTA: Quota = { count: -1, bytes: -1, countHardLimit: -1, byteHardLimit: -1 };

/** The StatsTrack text ZooKeeper stores in a quota node (and zkCli prints) for `q`. */
export function formatQuota(q: Quota): string {
  return `count=${q.count},bytes=${q.bytes}=;byteHardLimit=${q.byteHardLimit};countHardLimit=${q.countHardLimit}`;
}

/** Parses StatsTrack text (limits or stats); fields absent from the text are -1. */
export function parseQuota(text: string): Quota {
  const fields = new Map<string, number>();
  for (const part of text.split(/[,;]/)) {
    const match = /^(\w+)=(-?\d+)/.exec(part);
    if (match) fields.set(match[1]!, Number(match[2]));
  }
  return {
    count: fields.get("count") ?? -1,
    bytes: fields.get("bytes") ?? -1,
    countHardLimit: fields.get("countHardLimit") ?? -1,
    byteHardLimit: fields.get("byteHardLimit") ?? -1,
  };
}

function quotaPath(path: string): string {
  return `${QUOTA_ROOT}${path}`;
}

async function subtreeUsage(client: Client, path: string): Promise<{ count: number; bytes: number }> {
  const { stat } = await client.getData(path);
  let count = 1;
  let bytes = stat.dataLength;
  for (const child of await client.getChildren(path)) {
    const usage = await subtreeUsage(client, path === "/" ? `/${child}` : `${path}/${child}`);
    count += usage.count;
    bytes += usage.bytes;
  }
  return { count, bytes };
}

/** The limits and current usage of `path`, or undefined when it has no quota. */
export async function getQuota(
  client: Client,
  path: string,
): Promise<{ limits: Quota; usage: Quota } | undefined> {
  try {
    const limits = (await client.getData(`${quotaPath(path)}/${LIMITS}`)).data?.toString() ?? "";
    const usage = (await client.getData(`${quotaPath(path)}/${STATS}`)).data?.toString() ?? "";
    return { limits: parseQuota(limits), usage: parseQuota(usage) };
  } catch (error) {
    if (error instanceof NoNodeError) return undefined;
    throw error;
  }
}

/** Sets (merges) limits on `path`, creating the quota nodes on first use. */
export async function setQuota(client: Client, path: string, change: Partial<Quota>): Promise<Quota> {
  if (path.startsWith("/zookeeper")) {
    throw new ClientError("PDK_BAD_ARGUMENT", "cannot set a quota on /zookeeper or below");
  }
  await client.getData(path);
  const base = quotaPath(path);
  const existing = await getQuota(client, path);
  const limits: Quota = { ...(existing?.limits ?? NO_QUOTA), ...change };
  if (existing) {
    await client.setData(`${base}/${LIMITS}`, formatQuota(limits));
    return limits;
  }
  const parts = base.split("/").slice(1);
  for (let i = 1; i <= parts.length; i++) {
    try {
      await client.create(`/${parts.slice(0, i).join("/")}`);
    } catch (error) {
      if (!(error instanceof NodeExistsError)) throw error;
    }
  }
  const usage = await subtreeUsage(client, path);
  await client
    .transaction()
    .create(`${base}/${LIMITS}`, formatQuota(limits))
    .create(`${base}/${STATS}`, `count=${usage.count},bytes=${usage.bytes}`)
    .commit();
  return limits;
}

/** Clears some limits (set to -1), or removes the quota entirely when `fields` is undefined. */
export async function deleteQuota(
  client: Client,
  path: string,
  fields?: readonly (keyof Quota)[],
): Promise<boolean> {
  const existing = await getQuota(client, path);
  if (!existing) return false;
  const base = quotaPath(path);
  if (fields === undefined) {
    await client.transaction().delete(`${base}/${LIMITS}`).delete(`${base}/${STATS}`).commit();
    return true;
  }
  const limits: { -readonly [K in keyof Quota]: number } = { ...existing.limits };
  for (const field of fields) limits[field] = -1;
  await client.setData(`${base}/${LIMITS}`, formatQuota(limits));
  return true;
}
