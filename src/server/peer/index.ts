// The peer transport's public surface, for the ensemble driver: the transport, its options and
// events, and the channel names its events carry. The codec and framing stay internal.

export { Channel, channelFor, channelName } from "./channel.js";
export {
  defaultPeerLimits,
  type PeerAddress,
  type PeerClock,
  type PeerLimits,
  type PeerLogger,
  type PeerTransportEvents,
  type PeerTransportOptions,
} from "./options.js";
export { type ChannelStats, type PeerStats, PeerTransport } from "./transport.js";
