// Runs a kazoo scenario script with Debian's python3 and its python3-kazoo, and collects the JSON
// `{fact, value}` lines it prints. The environment drops what would let a developer's pyenv or
// virtualenv shadow the Debian kazoo.

import { compatSource } from "./paths.js";
import { describeRun, type RunResult, run } from "./run.js";

const python = "/usr/bin/python3";

function debianPythonEnv(): NodeJS.ProcessEnv {
  const { PYTHONPATH: _path, PYTHONHOME: _home, VIRTUAL_ENV: _venv, ...rest } = process.env;
  return { ...rest, PYTHONNOUSERSITE: "1" };
}

/** Runs test/compat/<script> against `connectString`; `facts` holds every printed fact by name. */
export async function runKazooScript(
  script: string,
  connectString: string,
  timeoutMs: number,
  extraArgs: readonly string[] = [],
): Promise<{ result: RunResult; facts: Map<string, unknown> }> {
  const result = await run(python, [compatSource(script), connectString, ...extraArgs], {
    timeoutMs,
    env: debianPythonEnv(),
  });
  const facts = new Map<string, unknown>();
  for (const line of result.stdout.split("\n").filter(Boolean)) {
    const record = JSON.parse(line) as { fact: string; value: unknown };
    facts.set(record.fact, record.value);
  }
  return { result, facts };
}

/**
 * Runs python/kazoo_security.py (TLS and SASL options, see its docstring) and returns its facts;
 * fails the test when the script did not finish.
 */
export async function runKazooSecurity(
  hosts: string,
  options: Record<string, unknown>,
): Promise<Map<string, unknown>> {
  const { result, facts } = await runKazooScript("python/kazoo_security.py", hosts, 60_000, [
    JSON.stringify(options),
  ]);
  if (facts.get("done") !== true) throw new Error(`kazoo_security.py did not finish: ${describeRun(result)}`);
  return facts;
}
