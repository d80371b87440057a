// The deterministic simulator: replicas (RawNode + simulated disk + register state machine), clients
// and a network, all driven by one seeded event queue on a simulated clock. It enforces the Ready
// contract against the simulated disk and checks safety (one leader per term, identical applied
// entries, increasing zxids) while it runs; end-of-run checks live in run.ts.

import {
  type ConfChange,
  ConfChangeType,
  type ConfState,
  defaultRaftTuning,
  type Entry,
  EntryType,
  formatZxid,
  InvariantError,
  type Message,
  MessageType,
  type NodeId,
  RawNode,
  type Ready,
} from "../../src/consensus/index.js";
import { formatEntry, formatMessage, formatReady } from "../consensus/format.js";
import { SimDisk } from "./disk.js";
import { EventQueue } from "./events.js";
import { type FaultParams, partitionLinks } from "./faults.js";
import { type Command, decodeCommand, encodeCommand, KvState } from "./kv.js";
import { Prng } from "./prng.js";
import type { RegisterInput, RegisterOp, RegisterOutput } from "./register.js";

export const TICK_MS = 10;
const CLIENT_TIMEOUT_MS = 600;
const EVENT_BUDGET = 3_000_000;

export class SimFailure extends Error {}

export interface Variant {
  /** Broken on purpose: send messages and apply before the Ready's writes are fsynced. */
  ackBeforePersist: boolean;
}

interface SimNode {
  id: NodeId;
  incarnation: number;
  raw: RawNode | null;
  disk: SimDisk;
  kv: KvState;
  tickMs: number;
  busy: boolean;
  kicked: boolean;
  lastZxid: bigint;
  pendingWrites: Map<number, number>;
  pendingReads: Map<number, { opId: number; client: number; key: string }>;
  readWaits: { index: number; opId: number; client: number; key: string }[];
  nextContext: number;
}

interface PendingOp {
  opId: number;
  input: RegisterInput;
  call: number;
}

interface SimClient {
  id: number;
  target: NodeId;
  op: PendingOp | null;
  lastSeen: Map<string, string>;
}

type ClientReply = { kind: "ok"; output: RegisterOutput } | { kind: "redirect"; hint: NodeId };

export interface SimStats {
  opsOk: number;
  opsFailed: number;
  opsIndeterminate: number;
  messages: number;
  dropped: number;
  duplicated: number;
  crashes: number;
  partitions: number;
  snapshotsTaken: number;
  snapshotsInstalled: number;
  elections: number;
  lostRecords: number;
  /** Coverage marks for rare branches that named scenarios assert were reached. */
  truncations: number;
  epochRollovers: number;
  confChanges: number;
}

export class World {
  now = 0;
  readonly nodes = new Map<NodeId, SimNode>();
  readonly clients: SimClient[] = [];
  readonly history: RegisterOp[] = [];
  readonly trace: string[] | null;
  readonly stats: SimStats = {
    opsOk: 0,
    opsFailed: 0,
    opsIndeterminate: 0,
    messages: 0,
    dropped: 0,
    duplicated: 0,
    crashes: 0,
    partitions: 0,
    snapshotsTaken: 0,
    snapshotsInstalled: 0,
    elections: 0,
    lostRecords: 0,
    truncations: 0,
    epochRollovers: 0,
    confChanges: 0,
  };
  /** Scenario hook: runs after a Ready's writes are issued and before they are synced. */
  onBeforeSync: ((id: NodeId, rd: Ready) => void) | null = null;
  /** While false, the network is perfect, no new faults start and clocks do not jump. */
  faultsOn = true;
  clientsOn = true;
  blocked = new Set<string>();
  readonly params: FaultParams;
  readonly variant: Variant;
  readonly initialConf: ConfState;
  private readonly queue = new EventQueue();
  private events = 0;
  private nextOpId = 1;
  private readonly leaders = new Map<number, NodeId>();
  private readonly appliedAt = new Map<number, string>();
  private readonly net: Prng;
  private readonly faultRng: Prng;
  private readonly diskRng: Prng;
  private readonly clientRng: Prng;
  private readonly nodeRng: Prng;

