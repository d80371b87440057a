// Which of a pair's two connections carries what. ZooKeeper gives each server two ports
// (server.N=host:quorumPort:electionPort); Paddock uses the election port for the small messages
// that decide leadership and liveness, so that an append backlog or a snapshot stream on the quorum
// port can never hold a heartbeat or a vote behind it.

import { MessageType } from "../../consensus/types.js";

export const Channel = { Quorum: 1, Election: 2 } as const;
export type Channel = (typeof Channel)[keyof typeof Channel];

export const channelName: Record<Channel, string> = { 1: "quorum", 2: "election" };

export const CHANNELS: readonly Channel[] = [Channel.Quorum, Channel.Election];

/** Appends and snapshots are bulk; everything else is a small control message. */
export function channelFor(type: MessageType): Channel {
  return type === MessageType.App || type === MessageType.AppResp || type === MessageType.Snap
    ? Channel.Quorum
    : Channel.Election;
}
