// Starts the shell as its own process with the given arguments, as `paddock shell` will once
// src/cli/main.ts dispatches to it; the tests drive this through pipes and a real terminal.

import { runShell } from "../../src/cli/shell/shell.js";

process.exitCode = await runShell(process.argv.slice(2));
