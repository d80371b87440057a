// The first frame each way on a peer connection. The dialer says who it is (server id), which
// ensemble it belongs to and which protocol version it speaks; the acceptor checks all three against
// its own configuration before the connection carries anything else, so a member of another ensemble
// or a server with a stale server list is refused with a reason both sides log.

import { Channel, channelName } from "./channel.js";
import { WireReader, WireWriter } from "./wire.js";

/** Bumped when a frame or record changes incompatibly. */
export const PROTOCOL_VERSION = 1;
export const PROTOCOL_VERSION_MIN = 1;

/** "PDKP": makes a connection from something that is not a Paddock peer fail on its first frame. */
const MAGIC = 0x50444b50;

export const ENSEMBLE_ID_BYTES_MAX = 256;
const REASON_BYTES_MAX = 1024;

export interface Hello {
  version: number;
  serverId: number;
  ensembleId: string;
  channel: Channel;
}

export interface HelloReply {
  version: number;
  serverId: number;
  /** Empty when accepted; otherwise why the acceptor refused. */
  refusal: string;
}

export function encodeHello(h: Hello): Uint8Array {
  const w = new WireWriter();
  w.u32(MAGIC);
  w.u16(h.version);
  w.varint(h.serverId);
  w.u8(h.channel);
  w.string(h.ensembleId);
  return w.finish();
}

/** The magic, version and sender id both handshake records start with. */
function readPrefix(r: WireReader): { version: number; serverId: number } {
  const magic = r.u32("magic");
  if (magic !== MAGIC) r.fail(`magic 0x${magic.toString(16)} is not a Paddock peer's`);
  return { version: r.u16("version"), serverId: r.varint("server id") };
}

export function decodeHello(bytes: Uint8Array): Hello {
  const r = new WireReader(bytes, "handshake");
  const { version, serverId } = readPrefix(r);
  const channel = r.u8("channel");
  if (channel !== Channel.Quorum && channel !== Channel.Election) r.fail(`unknown channel ${channel}`);
  const ensembleId = r.string("ensemble id", ENSEMBLE_ID_BYTES_MAX);
  r.end();
  return { version, serverId, ensembleId, channel: channel as Channel };
}

export function encodeHelloReply(h: HelloReply): Uint8Array {
  const w = new WireWriter();
  w.u32(MAGIC);
  w.u16(h.version);
  w.varint(h.serverId);
  w.string(h.refusal.slice(0, REASON_BYTES_MAX / 4));
  return w.finish();
}

export function decodeHelloReply(bytes: Uint8Array): HelloReply {
  const r = new WireReader(bytes, "handshake reply");
  const { version, serverId } = readPrefix(r);
  const refusal = r.string("refusal", REASON_BYTES_MAX);
  r.end();
  return { version, serverId, refusal };
}

export interface AcceptorView {
  selfId: number;
  ensembleId: string;
  isPeer(id: number): boolean;
  /** The channel of the port the connection arrived on. */
  channel: Channel;
}

/** Why the acceptor refuses this hello, or null to accept it. */
export function refusalOf(h: Hello, view: AcceptorView): string | null {
  if (h.version < PROTOCOL_VERSION_MIN || h.version > PROTOCOL_VERSION) {
    return `protocol version ${h.version} is not supported (server ${view.selfId} speaks ${PROTOCOL_VERSION_MIN}..${PROTOCOL_VERSION}); run the same Paddock version on every member`;
  }
  if (h.ensembleId !== view.ensembleId) {
    return `ensemble "${h.ensembleId}" is not this server's ensemble "${view.ensembleId}"; the dialer belongs to another ensemble or has a stale configuration`;
  }
  if (h.serverId === view.selfId) {
    return `server id ${h.serverId} is this server's own id; two servers share a myid`;
  }
  if (!view.isPeer(h.serverId)) {
    return `server id ${h.serverId} is not in server ${view.selfId}'s server list; check server.N lines on both`;
  }
  if (h.channel !== view.channel) {
    return `a ${channelName[h.channel]} connection arrived on the ${channelName[view.channel]} port; check the port order in server.${h.serverId}`;
  }
  return null;
}
