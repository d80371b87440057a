// `paddock import --from-server`: copies the tree of a RUNNING ZooKeeper over the client protocol,
// for users who cannot stop their ensemble. Every node is read (data and Stat, ACL, children) and
// rebuilt with the same Stat fields, so zxids, versions and times carry over; what the protocol does
// not show cannot: sessions (none are copied), container and TTL nodes (ZooKeeper reports them with
// ephemeralOwner 0, so they arrive as persistent nodes), and atomicity (the walk is not a snapshot,
// so writes during it may be half seen). Ephemerals are reported and skipped, or kept as persistent
// nodes when asked. Reads go out a few hundred at a time, parents before children.

import { NoAuthError, NoNodeError } from "../client/errors.js";
import { type Client, connect } from "../client/index.js";
import type { PersistedNode } from "../data/tree.js";
import type { ACL } from "../protocol/data.js";
import type { StateMachine } from "../state/machine.js";
import { ZkImportError } from "../storage/zookeeper/errors.js";
import { ZkRestore } from "../storage/zookeeper/zk-restore.js";

export interface LiveCopyOptions {
  readonly connectString: string;
  /** scheme:credential pairs to add before reading, as `addauth` takes them. */
  readonly auth: readonly string[];
  readonly ephemerals: "skip" | "persistent";
  /** Import what can be read when some nodes cannot (NOAUTH), instead of stopping. */
  readonly skipUnreadable: boolean;
  readonly onProgress?: (done: number, total: number) => void;
  readonly onWarning?: (message: string) => void;
}

export interface LiveCopyResult {
  readonly machine: StateMachine;
  readonly nodes: number;
  readonly lastZxid: bigint;
  readonly skippedEphemerals: readonly string[];
  readonly unreadable: readonly string[];
}

/** Reads in flight at once: deep enough to hide round trips, small enough not to flood the server. */
const READS_IN_FLIGHT = 256;
/** Paddock's own node: a standalone server keeps its own (empty) configuration. */
const CONFIG_NODE = "/zookeeper/config";

interface NodeRead {
  readonly path: string;
  readonly image: PersistedNode;
  readonly children: string[];
}

function childPath(parent: string, name: string): string {
  return parent === "/" ? `/${name}` : `${parent}/${name}`;
}

/** getACL without ADMIN shows digest ids as "user:x" (ZOOKEEPER-1392): such a list cannot be copied. */
function masked(acl: readonly ACL[]): boolean {
  return acl.some((a) => a.id.scheme === "digest" && a.id.id.endsWith(":x"));
}

/** The node, or "masked" when its ACL came back with digest ids hidden. */
async function readNode(zk: Client, path: string): Promise<NodeRead | "masked"> {
  const [{ data, stat }, { acl }, children] = await Promise.all([
    zk.getData(path),
    zk.getACL(path),
    zk.getChildren(path),
  ]);
  if (masked(acl)) return "masked";
  const image: PersistedNode = {
    data,
    acl,
    czxid: stat.czxid,
    mzxid: stat.mzxid,
    ctime: stat.ctime,
    mtime: stat.mtime,
    version: stat.version,
    // The client sees 2 * creations - numChildren; the tree stores creations.
    cversion: (stat.cversion + stat.numChildren) >> 1,
    aversion: stat.aversion,
    ephemeralOwner: stat.ephemeralOwner,
    pzxid: stat.pzxid,
  };
  return { path, image, children };
}

function maxZxid(a: bigint, n: PersistedNode): bigint {
  let m = a;
  for (const z of [n.czxid, n.mzxid, n.pzxid]) if (z > m) m = z;
  return m;
}

export async function copyLiveTree(o: LiveCopyOptions): Promise<LiveCopyResult> {
  const zk = await connect(o.connectString, { sessionTimeoutMs: 30_000 });
  try {
    for (const pair of o.auth) {
      const colon = pair.indexOf(":");
      if (colon <= 0)
        throw new ZkImportError("PDK_IMPORT_BAD_AUTH", `--auth ${pair} is not scheme:credential`);
      await zk.addAuth(pair.slice(0, colon), pair.slice(colon + 1));
    }
    const total = await zk.getAllChildrenNumber("/").then(
      (n) => n + 1,
      () => 0,
    );
    const restore = new ZkRestore({ extendedTypesEnabled: true }, false);
    const skippedEphemerals: string[] = [];
    const unreadable: string[] = [];
    let lastZxid = 0n;
    let nodes = 0;
    const pending: string[] = ["/"];
    const inFlight = new Set<Promise<void>>();
    const visit = async (path: string) => {
      let read: NodeRead;
      try {
        const got = await readNode(zk, path);
        if (got === "masked") {
          unreadable.push(path);
          return;
        }
        read = got;
      } catch (error) {
        if (error instanceof NoNodeError) return; // deleted while the walk ran
        if (error instanceof NoAuthError) {
          unreadable.push(path);
          return;
        }
        throw error;
      }
      if (read.image.ephemeralOwner !== 0n) {
        if (o.ephemerals === "skip") {
          skippedEphemerals.push(path);
          return;
        }
        read = { ...read, image: { ...read.image, ephemeralOwner: 0n } };
      }
      restore.snapshotNode(path, read.image);
      lastZxid = maxZxid(lastZxid, read.image);
      nodes++;
      if (nodes % 1000 === 0) o.onProgress?.(nodes, total);
      for (const name of read.children) {
        const child = childPath(path, name);
        if (child !== CONFIG_NODE) pending.push(child);
      }
    };
    while (pending.length > 0 || inFlight.size > 0) {
      while (pending.length > 0 && inFlight.size < READS_IN_FLIGHT) {
        const p = visit(pending.pop()!).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      if (inFlight.size > 0) await Promise.race(inFlight);
    }
    o.onProgress?.(nodes, Math.max(total, nodes));
    if (unreadable.length > 0 && !o.skipUnreadable) {
      throw new ZkImportError(
        "PDK_IMPORT_UNREADABLE",
        `${unreadable.length} node(s) could not be read in full (NOAUTH, or digest ACLs shown masked ` +
          `without ADMIN), such as ${unreadable.slice(0, 5).join(", ")}. Nothing was imported. Add --auth ` +
          "with an identity that may READ and ADMIN them (the super digest reads everything), or " +
          "--skip-unreadable to import the rest without them and their subtrees.",
      );
    }
    // The server's position: a sync's reply carries its last committed zxid.
    await zk.sync("/");
    if (zk.lastZxidSeen > lastZxid) lastZxid = zk.lastZxidSeen;
    restore.snapshotDone(lastZxid, { nodeCount: nodes, digest: undefined, lastProcessedZxid: undefined });
    const { machine } = restore.finish();
    return { machine, nodes: machine.znodeCount, lastZxid, skippedEphemerals, unreadable };
  } finally {
    await zk.close();
  }
}
