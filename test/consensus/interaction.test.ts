// Runs every interaction script in testdata/ against a fresh InteractionEnv and compares the output
// byte for byte. Rewrite the expectations with PADDOCK_REWRITE=1 after an intended behaviour change,
// then read the diff: the scripts are the consensus core's executable specification.

import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { InteractionEnv } from "./env.js";
import { runScriptFile } from "./script.js";

const dir = fileURLToPath(new URL("../../../test/consensus/testdata/", import.meta.url));

describe("consensus interaction scripts", () => {
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".txt"))
    .sort()) {
    test(`script ${file} produces its recorded output`, () => {
      const env = new InteractionEnv();
      const failures = runScriptFile(`${dir}${file}`, (block) => env.run(block));
      assert.deepEqual(failures, [], failures.join("\n\n"));
    });
  }
});
