// A follower takes a snapshot the leader streamed to it: the received file is read back whole
// (checksums, digest, and the position chunk against the leader's message), moved into dataDir
// under its own name so that recovery starts from it, and made durable there. Only then may the
// log be reset and the state replaced.

import { join } from "node:path";
import type { SnapshotMeta } from "../consensus/types.js";
import type { StateMachine, StateMachineOptions } from "../state/machine.js";
import { diskFailure, StorageError } from "./errors.js";
import type { FileSystem } from "./file-system.js";
import { hex } from "./log-reader.js";
import { readSnapshot, snapshotName } from "./snapshot-file.js";

export async function installSnapshot(
  fs: FileSystem,
  dataDir: string,
  received: string,
  meta: SnapshotMeta,
  machineOptions: StateMachineOptions,
): Promise<StateMachine> {
  const read = await readSnapshot(fs, received, machineOptions);
  if (read.summary.zxid !== meta.zxid || read.position.index !== meta.index) {
    throw new StorageError(
      "PDK_SNAPSHOT_CORRUPT",
      `snapshot ${received} from the leader holds zxid ${hex(read.summary.zxid)} at log index ${read.position.index}, ` +
        `not zxid ${hex(meta.zxid)} at index ${meta.index} as its message says; it is not installed.`,
    );
  }
  const final = join(dataDir, snapshotName(meta.zxid));
  try {
    if (final !== received) await fs.rename(received, final);
    await fs.syncDir(dataDir);
  } catch (error) {
    throw diskFailure("snapshot install", final, error);
  }
  return read.machine!;
}
