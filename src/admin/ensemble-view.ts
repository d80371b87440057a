// What the admin server, /metrics and the console need to know about the ensemble, as one small
// interface the ensemble driver implements once replication is wired. Until then the server runs
// standalone and StandaloneEnsembleView answers as a standalone ZooKeeper does: no leader, no
// voters, no learners, `server_state` "standalone".

/** One member as the current configuration lists it (ZooKeeper's QuorumServer). */
export interface EnsembleMember {
  readonly id: number;
  /** host:port of the quorum (replication) port, one per address the member has. */
  readonly serverAddresses: readonly string[];
  readonly electionAddresses: readonly string[];
  /** host:port clients connect to, "" when the config names none. */
  readonly clientAddress: string;
  readonly learnerType: "participant" | "observer";
}

/** A follower or observer connected to this leader (ZooKeeper's LearnerHandler info). */
export interface LearnerInfo {
  readonly remoteSocketAddress: string;
  readonly sid: number;
  /** When the learner connected, epoch milliseconds. */
  readonly establishedMs: number;
  readonly queuedPackets: number;
  readonly queuedPacketsBytes: number;
  readonly packetsReceived: number;
  readonly packetsSent: number;
  readonly requests: number;
  readonly lastZxid: bigint;
}

export type EnsembleRole = "standalone" | "leader" | "follower" | "observer" | "looking";

/** ZooKeeper's ZabState names, for zabstate and the console. */
export type ZabPhase = "election" | "discovery" | "synchronization" | "broadcast";

export interface EnsembleView {
  /** monitor's `server_state`. */
  readonly role: EnsembleRole;
  /** True when this server is a member of a replicated ensemble (QuorumZooKeeperServer). */
  readonly inQuorum: boolean;
  readonly myId: number;
  /** The current leader's id, or -1 while there is none. */
  readonly leaderId: number;
  /** The leader's quorum address (host:port), "" while there is none. */
  readonly leaderAddress: string;
  /** mntr's `peer_state`, e.g. "following - broadcast"; "" standalone. */
  readonly peerState: string;
  readonly zabPhase: ZabPhase | undefined;
  /** Voting members and observers of the configuration in force. */
  readonly members: readonly EnsembleMember[];
  /** On the leader: followers and observers connected to it. */
  readonly learners: readonly LearnerInfo[];
  /** On the leader: voting followers in sync (synced_followers). */
  readonly syncedFollowers: number;
  /** Observers in sync with this leader or follower. */
  readonly syncedObservers: readonly LearnerInfo[];
  /** The version of the configuration in force (ZooKeeper's dynamic-config version), -1 standalone. */
  readonly configVersion: bigint;
  /** orst: resets the learners' packet counters. */
  resetObserverStats(): void;
}

export class StandaloneEnsembleView implements EnsembleView {
  readonly role = "standalone";
  readonly inQuorum = false;
  readonly leaderId = -1;
  readonly leaderAddress = "";
  readonly peerState = "";
  readonly zabPhase = undefined;
  readonly members: readonly EnsembleMember[] = [];
  readonly learners: readonly LearnerInfo[] = [];
  readonly syncedFollowers = 0;
  readonly syncedObservers: readonly LearnerInfo[] = [];
  readonly configVersion = -1n;

  constructor(readonly myId: number) {}

  resetObserverStats(): void {
    // A standalone server has no observers, so there is nothing to reset.
  }
}
