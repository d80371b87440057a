// Builds reply frames: ReplyHeader plus, on success, the response record; notifications; the
// handshake answers. Error replies carry the 16-byte header only, as ZooKeeper sends them.

import { type ConnectResponse, SESSION_PASSWORD_BYTES, writeConnectResponse } from "../protocol/connect.js";
import { Xid } from "../protocol/constants.js";
import { writeWatcherEvent } from "../protocol/events.js";
import { JuteWriter } from "../protocol/jute.js";
import { encodeResponseBody, type Response, writeReplyHeader } from "../protocol/responses.js";

const KEEPER_STATE_SYNC_CONNECTED = 3;

function framed(build: (w: JuteWriter) => void, sizeHint = 128): Buffer {
  const w = new JuteWriter(sizeHint);
  w.writeInt(0);
  build(w);
  w.patchInt(0, w.length - 4);
  return w.finish();
}

/** A reply; the body is written only on success unless `bodyOnError` (SASL failures carry one). */
export function replyFrame(
  xid: number,
  zxid: bigint,
  err: number,
  body?: Response,
  bodyOnError = false,
): Buffer {
  return framed((w) => {
    writeReplyHeader(w, { xid, zxid, err });
    if ((err === 0 || bodyOnError) && body !== undefined) encodeResponseBody(w, body);
  });
}

export function notificationFrame(zxid: bigint, type: number, path: string): Buffer {
  return framed((w) => {
    writeReplyHeader(w, { xid: Xid.NOTIFICATION, zxid, err: 0 });
    writeWatcherEvent(w, { type, state: KEEPER_STATE_SYNC_CONNECTED, path });
  });
}

export function connectResponseFrame(v: ConnectResponse): Buffer {
  return framed((w) => writeConnectResponse(w, v), 64);
}

/** The answer to a reconnect with a wrong password or a dead session: all zeros, then close. */
export function invalidSessionFrame(readOnly: boolean | undefined): Buffer {
  return connectResponseFrame({
    protocolVersion: 0,
    timeOut: 0,
    sessionId: 0n,
    passwd: Buffer.alloc(SESSION_PASSWORD_BYTES),
    readOnly: readOnly === undefined ? undefined : false,
  });
}
