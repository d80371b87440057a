// WatcherEvent, the body of a notification frame (ReplyHeader with xid -1). The server always sends
// state SyncConnected; the other keeper states are produced by client libraries themselves.

import type { JuteReader, JuteWriter } from "./jute.js";

export interface WatcherEvent {
  readonly type: number;
  readonly state: number;
  readonly path: string;
}

export function readWatcherEvent(r: JuteReader): WatcherEvent {
  return { type: r.readInt(), state: r.readInt(), path: r.readStringOrEmpty() };
}

export function writeWatcherEvent(w: JuteWriter, v: WatcherEvent): void {
  w.writeInt(v.type).writeInt(v.state).writeString(v.path);
}
