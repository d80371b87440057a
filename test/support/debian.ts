// Makes sure the Debian packages a compatibility test needs are present, installing them when we
// are root on a Debian machine, and otherwise says why not. Tests turn a refusal into a loud skip
// on developer machines but into a failure under CI, where a silent skip would hide lost coverage.

import { spawnSync } from "node:child_process";

export type PackageCheck = { ok: true } | { ok: false; reason: string };

const commandTimeoutMs = 15 * 60 * 1000;

function isInstalled(name: string): boolean {
  const query = spawnSync("dpkg-query", ["--status", name], { encoding: "utf8" });
  return query.status === 0 && /^Status: install ok installed$/m.test(query.stdout);
}

export function commandExists(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).status === 0;
}

function aptGet(args: string[]): { ok: boolean; output: string } {
  const run = spawnSync("apt-get", args, {
    encoding: "utf8",
    timeout: commandTimeoutMs,
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return { ok: run.status === 0, output: `${run.stdout ?? ""}${run.stderr ?? ""}` };
}

export function ensureDebianPackages(names: string[]): PackageCheck {
  if (names.length === 0) return { ok: true };
  if (!commandExists("dpkg-query")) {
    return { ok: false, reason: `not a Debian system (no dpkg-query); needs packages ${names.join(", ")}` };
  }
  const missing = names.filter((name) => !isInstalled(name));
  if (missing.length === 0) return { ok: true };
  const wanted = missing.join(" ");
  if (process.getuid?.() !== 0 || !commandExists("apt-get")) {
    return {
      ok: false,
      reason: `missing Debian packages (${wanted}); run: sudo apt-get install -y ${wanted}`,
    };
  }
  let install = aptGet(["install", "-y", ...missing]);
  if (!install.ok) {
    // A fresh container often has no package lists at all; one update is worth a second try.
    const update = aptGet(["update"]);
    if (!update.ok) return { ok: false, reason: `apt-get update failed: ${update.output.slice(-400)}` };
    install = aptGet(["install", "-y", ...missing]);
  }
  if (!install.ok)
    return { ok: false, reason: `apt-get install ${wanted} failed: ${install.output.slice(-400)}` };
  const stillMissing = missing.filter((name) => !isInstalled(name));
  if (stillMissing.length > 0) {
    return { ok: false, reason: `apt-get finished but ${stillMissing.join(" ")} is still not installed` };
  }
  return { ok: true };
}

/**
 * The value for a describe/test `skip` option: false when the packages are there, else the reason,
 * printed to stderr so a skipped compatibility suite is noticed. Under CI it throws instead.
 */
export function debianSkipReason(names: string[]): string | false {
  const check = ensureDebianPackages(names);
  if (check.ok) return false;
  if (process.env.CI) throw new Error(`compatibility test cannot run under CI: ${check.reason}`);
  process.stderr.write(`\n*** SKIPPING compatibility test: ${check.reason}\n\n`);
  return check.reason;
}
