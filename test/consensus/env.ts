// The world an interaction script runs in: a handful of RawNodes with in-memory disks, one FIFO
// network that only moves when told to, and a fixed "random" source so that election timeouts are
// exactly electionTick. Each command returns the text the script expects.

import {
  type ConfChange,
  ConfChangeType,
  type ConfState,
  defaultRaftTuning,
  type Entry,
  EntryType,
  formatConfState,
  formatZxid,
  type HardState,
  type Message,
  type NodeId,
  RawNode,
  type Snapshot,
} from "../../src/consensus/index.js";
import { formatEntry, formatHardState, formatMessage, formatReady } from "./format.js";
import type { Block } from "./script.js";

interface Disk {
  hardState: HardState;
  snapshot: Snapshot | null;
  entries: Entry[];
}

interface EnvNode {
  id: NodeId;
  raw: RawNode | null;
  disk: Disk;
  applied: string[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function persist(
  disk: Disk,
  snapshot: Snapshot | null,
  entries: Entry[],
  hardState: HardState | null,
): void {
  if (snapshot !== null) {
    const keep = disk.entries.find((e) => e.index === snapshot.meta.index && e.term === snapshot.meta.term);
    disk.entries = keep === undefined ? [] : disk.entries.filter((e) => e.index > snapshot.meta.index);
    disk.snapshot = snapshot;
  }
  if (entries.length > 0) {
    const first = entries[0]!.index;
    disk.entries = disk.entries.filter((e) => e.index < first).concat(entries);
  }
  if (hardState !== null) disk.hardState = { ...hardState };
}

function parseList(value: string | undefined): number[] {
  if (value === undefined || value === "") return [];
  return value.split(",").map((s) => Number(s));
}

function options(args: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of args) {
    const eq = a.indexOf("=");
    if (eq > 0) out.set(a.slice(0, eq), a.slice(eq + 1));
  }
  return out;
}

export class InteractionEnv {
  private readonly nodes = new Map<NodeId, EnvNode>();
  private network: Message[] = [];
  private initialConf: ConfState | null = null;
  private tuning = { ...defaultRaftTuning, electionTick: 10, heartbeatTick: 1 };
  private groups: NodeId[][] = [];

  run(block: Block): string {
    const a = block.args;
    const id = Number(a[0]);
    switch (block.command) {
      case "add-nodes":
        return this.addNodes(Number(a[0]), options(a.slice(1)));
      case "campaign":
        this.node(id).campaign();
        return "";
      case "propose": {
        const r = this.node(id).propose(encoder.encode(a[1] ?? ""));
        return r.ok ? `proposed ${r.term}/${r.index} ${formatZxid(r.zxid)}` : `rejected: ${r.reason}`;
      }
      case "conf": {
        const type = {
          add: ConfChangeType.AddVoter,
          "add-learner": ConfChangeType.AddLearner,
          remove: ConfChangeType.Remove,
        }[a[1] as "add"];
        const change: ConfChange = { type, node: Number(a[2]) };
        const r = this.node(id).proposeConfChange(change);
        return r.ok ? `proposed ${r.term}/${r.index}` : `rejected: ${r.reason}`;
      }
      case "transfer":
        this.node(id).transferLeader(Number(a[1]));
        return "";
      case "read-index":
        return this.node(id).readIndex(Number(a[1])) ? "" : "dropped";
      case "tick":
        for (let k = 0; k < Number(a[1] ?? 1); k++) this.node(id).tick();
        return "";
      case "tick-election":
        for (let k = 0; k < this.tuning.electionTick; k++) this.node(id).tick();
        return "";
      case "tick-heartbeat":
        for (let k = 0; k < this.tuning.heartbeatTick; k++) this.node(id).tick();
        return "";
      case "process-ready":
        return a.flatMap((s) => this.processReady(Number(s))).join("\n");
      case "deliver":
        return this.deliver(options(a));
      case "stabilize":
        return this.stabilize();
      case "partition":
        this.groups = a.map((g) => parseList(g));
        return "";
      case "heal":
        this.groups = [];
        return "";
      case "crash":
        this.nodes.get(id)!.raw = null;
        this.network = this.network.filter((m) => m.to !== id);
        return "";
      case "restart":
        this.start(this.nodes.get(id)!);
        return "";
      case "compact": {
        const n = this.nodes.get(id)!;
        const snap = n.raw!.compact(encoder.encode(JSON.stringify(n.applied)));
        persist(n.disk, snap, [], null);
        return `snapshot ${snap.meta.term}/${snap.meta.index}`;
      }
      case "status":
        return (a.length > 0 ? a.map(Number) : [...this.nodes.keys()]).map((n) => this.status(n)).join("\n");
      case "log":
        return this.log(id);
      case "applied":
        return `${id}: ${this.nodes.get(id)!.applied.join(" ")}`;
      default:
        throw new Error(`unknown command ${block.command}`);
    }
  }

