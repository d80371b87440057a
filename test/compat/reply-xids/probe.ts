// Sends one request with a chosen xid on a fresh session, raw over TCP, and records every frame the
// server writes back until a barrier request's reply, the server closing the socket, or a time
// bound. Nothing is matched by xid or parsed past the reply header, because which xid comes back
// is exactly what is being measured: a client can only recognise its reply by that number. The
// barrier goes out only once the first frame is in: a server that answers and then closes may or
// may not answer a barrier that was already on its way, which would make the record a race.

import { connect, type Socket } from "node:net";
import { JUTE_MAX_BUFFER_DEFAULT, OpCode } from "../../../src/protocol/constants.js";
import { FrameDecoder, frame } from "../../../src/protocol/framing.js";
import { JuteReader, JuteWriter } from "../../../src/protocol/jute.js";
import { readReplyHeader } from "../../../src/protocol/responses.js";

/** The xid of the barrier (an exists of "/") sent once the probed request's first frame is in. */
export const BARRIER_XID = 4242;

/**
 * What came back: the ConnectResponse's length (36 without the readOnly byte, 37 with it), [xid,
 * err] of each frame before the barrier's reply, and how the exchange ended: with the barrier's
 * reply, the server closing the socket, or nothing at all within the bound.
 */
export interface ProbeAnswer {
  readonly connect: number;
  readonly frames: readonly (readonly [number, number])[];
  readonly end: "barrier" | "closed" | "timeout";
}

/** How the client opens the session: the habits clients differ in. */
export interface Handshake {
  /** The password field: 16 zero bytes (Java, Go), empty, or null. */
  readonly passwd: Buffer | null;
  /** The trailing readOnly byte; undefined for the 44-byte form of old clients and go-zookeeper. */
  readonly readOnly: boolean | undefined;
  /** Send the request right behind the ConnectRequest, before its answer, as the Java client does. */
  readonly pipelined: boolean;
  /** Write everything one byte at a time. */
  readonly byteByByte: boolean;
}

export const JAVA_HANDSHAKE: Handshake = {
  passwd: Buffer.alloc(16),
  readOnly: false,
  pipelined: false,
  byteByByte: false,
};

/** Writes `bytes` one at a time, each after the previous one has been handed to the kernel. */
async function trickle(socket: Socket, bytes: Buffer): Promise<void> {
  for (let i = 0; i < bytes.length && !socket.destroyed; i++) {
    await new Promise<void>((resolve) => socket.write(bytes.subarray(i, i + 1), () => resolve()));
  }
}

function requestBytes(xid: number, type: number, body: Buffer): Buffer {
  const w = new JuteWriter();
  w.writeInt(xid).writeInt(type);
  return frame(Buffer.concat([w.finish(), body]));
}

function barrierBytes(): Buffer {
  const w = new JuteWriter();
  w.writeString("/").writeBool(false);
  return requestBytes(BARRIER_XID, OpCode.exists, w.finish());
}

/**
 * Opens a session the `handshake` way, sends `type` with `xid` and the encoded `body`, then the
 * barrier after the first frame. The session is closed afterwards with a closeSession when the
 * server left it open.
 */
export function probe(
  port: number,
  xid: number,
  type: number,
  body: Buffer,
  timeoutMs: number,
  handshake: Handshake = JAVA_HANDSHAKE,
): Promise<ProbeAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.setNoDelay(true);
    const decoder = new FrameDecoder(JUTE_MAX_BUFFER_DEFAULT);
    const frames: [number, number][] = [];
    const request = requestBytes(xid, type, body);
    const send = (bytes: Buffer): void => {
      if (handshake.byteByByte) void trickle(socket, bytes);
      else socket.write(bytes);
    };
    let connectBytes = 0;
    let connected = false;
    let settled = false;
    const finish = (end: ProbeAnswer["end"]): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (end === "barrier") {
        // A polite goodbye, so the session does not linger until it expires; its reply is not needed.
        socket.end(requestBytes(1, OpCode.closeSession, Buffer.alloc(0)));
      } else socket.destroy();
      resolve({ connect: connectBytes, frames, end });
    };
    const timer = setTimeout(() => {
      if (!connected) {
        settled = true;
        socket.destroy();
        reject(new Error(`no ConnectResponse within ${timeoutMs} ms on port ${port}`));
      } else finish("timeout");
    }, timeoutMs);
    socket.on("error", (error) => {
      if (!connected && !settled) {
        settled = true;
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.on("close", () => {
      if (!connected && !settled) {
        settled = true;
        clearTimeout(timer);
        reject(new Error(`connection closed before the ConnectResponse on port ${port}`));
      } else finish("closed");
    });
    socket.on("data", (chunk: Buffer) => {
      decoder.push(chunk, (payload) => {
        if (settled) return;
        if (!connected) {
          connected = true;
          connectBytes = payload.length;
          if (!handshake.pipelined) send(request);
          return;
        }
        const header = readReplyHeader(new JuteReader(Buffer.from(payload)));
        // No probe uses the barrier's xid, so a frame carrying it is the barrier's reply.
        if (header.xid === BARRIER_XID) {
          finish("barrier");
          return;
        }
        frames.push([header.xid, header.err]);
        if (frames.length === 1) socket.write(barrierBytes());
      });
    });
    socket.on("connect", () => {
      // Written field by field: ConnectRequest's type has no null password, which a client may send.
      const w = new JuteWriter();
      w.writeInt(0).writeLong(0n).writeInt(10_000).writeLong(0n).writeBuffer(handshake.passwd);
      if (handshake.readOnly !== undefined) w.writeBool(handshake.readOnly);
      const connectFrame = frame(w.finish());
      send(handshake.pipelined ? Buffer.concat([connectFrame, request]) : connectFrame);
    });
  });
}
