// Summarises a V8 .cpuprofile (what `node --cpu-prof` writes) as self time per function: the
// samples whose top frame is that function, which is where the CPU actually went. Functions are
// keyed by name and location so the same function reached through many call paths adds up.

import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  function: string;
  location: string;
  selfMs: number;
  share: number;
}

function locationOf(frame: ProfileNode["callFrame"]): string {
  if (frame.url === "") return "(native)";
  const path = frame.url.replace(/^file:\/\//, "");
  const inRepo = path.indexOf("/dist/");
  return `${inRepo >= 0 ? path.slice(inRepo + 1) : path}:${frame.lineNumber + 1}`;
}

export function selfTimes(path: string, top: number): SelfTime[] {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byKey = new Map<string, SelfTime>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const node = nodes.get(id);
    const deltaUs = profile.timeDeltas[i] ?? 0;
    if (node === undefined) return;
    totalUs += deltaUs;
    const name = node.callFrame.functionName || "(anonymous)";
    const location = locationOf(node.callFrame);
    const key = `${name} ${location}`;
    const entry = byKey.get(key) ?? { function: name, location, selfMs: 0, share: 0 };
    entry.selfMs += deltaUs / 1000;
    byKey.set(key, entry);
  });
  const sorted = [...byKey.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  for (const entry of sorted) entry.share = totalUs === 0 ? 0 : (entry.selfMs * 1000) / totalUs;
  return sorted;
}
