// Starts a Paddock server through its real command line (`bin/paddock.js server --config`) with the
// same zoo.cfg keys given to ZooKeeper, so the two targets differ only in the program that runs.

import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./paths.js";
import { freeLoopbackPort } from "./ports.js";
import { launchServer, type ServerConfig, writeZooCfg } from "./server-process.js";
import type { Target } from "./targets.js";

export async function startPaddock(options: ServerConfig = {}): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), "paddock-compat-pdk-"));
  mkdirSync(join(dir, "data"));
  const port = await freeLoopbackPort();
  const cfg = writeZooCfg(dir, port, { ...options.systemProperties, ...options.extraConfig });
  return launchServer({
    kind: "paddock",
    command: process.execPath,
    args: [join(repoRoot, "bin", "paddock.js"), "server", "--config", cfg],
    port,
    dir,
    readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
  });
}
