// Builds a Go program against go-zookeeper as Debian packages it (golang-go and
// golang-github-samuel-go-zookeeper-dev, the client's source under /usr/share/gocode), offline in
// GOPATH mode, with a build cache of its own so nothing outside the temporary directory is written.

import { join } from "node:path";
import { type RunResult, run } from "./run.js";

/** The Debian packages: the Go toolchain and the client library's source. */
export const goZookeeperPackages = ["golang-go", "golang-github-samuel-go-zookeeper-dev"];

const debianGopath = "/usr/share/gocode";

/** Compiles `source` into `dir`/scenario and returns the binary's path with the build's output. */
export async function buildGoProgram(
  source: string,
  dir: string,
): Promise<{ binary: string; build: RunResult }> {
  const binary = join(dir, "scenario");
  const build = await run("go", ["build", "-o", binary, source], {
    timeoutMs: 300_000,
    env: {
      ...process.env,
      GO111MODULE: "off",
      GOPATH: debianGopath,
      GOCACHE: join(dir, "cache"),
      GOFLAGS: "",
      GOPROXY: "off",
    },
  });
  return { binary, build };
}
