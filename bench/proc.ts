// Reads a server's own resource use from /proc, so that CPU per operation and memory are the server
// process's figures, independent of the load generator running beside it on the same cores.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

let clockTicksPerSecond: number | undefined;

/** USER_HZ, the unit of utime/stime in /proc/<pid>/stat (100 on almost every Linux). */
function ticksPerSecond(): number {
  if (clockTicksPerSecond === undefined) {
    const answer = Number.parseInt(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout ?? "", 10);
    clockTicksPerSecond = Number.isFinite(answer) && answer > 0 ? answer : 100;
  }
  return clockTicksPerSecond;
}

/** User plus system CPU time the process has used, in microseconds; undefined once it has gone. */
export function processCpuUs(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces; fields are counted after its closing parenthesis.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1_000_000) / ticksPerSecond();
}

export interface ProcessMemory {
  rssBytes: number;
  /** Peak resident set size since the process started (VmHWM). */
  rssPeakBytes: number;
}

export function processMemory(pid: number): ProcessMemory | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const kib = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text);
    return match ? Number(match[1]) * 1024 : 0;
  };
  return { rssBytes: kib("VmRSS"), rssPeakBytes: kib("VmHWM") };
}

/**
 * CPU time the whole machine has spent busy (every state but idle and iowait), in microseconds.
 * Busy time not accounted to the server or the generator is someone else's: a run that shares
 * its cores with other work says so in the table.
 */
export function machineBusyUs(): number | undefined {
  let text: string;
  try {
    text = readFileSync("/proc/stat", "utf8");
  } catch {
    return undefined;
  }
  const fields = text.slice(0, text.indexOf("\n")).trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((sum, v) => sum + v, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return ((total - idle) * 1_000_000) / ticksPerSecond();
}
