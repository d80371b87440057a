// Locates the repository from compiled test code. Tests run from dist/test/..., but the client
// programs they drive (Java and Python sources) and bin/paddock.js live in the source tree.

import { fileURLToPath } from "node:url";

/** The repository root: this file compiles to <repo>/dist/test/support/paths.js. */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** A path inside the source tree's test/compat folder. */
export function compatSource(relative: string): string {
  return fileURLToPath(new URL(`../../../test/compat/${relative}`, import.meta.url));
}
