// `paddock export --to <dir>`: writes the state of a STOPPED Paddock server's data directory as a
// ZooKeeper 3.8 snapshot in <dir>/version-2/, which Apache ZooKeeper loads as its dataDir. The state
// is read the way a server start reads it (newest snapshot plus the log), without writing to the
// Paddock directory; the snapshot file is written to a temporary name, synced and renamed.

import { mkdir, open, readdir, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { defaultConfig, loadZooCfg } from "../server/config.js";
import type { StateMachine } from "../state/machine.js";
import { StorageError } from "../storage/errors.js";
import { ZkImportError } from "../storage/zookeeper/errors.js";
import { encodeZkSnapshot } from "../storage/zookeeper/snapshot-encode.js";
import { DryRunFileSystem } from "./data/dry-run-fs.js";
import { recoverOffline } from "./data/sources.js";

export const EXPORT_USAGE = `Usage: paddock export --to <zookeeper dataDir> [--config zoo.cfg] [--data-dir DIR] [--data-log-dir DIR] [--force]

Writes the state of a STOPPED Paddock server (its newest snapshot plus its log, read without
changing them) as a ZooKeeper snapshot in <dir>/version-2/, for Apache ZooKeeper 3.8 to load as its
dataDir: every znode with its data, ACL and Stat, the sessions with their timeouts, and the zxid.
Sessions created by Paddock cannot resume on ZooKeeper (their passwords differ); imported ones can.

  --force   write into a version-2/ directory that already holds ZooKeeper files (they are removed)
`;

function hex(zxid: bigint): string {
  return `0x${BigInt.asUintN(64, zxid).toString(16)}`;
}

async function zookeeperFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => /^(snapshot|log)\./.test(n)).map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/** Runs `paddock export` with the arguments after the subcommand; resolves to the exit code. */
export async function runExport(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      to: { type: "string" },
      config: { type: "string", short: "c" },
      "data-dir": { type: "string" },
      "data-log-dir": { type: "string" },
      force: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(EXPORT_USAGE);
    return 0;
  }
  if (values.to === undefined) {
    process.stderr.write(`paddock export: --to <zookeeper dataDir> is required\n\n${EXPORT_USAGE}`);
    return 2;
  }
  const config = values.config === undefined ? defaultConfig() : loadZooCfg(values.config).config;
  const dataDir = values["data-dir"] ?? config.dataDir;
  const dataLogDir = values["data-log-dir"] ?? values["data-dir"] ?? config.dataLogDir;
  const target = join(values.to, "version-2");
  const existing = await zookeeperFiles(target);
  if (existing.length > 0 && values.force !== true) {
    process.stderr.write(
      `PDK_EXPORT_TARGET_NOT_EMPTY: ${target} already holds ZooKeeper files (such as ${existing[0]}); ` +
        "nothing was written. Export into an empty directory, or add --force to replace them.\n",
    );
    return 1;
  }
  let machine: StateMachine;
  try {
    machine = await recoverOffline(new DryRunFileSystem(), dataDir, dataLogDir, {
      info: () => {},
      warn: (m) => process.stderr.write(`warning: ${m}\n`),
    });
  } catch (error) {
    if (error instanceof StorageError || error instanceof ZkImportError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const encoded = encodeZkSnapshot(machine);
  await mkdir(target, { recursive: true });
  for (const path of existing) await unlink(path);
  const final = join(target, `snapshot.${BigInt.asUintN(64, encoded.zxid).toString(16)}`);
  const temp = `${final}.tmp`;
  const f = await open(temp, "w");
  try {
    await f.writeFile(encoded.bytes);
    await f.datasync();
  } finally {
    await f.close();
  }
  await rename(temp, final);
  process.stdout.write(
    `exported ${machine.znodeCount} znodes and ${machine.sessions().size} sessions at zxid ${hex(encoded.zxid)} ` +
      `to ${final} (ZooKeeper digest ${hex(encoded.digest)}); start ZooKeeper with dataDir=${values.to}\n`,
  );
  return 0;
}
