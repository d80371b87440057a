// Splits the watches to re-arm on a new connection into SetWatches frames of at most 128 KiB of
// path bytes each, as ZooKeeper's Java client does (SET_WATCHES_MAX_LENGTH): one huge frame would
// exceed jute.maxbuffer and be refused. A batch uses SetWatches2 only when it carries persistent
// watches, so servers older than 3.6 still accept clients that never use them.

import { OpCode } from "../protocol/constants.js";
import type { Request } from "../protocol/requests.js";
import type { ArmedWatches } from "./watches.js";

export const SET_WATCHES_BATCH_BYTES_MAX = 128 * 1024;

type SetWatchesRequest = Extract<Request, { type: typeof OpCode.setWatches | typeof OpCode.setWatches2 }>;

const lists = ["data", "exist", "child", "persistent", "recursive"] as const;

export function setWatchesBatches(
  watches: ArmedWatches,
  relativeZxid: bigint,
  batchBytesMax = SET_WATCHES_BATCH_BYTES_MAX,
): SetWatchesRequest[] {
  const batches: SetWatchesRequest[] = [];
  let current: ArmedWatches = { data: [], exist: [], child: [], persistent: [], recursive: [] };
  let bytes = 0;
  let empty = true;
  const flush = (): void => {
    if (empty) return;
    const base = {
      relativeZxid,
      dataWatches: current.data,
      existWatches: current.exist,
      childWatches: current.child,
    };
    batches.push(
      current.persistent.length + current.recursive.length > 0
        ? {
            type: OpCode.setWatches2,
            ...base,
            persistentWatches: current.persistent,
            persistentRecursiveWatches: current.recursive,
          }
        : { type: OpCode.setWatches, ...base },
    );
    current = { data: [], exist: [], child: [], persistent: [], recursive: [] };
    bytes = 0;
    empty = true;
  };
  for (const list of lists) {
    for (const path of watches[list]) {
      // Each string costs its UTF-8 bytes plus the 4-byte length prefix on the wire.
      const cost = Buffer.byteLength(path) + 4;
      if (!empty && bytes + cost > batchBytesMax) flush();
      current[list].push(path);
      bytes += cost;
      empty = false;
    }
  }
  flush();
  return batches;
}
