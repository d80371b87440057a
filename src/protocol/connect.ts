// The session handshake records. ConnectRequest and ConnectResponse end with an optional readOnly
// byte: clients from before 3.4 omit it, and the server must answer in the same form it was asked
// (the C client reads a fixed-size reply), so `readOnly` is undefined when the byte is absent.

import type { JuteReader, JuteWriter } from "./jute.js";

export interface ConnectRequest {
  readonly protocolVersion: number;
  readonly lastZxidSeen: bigint;
  readonly timeOut: number;
  readonly sessionId: bigint;
  readonly passwd: Buffer;
  /** Undefined when the client sent the 44-byte form without the trailing readOnly byte. */
  readonly readOnly: boolean | undefined;
}

export interface ConnectResponse {
  readonly protocolVersion: number;
  readonly timeOut: number;
  readonly sessionId: bigint;
  readonly passwd: Buffer;
  /** Written only when defined: echo the request's form. */
  readonly readOnly: boolean | undefined;
}

export const SESSION_PASSWORD_BYTES = 16;

export function readConnectRequest(r: JuteReader): ConnectRequest {
  const protocolVersion = r.readInt();
  const lastZxidSeen = r.readLong();
  const timeOut = r.readInt();
  const sessionId = r.readLong();
  const passwd = r.readBuffer() ?? Buffer.alloc(0);
  // ZooKeeper tries to read one more boolean and treats end-of-frame as an old client.
  const readOnly = r.remaining > 0 ? r.readBool() : undefined;
  return { protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly };
}

export function writeConnectRequest(w: JuteWriter, v: ConnectRequest): void {
  w.writeInt(v.protocolVersion).writeLong(v.lastZxidSeen).writeInt(v.timeOut).writeLong(v.sessionId);
  w.writeBuffer(v.passwd);
  if (v.readOnly !== undefined) w.writeBool(v.readOnly);
}

export function readConnectResponse(r: JuteReader): ConnectResponse {
  const protocolVersion = r.readInt();
  const timeOut = r.readInt();
  const sessionId = r.readLong();
  const passwd = r.readBuffer() ?? Buffer.alloc(0);
  const readOnly = r.remaining > 0 ? r.readBool() : undefined;
  return { protocolVersion, timeOut, sessionId, passwd, readOnly };
}

export function writeConnectResponse(w: JuteWriter, v: ConnectResponse): void {
  w.writeInt(v.protocolVersion).writeInt(v.timeOut).writeLong(v.sessionId).writeBuffer(v.passwd);
  if (v.readOnly !== undefined) w.writeBool(v.readOnly);
}
