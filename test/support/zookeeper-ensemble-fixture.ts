// The membership text and `conf` answers captured from real Apache ZooKeeper 3.8.0 ensembles on
// loopback (test/fixtures/zookeeper-ensemble/capture.py wrote them), and each member's zoo.cfg set
// up again in a temporary directory with its myid, so Paddock can read exactly what ZooKeeper read.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./paths.js";

export interface CapturedMember {
  /** zoo.cfg as the member read it at start. */
  readonly cfg: string;
  /** getData("/zookeeper/config") on this member, as bytes decoded. */
  readonly config: string;
  /** The `conf` four-letter word's answer. */
  readonly conf: string;
  /** zoo.cfg* files in the member's directory after start (ZooKeeper splits zoo.cfg when reconfig is on). */
  readonly files?: Record<string, string>;
}

export interface CapturedEnsemble {
  readonly lines: readonly string[];
  readonly members: Record<string, CapturedMember>;
}

export function loadCapture(name: string): CapturedEnsemble {
  const path = join(repoRoot, "test", "fixtures", "zookeeper-ensemble", `${name}.json`);
  return JSON.parse(readFileSync(path, "utf8")) as CapturedEnsemble;
}

/** Runs `body` with `cfg` written as zoo.cfg in a fresh directory whose data/myid holds `id`. */
export function withMemberDir<T>(
  id: string,
  cfg: string,
  body: (paths: { dir: string; zooCfg: string }) => T,
  extraFiles: Record<string, string> = {},
): T {
  const dir = mkdtempSync(join(tmpdir(), "paddock-zk-fixture-"));
  try {
    mkdirSync(join(dir, "data"));
    writeFileSync(join(dir, "data", "myid"), `${id}\n`);
    // The capture ran in its own directory; point dataDir (and a dynamic file) at this one.
    const rewritten = cfg
      .replace(/^dataDir=.*$/m, `dataDir=${join(dir, "data")}`)
      .replace(
        /^dynamicConfigFile=.*\/([^/]+)$/m,
        (_line, file: string) => `dynamicConfigFile=${join(dir, file)}`,
      );
    const zooCfg = join(dir, "zoo.cfg");
    writeFileSync(zooCfg, rewritten);
    for (const [name, text] of Object.entries(extraFiles)) writeFileSync(join(dir, name), text);
    return body({ dir, zooCfg });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