  private node(id: NodeId): RawNode {
    const raw = this.nodes.get(id)?.raw;
    if (raw === null || raw === undefined) throw new Error(`node ${id} is not running`);
    return raw;
  }

  private addNodes(count: number, opts: Map<string, string>): string {
    for (const [k, v] of opts) {
      if (k === "prevote") this.tuning.preVote = v === "true";
      else if (k === "checkquorum") this.tuning.checkQuorum = v === "true";
      else if (k === "counter-max") this.tuning.zxidCounterMax = Number(v);
      else if (k === "max-inflight") this.tuning.maxInflight = Number(v);
      else if (k === "max-entries") this.tuning.maxEntriesPerMessage = Number(v);
    }
    const first = this.nodes.size + 1;
    const ids = Array.from({ length: count }, (_, k) => first + k);
    if (this.initialConf === null) {
      this.initialConf = {
        voters: opts.has("voters") ? parseList(opts.get("voters")) : ids,
        learners: parseList(opts.get("learners")),
      };
    }
    for (const id of ids) {
      const n: EnvNode = {
        id,
        raw: null,
        disk: { hardState: { term: 0, vote: 0, commit: 0 }, snapshot: null, entries: [] },
        applied: [],
      };
      this.nodes.set(id, n);
      this.start(n);
    }
    return `added ${ids.join(" ")} ${formatConfState(this.initialConf)}`;
  }

  private start(n: EnvNode): void {
    n.raw = new RawNode(
      { ...this.tuning, id: n.id, initialConf: this.initialConf!, rng: { int: () => 0 } },
      { hardState: { ...n.disk.hardState }, snapshot: n.disk.snapshot, entries: [...n.disk.entries] },
    );
    n.applied =
      n.disk.snapshot === null ? [] : (JSON.parse(decoder.decode(n.disk.snapshot.data)) as string[]);
  }

  private processReady(id: NodeId): string[] {
    const n = this.nodes.get(id)!;
    if (n.raw === null || !n.raw.hasReady()) return [];
    const rd = n.raw.ready();
    persist(n.disk, rd.snapshot, rd.entries, rd.hardState);
    this.network.push(...rd.messages);
    if (rd.snapshot !== null) n.applied = JSON.parse(decoder.decode(rd.snapshot.data)) as string[];
    for (const e of rd.committedEntries) {
      if (e.type === EntryType.Normal && e.data.length > 0) n.applied.push(decoder.decode(e.data));
    }
    n.raw.advance();
    return [`> ${id} ready`, ...formatReady(rd)];
  }

  private connected(from: NodeId, to: NodeId): boolean {
    if (this.groups.length === 0) return true;
    return this.groups.some((g) => g.includes(from) && g.includes(to));
  }

  private deliver(opts: Map<string, string>): string {
    const drop = parseList(opts.get("drop"));
    const batch = this.network;
    this.network = [];
    const out: string[] = [];
    for (const m of batch) {
      const target = this.nodes.get(m.to)?.raw;
      if (drop.includes(m.to) || drop.includes(m.from) || !this.connected(m.from, m.to) || !target) {
        out.push(`  dropped: ${formatMessage(m)}`);
        continue;
      }
      target.step(m);
    }
    return out.join("\n");
  }

  private stabilize(): string {
    const out: string[] = [];
    for (let round = 0; round < 1000; round++) {
      const lines = [...this.nodes.keys()].flatMap((id) => this.processReady(id));
      out.push(...lines);
      const dropped = this.network.length > 0 ? this.deliver(new Map()) : "";
      if (dropped !== "") out.push(dropped);
      if (lines.length === 0 && this.network.length === 0 && dropped === "") return out.join("\n");
    }
    throw new Error("stabilize did not converge within 1000 rounds");
  }

  private status(id: NodeId): string {
    const n = this.nodes.get(id)!;
    if (n.raw === null) return `${id}: down`;
    const s = n.raw.status();
    const progress = n.raw.progress().map((p) => `${p.id}:${p.state} match=${p.match} next=${p.next}`);
    const pr = progress.length > 0 ? `\n  ${progress.join("\n  ")}` : "";
    return `${id}: ${s.role} term=${s.term} lead=${s.lead} commit=${s.commit} applied=${s.applied} last=${s.lastIndex} ${formatConfState(s.conf)}${pr}`;
  }

  private log(id: NodeId): string {
    const n = this.nodes.get(id)!;
    const head =
      n.disk.snapshot === null ? "" : `snapshot ${n.disk.snapshot.meta.term}/${n.disk.snapshot.meta.index}\n`;
    return `${head}${formatHardState(n.disk.hardState)}\n${n.disk.entries.map(formatEntry).join("\n")}`.trimEnd();
  }
}