  constructor(seed: number, params: FaultParams, variant: Variant, trace: boolean) {
    const root = new Prng(seed);
    this.net = root.fork();
    this.faultRng = root.fork();
    this.diskRng = root.fork();
    this.clientRng = root.fork();
    this.nodeRng = root.fork();
    this.params = params;
    this.variant = variant;
    this.trace = trace ? [] : null;
    const voters = Array.from({ length: params.nodes }, (_, k) => k + 1);
    this.initialConf = { voters, learners: [] };
    // With membership changes on, one spare replica runs from the start, outside the ensemble, and
    // joins (and leaves) through committed ConfChange entries.
    const ids = params.spare ? [...voters, params.nodes + 1] : voters;
    for (const id of ids) {
      const drift = 1 + (this.nodeRng.float() * 2 - 1) * params.clockDrift;
      const node: SimNode = {
        id,
        incarnation: 0,
        raw: null,
        disk: new SimDisk(),
        kv: new KvState(),
        tickMs: Math.max(1, Math.round(TICK_MS * drift)),
        busy: false,
        kicked: false,
        lastZxid: 0n,
        pendingWrites: new Map(),
        pendingReads: new Map(),
        readWaits: [],
        nextContext: 0,
      };
      this.nodes.set(id, node);
      this.start(node);
    }
    for (let c = 0; c < params.clients; c++) {
      const client: SimClient = {
        id: c + 1,
        target: this.clientRng.pick(ids),
        op: null,
        lastSeen: new Map(),
      };
      this.clients.push(client);
      this.at(this.clientRng.range(0, 50), () => this.clientIssue(client));
    }
  }

  log(line: string): void {
    this.trace?.push(`${String(this.now).padStart(6)} ${line}`);
  }

  fail(message: string): never {
    this.log(`FAILURE ${message}`);
    throw new SimFailure(message);
  }

  at(delay: number, run: () => void): void {
    this.queue.push(this.now + delay, run);
  }

  /** Run events until `until` (simulated ms) or until `stop` returns true after an event. */
  runUntil(until: number, stop: () => boolean = () => false): boolean {
    for (;;) {
      const next = this.queue.peek();
      if (next === undefined || next.time > until) {
        this.now = until;
        return false;
      }
      this.queue.pop();
      this.now = next.time;
      if (++this.events > EVENT_BUDGET) this.fail(`event budget of ${EVENT_BUDGET} exhausted`);
      try {
        next.run();
      } catch (err) {
        if (err instanceof InvariantError) this.fail(err.message);
        throw err;
      }
      if (stop()) return true;
    }
  }

  // ---- replicas ----

  private start(node: SimNode): void {
    const d = node.disk.durable;
    const p = this.params;
    node.raw = new RawNode(
      {
        ...defaultRaftTuning,
        id: node.id,
        initialConf: this.initialConf,
        electionTick: 10,
        heartbeatTick: 2,
        rng: this.nodeRng.fork(),
        maxInflight: p.maxInflight,
        maxEntriesPerMessage: p.maxEntriesPerMessage,
        zxidCounterMax: p.zxidCounterMax,
      },
      { hardState: { ...d.hardState }, snapshot: d.snapshot, entries: [...d.entries] },
    );
    node.kv = d.snapshot === null ? new KvState() : KvState.decode(d.snapshot.data);
    node.lastZxid = d.snapshot?.meta.zxid ?? 0n;
    node.busy = false;
    node.kicked = false;
    node.pendingWrites.clear();
    node.pendingReads.clear();
    node.readWaits = [];
    const incarnation = node.incarnation;
    this.at(this.nodeRng.range(1, node.tickMs), () => this.tick(node, incarnation));
  }

  crash(id: NodeId): void {
    const node = this.nodes.get(id)!;
    if (node.raw === null) return;
    const lost = node.disk.crash(this.diskRng);
    this.stats.crashes++;
    this.stats.lostRecords += lost;
    this.log(`n${id} CRASH (lost ${lost} unsynced records)`);
    node.raw = null;
    node.incarnation++;
  }

  restart(id: NodeId): void {
    const node = this.nodes.get(id)!;
    if (node.raw !== null) return;
    const d = node.disk.durable;
    this.log(
      `n${id} RESTART term=${d.hardState.term} commit=${d.hardState.commit} last=${node.disk.lastIndex()}`,
    );
    this.start(node);
  }

  isUp(id: NodeId): boolean {
    return this.nodes.get(id)!.raw !== null;
  }

  /** Ask the leader to hand leadership to `target` (a scenario's role change). */
  transferLeader(target: NodeId): void {
    const lead = this.leader();
    if (lead === null) return;
    this.log(`TRANSFER leadership n${lead} -> n${target}`);
    this.nodes.get(lead)!.raw!.transferLeader(target);
    this.kick(this.nodes.get(lead)!);
  }

