// The ensemble as a replicated member sees it, for the admin API, mntr and the console: its role
// and leader from the replica, the members from its configuration, and on the leader the learners
// from the consensus core's replication progress. A learner counts as synced while the leader
// streams it entries (Raft's replicate state), ZooKeeper's "forwarding" learners.

import type { ServerConfig } from "../server/config.js";
import type { Member } from "../server/member.js";
import type { EnsembleMember, EnsembleRole, EnsembleView, LearnerInfo, ZabPhase } from "./ensemble-view.js";

export class ReplicaEnsembleView implements EnsembleView {
  readonly inQuorum = true;
  readonly myId: number;
  readonly members: readonly EnsembleMember[];
  /** Reconfiguration is not built: the configuration in force is the one never committed, version 0. */
  readonly configVersion = 0n;
  private readonly config: ServerConfig;

  constructor(private readonly member: Member) {
    this.config = member.config;
    this.myId = member.config.serverId ?? 0;
    this.members = member.config.servers.map((s) => ({
      id: s.id,
      serverAddresses: [`${s.host}:${s.quorumPort}`],
      electionAddresses: [`${s.host}:${s.electionPort}`],
      clientAddress: s.clientPort === undefined ? "" : `${s.clientAddress ?? "0.0.0.0"}:${s.clientPort}`,
      learnerType: s.role,
    }));
  }

  get role(): EnsembleRole {
    const mode = this.member.service.mode;
    return this.member.replica.role.ready ? mode : "looking";
  }

  get leaderId(): number {
    return this.member.replica.role.leader === 0 ? -1 : this.member.replica.role.leader;
  }

  get leaderAddress(): string {
    const leader = this.config.servers.find((s) => s.id === this.member.replica.role.leader);
    return leader === undefined ? "" : `${leader.host}:${leader.quorumPort}`;
  }

  get peerState(): string {
    const role = this.role;
    if (role === "looking") return "looking";
    return `${role === "leader" ? "leading" : role === "observer" ? "observing" : "following"} - broadcast`;
  }

  get zabPhase(): ZabPhase {
    return this.member.replica.role.ready ? "broadcast" : "election";
  }

  get learners(): readonly LearnerInfo[] {
    return this.member.replica
      .progress()
      .filter((p) => p.id !== this.myId)
      .map((p) => this.learnerInfo(p.id));
  }

  get syncedFollowers(): number {
    const voters = new Set(this.config.servers.filter((s) => s.role === "participant").map((s) => s.id));
    return this.member.replica
      .progress()
      .filter((p) => p.id !== this.myId && voters.has(p.id) && p.state === "replicate").length;
  }

  get syncedObservers(): readonly LearnerInfo[] {
    const observers = new Set(this.config.servers.filter((s) => s.role === "observer").map((s) => s.id));
    return this.member.replica
      .progress()
      .filter((p) => observers.has(p.id) && p.state === "replicate")
      .map((p) => this.learnerInfo(p.id));
  }

  resetObserverStats(): void {
    // Per-learner packet counters are not kept yet (learnerInfo reports 0), so there is nothing to reset.
  }

  private learnerInfo(sid: number): LearnerInfo {
    const s = this.config.servers.find((m) => m.id === sid);
    return {
      remoteSocketAddress: s === undefined ? "" : `${s.host}:${s.quorumPort}`,
      sid,
      establishedMs: 0,
      queuedPackets: 0,
      queuedPacketsBytes: 0,
      packetsReceived: 0,
      packetsSent: 0,
      requests: 0,
      lastZxid: -1n,
    };
  }
}