  /** Point every client at `id` (scenarios that need writes to reach one replica). */
  aimClients(id: NodeId): void {
    for (const client of this.clients) client.target = id;
  }

  private tick(node: SimNode, incarnation: number): void {
    if (node.incarnation !== incarnation || node.raw === null) return;
    let ticks = 1;
    if (this.faultsOn && this.params.clockJumpProb > 0 && this.faultRng.chance(this.params.clockJumpProb)) {
      ticks += this.faultRng.range(2, 15);
      this.log(`n${node.id} CLOCK JUMP +${ticks - 1} ticks`);
    }
    for (let k = 0; k < ticks; k++) node.raw.tick();
    this.kick(node);
    this.at(node.tickMs, () => this.tick(node, incarnation));
  }

  private kick(node: SimNode): void {
    if (node.kicked || node.busy || node.raw === null) return;
    node.kicked = true;
    const incarnation = node.incarnation;
    this.at(0, () => this.process(node, incarnation));
  }

  private process(node: SimNode, incarnation: number): void {
    node.kicked = false;
    const raw = node.raw;
    if (node.incarnation !== incarnation || raw === null || node.busy || !raw.hasReady()) return;
    const rd = raw.ready();
    if (this.trace !== null) this.log(`n${node.id} ready\n${formatReady(rd).join("\n")}`);
    this.observeRoles(node, rd);
    const first = rd.entries[0];
    if (first !== undefined) {
      const onDisk = node.disk.termAt(first.index);
      if (onDisk !== undefined && onDisk !== first.term) {
        this.stats.truncations++;
        this.log(
          `n${node.id} TRUNCATE divergent suffix from ${first.index} (term ${onDisk} -> ${first.term})`,
        );
      }
    }
    node.disk.write(rd.snapshot, rd.entries, rd.hardState);
    this.onBeforeSync?.(node.id, rd);
    const latency =
      this.params.diskLatencyMaxMs > 0 ? this.faultRng.int(this.params.diskLatencyMaxMs + 1) : 0;
    if (this.variant.ackBeforePersist) {
      this.send(rd.messages);
      this.applyReady(node, rd);
      raw.advance();
      this.afterAdvance(node);
      this.at(latency, () => {
        if (node.incarnation === incarnation) node.disk.sync();
      });
      this.kick(node);
      return;
    }
    node.busy = true;
    this.at(latency, () => {
      if (node.incarnation !== incarnation) return;
      node.disk.sync();
      this.checkContract(node, rd);
      this.send(rd.messages);
      this.applyReady(node, rd);
      raw.advance();
      node.busy = false;
      this.afterAdvance(node);
      this.kick(node);
    });
  }

  private observeRoles(node: SimNode, rd: Ready): void {
    if (rd.softState?.role !== "leader") return;
    const term = node.raw!.status().term;
    const prior = this.leaders.get(term);
    if (prior !== undefined && prior !== node.id)
      this.fail(`two leaders in term ${term}: n${prior} and n${node.id}`);
    this.leaders.set(term, node.id);
    this.stats.elections++;
    this.log(`n${node.id} LEADER term=${term}`);
  }

  /** The Ready contract, checked against what the simulated disk actually holds. */
  private checkContract(node: SimNode, rd: Ready): void {
    const disk = node.disk;
    const hs = disk.durable.hardState;
    for (const m of rd.messages) {
      const where = `n${node.id} sent ${formatMessage(m)}`;
      if (m.type !== MessageType.PreVote && m.type !== MessageType.PreVoteResp && m.term > hs.term) {
        this.fail(`Ready contract: ${where} before term ${m.term} was durable`);
      }
      // A vote is safe once its term is durable with that vote, or a later term is (no revote then).
      const voteDurable = hs.term > m.term || (hs.term === m.term && hs.vote === m.to);
      if (m.type === MessageType.VoteResp && !m.reject && !voteDurable) {
        this.fail(`Ready contract: ${where} before the vote was durable`);
      }
      if (m.type === MessageType.AppResp && !m.reject && m.index > disk.lastIndex()) {
        this.fail(
          `Ready contract: ${where} acknowledging an index beyond the durable log ${disk.lastIndex()}`,
        );
      }
    }
    for (const e of rd.committedEntries) {
      if (e.index > disk.lastIndex())
        this.fail(`Ready contract: n${node.id} applies ${formatEntry(e)} before it is durable`);
    }
  }

  private applyReady(node: SimNode, rd: Ready): void {
    if (rd.snapshot !== null) {
      node.kv = KvState.decode(rd.snapshot.data);
      if (node.kv.index !== rd.snapshot.meta.index)
        this.fail(`snapshot data at ${node.kv.index} != meta ${rd.snapshot.meta.index}`);
      node.lastZxid = rd.snapshot.meta.zxid;
      this.stats.snapshotsInstalled++;
    }
    for (const e of rd.committedEntries) this.applyEntry(node, e);
    for (const rs of rd.readStates) {
      const read = node.pendingReads.get(rs.context);
      if (read === undefined) continue;
      node.pendingReads.delete(rs.context);
      node.readWaits.push({ index: rs.index, ...read });
    }
    this.serveReads(node);
  }

  private applyEntry(node: SimNode, e: Entry): void {
    const fingerprint = `${e.term}/${formatZxid(e.zxid)}/${fnv(e.data)}`;
    const prior = this.appliedAt.get(e.index);
    if (prior === undefined) this.appliedAt.set(e.index, fingerprint);
    else if (prior !== fingerprint) {
      this.fail(
        `state machine safety: n${node.id} applied ${fingerprint} at index ${e.index}, another replica ${prior}`,
      );
    }
    if (e.zxid <= node.lastZxid)
      this.fail(`n${node.id} zxid ${formatZxid(e.zxid)} after ${formatZxid(node.lastZxid)}`);
    if (e.index !== node.kv.index + 1)
      this.fail(`n${node.id} applied index ${e.index} after ${node.kv.index}`);
    node.lastZxid = e.zxid;
    if (e.type !== EntryType.Normal || e.data.length === 0) {
      node.kv.index = e.index;
      return;
    }
    const cmd = decodeCommand(e.data);
    const result = node.kv.apply(e.index, cmd);
    const client = node.pendingWrites.get(cmd.id);
    if (client !== undefined) {
      node.pendingWrites.delete(cmd.id);
      this.replyClient(node.id, client, cmd.id, { kind: "ok", output: result });
    }
  }

  private serveReads(node: SimNode): void {
    const ready = node.readWaits.filter((w) => w.index <= node.kv.index);
    if (ready.length === 0) return;
    node.readWaits = node.readWaits.filter((w) => w.index > node.kv.index);
    for (const w of ready) {
      this.replyClient(node.id, w.client, w.opId, { kind: "ok", output: node.kv.values.get(w.key) ?? null });
    }
  }

  private afterAdvance(node: SimNode): void {
    const raw = node.raw!;
    const s = raw.status();
    if (s.applied !== node.kv.index)
      this.fail(`n${node.id} core applied ${s.applied} but state machine at ${node.kv.index}`);
    const every = this.params.snapshotEvery;
    if (every > 0 && s.applied - s.snapshotIndex >= every) {
      const snap = raw.compact(node.kv.encode());
      node.disk.saveSnapshot(snap);
      this.stats.snapshotsTaken++;
      this.log(`n${node.id} SNAPSHOT at ${snap.meta.index}`);
    }
  }

  // ---- network ----

  private send(messages: Message[]): void {
    for (const m of messages) this.transmit(m);
  }

  private latency(): number {
    return this.net.range(this.params.latencyMinMs, this.params.latencyMaxMs);
  }

  private transmit(m: Message): void {
    this.stats.messages++;
    if (this.blocked.has(`${m.from}>${m.to}`)) {
      this.stats.dropped++;
      return;
    }
    if (this.faultsOn && this.params.dropProb > 0 && this.net.chance(this.params.dropProb)) {
      this.stats.dropped++;
      return;
    }
    const copies = this.faultsOn && this.params.dupProb > 0 && this.net.chance(this.params.dupProb) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let k = 0; k < copies; k++) {
      this.at(this.latency(), () => {
        const target = this.nodes.get(m.to);
        if (target?.raw == null) return;
        // A partition that starts while a message is in flight also cuts it.
        if (this.blocked.has(`${m.from}>${m.to}`)) return;
        target.raw.step(m);
        this.kick(target);
      });
    }
  }

  // ---- clients ----

  private clientIssue(client: SimClient): void {
    if (!this.clientsOn || client.op !== null) return;
    const key = `k${this.clientRng.int(this.params.keys)}`;
    const opId = this.nextOpId++;
    const roll = this.clientRng.float();
    let input: RegisterInput;
    if (roll < 0.4) input = { kind: "read", key };
    else if (roll < 0.75) input = { kind: "write", key, value: `v${opId}` };
    else
      input = {
        kind: "cas",
        key,
        expect: client.lastSeen.get(key) ?? `v${this.clientRng.range(1, opId)}`,
        value: `v${opId}`,
      };
    const op: PendingOp = { opId, input, call: this.now };
    client.op = op;
    const target = client.target;
    this.at(this.latency(), () => this.serverReceive(target, client.id, op));
    this.at(CLIENT_TIMEOUT_MS, () => {
      if (client.op?.opId !== opId) return;
      client.op = null;
      if (input.kind === "read") this.stats.opsFailed++;
      else {
        this.stats.opsIndeterminate++;
        this.history.push({ input, output: undefined, call: op.call, ret: Number.POSITIVE_INFINITY });
      }
      client.target = this.clientRng.pick([...this.nodes.keys()]);
      this.at(this.clientRng.range(1, 20), () => this.clientIssue(client));
    });
  }

  private serverReceive(id: NodeId, clientId: number, op: PendingOp): void {
    const node = this.nodes.get(id)!;
    const raw = node.raw;
    if (raw === null) return;
    if (op.input.kind === "read") {
      const context = ++node.nextContext;
      if (raw.readIndex(context))
        node.pendingReads.set(context, { opId: op.opId, client: clientId, key: op.input.key });
      else this.replyClient(id, clientId, op.opId, { kind: "redirect", hint: raw.status().lead });
    } else {
      const cmd: Command = { id: op.opId, ...op.input };
      const r = raw.propose(encodeCommand(cmd));
      if (r.ok) node.pendingWrites.set(op.opId, clientId);
      else if (r.reason === "epoch-exhausted") {
        this.stats.epochRollovers++;
        this.log(`n${id} EPOCH EXHAUSTED: forcing a new epoch`);
      }
      if (!r.ok) this.replyClient(id, clientId, op.opId, { kind: "redirect", hint: raw.status().lead });
    }
    this.kick(node);
  }

  private replyClient(from: NodeId, clientId: number, opId: number, reply: ClientReply): void {
    this.at(this.latency(), () => {
      const client = this.clients[clientId - 1]!;
      const op = client.op;
      if (op === null || op.opId !== opId) return;
      client.op = null;
      if (reply.kind === "redirect") {
        // Not proposed (or no read started): the operation certainly did not happen.
        this.stats.opsFailed++;
        client.target = reply.hint !== 0 ? reply.hint : this.clientRng.pick([...this.nodes.keys()]);
      } else {
        this.stats.opsOk++;
        this.history.push({ input: op.input, output: reply.output, call: op.call, ret: this.now });
        const i = op.input;
        if (i.kind === "read" && typeof reply.output === "string") client.lastSeen.set(i.key, reply.output);
        if (i.kind !== "read" && reply.output === true) client.lastSeen.set(i.key, i.value);
        this.log(
          `client ${clientId} <- n${from} op ${opId} ${JSON.stringify(i)} = ${JSON.stringify(reply.output)}`,
        );
      }
      this.at(this.clientRng.range(1, 20), () => this.clientIssue(client));
    });
  }

  /** At the end of a run, writes still awaiting an answer are indeterminate: they may have happened. */
  closeHistory(): void {
    for (const client of this.clients) {
      const op = client.op;
      if (op === null) continue;
      client.op = null;
      if (op.input.kind === "read") continue;
      this.stats.opsIndeterminate++;
      this.history.push({ input: op.input, output: undefined, call: op.call, ret: Number.POSITIVE_INFINITY });
    }
  }

  /** Resume clients that were parked while `clientsOn` was false. */
  wakeClients(): void {
    for (const client of this.clients) if (client.op === null) this.at(0, () => this.clientIssue(client));
  }

  // ---- nemesis ----

  startNemesis(): void {
    const p = this.params;
    if (p.partitionGapMs > 0 && p.nodes > 1) this.at(this.expo(p.partitionGapMs), () => this.partitionStep());
    if (p.crashGapMs > 0) this.at(this.expo(p.crashGapMs), () => this.crashStep());
    if (p.membershipGapMs > 0) this.at(this.expo(p.membershipGapMs), () => this.membershipStep());
  }

  /** One membership change through the leader: add a learner, promote it, or remove a voter. */
  private membershipStep(): void {
    if (!this.faultsOn) return;
    this.at(this.expo(this.params.membershipGapMs), () => this.membershipStep());
    const lead = this.leader();
    if (lead === null) return;
    const conf = this.nodes.get(lead)!.raw!.status().conf;
    const outside = [...this.nodes.keys()].filter(
      (id) => !conf.voters.includes(id) && !conf.learners.includes(id),
    );
    let change: ConfChange;
    if (outside.length > 0 && this.faultRng.chance(0.6)) {
      change = { type: ConfChangeType.AddLearner, node: this.faultRng.pick(outside) };
    } else if (conf.learners.length > 0) {
      change = { type: ConfChangeType.AddVoter, node: this.faultRng.pick(conf.learners) };
    } else if (conf.voters.length >= 2) {
      change = { type: ConfChangeType.Remove, node: this.faultRng.pick(conf.voters) };
    } else {
      return;
    }
    this.proposeConfChange(change);
  }

  /** Propose a membership change through the current leader (scenarios). */
  proposeConfChange(change: ConfChange): boolean {
    const lead = this.leader();
    if (lead === null) return false;
    const r = this.nodes.get(lead)!.raw!.proposeConfChange(change);
    this.log(`n${lead} CONF CHANGE ${JSON.stringify(change)}: ${r.ok ? `proposed at ${r.index}` : r.reason}`);
    if (r.ok) this.stats.confChanges++;
    this.kick(this.nodes.get(lead)!);
    return r.ok;
  }

  /** The replicas the current leader counts as members; only they must converge. */
  members(): NodeId[] {
    const lead = this.leader();
    if (lead === null) return [...this.nodes.keys()];
    const conf = this.nodes.get(lead)!.raw!.status().conf;
    return [...conf.voters, ...conf.learners];
  }

  private expo(mean: number): number {
    return Math.max(1, Math.round(-mean * Math.log(1 - this.faultRng.float())));
  }

  private partitionStep(): void {
    if (!this.faultsOn) return;
    const shape = this.faultRng.pick(this.params.shapes);
    const { blocked, label } = partitionLinks(shape, [...this.nodes.keys()], this.faultRng);
    this.blocked = blocked;
    this.stats.partitions++;
    this.log(`PARTITION ${label}`);
    this.at(this.expo(this.params.partitionLenMs), () => {
      if (!this.faultsOn) return;
      this.blocked = new Set();
      this.log("HEAL partition");
      this.at(this.expo(this.params.partitionGapMs), () => this.partitionStep());
    });
  }

  private crashStep(): void {
    if (!this.faultsOn) return;
    const id = this.faultRng.pick([...this.nodes.keys()]);
    this.crash(id);
    this.at(this.expo(this.params.downMs), () => {
      if (this.faultsOn) this.restart(id);
    });
    this.at(this.expo(this.params.crashGapMs), () => this.crashStep());
  }

  /** End the safety phase: heal the network, restart every replica, stop injecting faults. */
  healAll(): void {
    this.faultsOn = false;
    this.blocked = new Set();
    this.log("HEAL ALL: faults off, every replica restarted");
    for (const id of this.nodes.keys()) this.restart(id);
  }

  // ---- observation ----

  leader(): NodeId | null {
    let best: { id: NodeId; term: number } | null = null;
    for (const node of this.nodes.values()) {
      const s = node.raw?.status();
      if (s?.role === "leader" && (best === null || s.term > best.term)) best = { id: node.id, term: s.term };
    }
    return best?.id ?? null;
  }

  /** Every replica up, at the leader's commit index, with the same state digest. */
  converged(): boolean {
    const lead = this.leader();
    if (lead === null) return false;
    const ls = this.nodes.get(lead)!.raw!.status();
    if (ls.commit !== ls.lastIndex) return false;
    const digest = this.nodes.get(lead)!.kv.digest();
    for (const id of this.members()) {
      const node = this.nodes.get(id)!;
      if (node.raw === null || node.busy) return false;
      if (node.kv.index !== ls.commit || node.kv.digest() !== digest) return false;
    }
    return true;
  }

  nodeSummary(): string {
    return [...this.nodes.values()]
      .map((n) => {
        if (n.raw === null) return `n${n.id}: down`;
        const s = n.raw.status();
        return `n${n.id}: ${s.role} term=${s.term} commit=${s.commit} applied=${n.kv.index} last=${s.lastIndex} digest=${n.kv.digest()}`;
      })
      .join("\n");
  }
}

function fnv(data: Uint8Array): string {
  let h = 0x811c9dc5;
  for (const byte of data) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16);
}
