// Throws random and mutated frames at a running `paddock server` process over TCP: garbage before
// the handshake, valid sessions followed by requests with flipped bytes, truncated and oversized
// frames, unknown opcodes. The server must neither crash nor stop serving: afterwards a
// well-behaved client still gets a session and correct answers. Bounded in cases and time; seeded.

import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { writeConnectRequest } from "../../src/protocol/connect.js";
import { OpCode } from "../../src/protocol/constants.js";
import { frame } from "../../src/protocol/framing.js";
import { JuteWriter } from "../../src/protocol/jute.js";
import { encodeRequestBody, type Request, writeRequestHeader } from "../../src/protocol/requests.js";
import { fourLetterWord } from "../support/four-letter-word.js";
import { startPaddock } from "../support/paddock.js";
import type { Target } from "../support/targets.js";
import { OPEN_ACL } from "./harness.js";

const SEED = Number(process.env.PADDOCK_FUZZ_SEED ?? 20261125);
const CASES = 400;
const CASE_TIMEOUT_MS = 2000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    // xorshift32: deterministic, good enough to pick bytes and positions.
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function connectFrame(): Buffer {
  const w = new JuteWriter();
  writeConnectRequest(w, {
    protocolVersion: 0,
    lastZxidSeen: 0n,
    timeOut: 4000,
    sessionId: 0n,
    passwd: Buffer.alloc(16),
    readOnly: false,
  });
  return frame(w.finish());
}

function requestFrame(xid: number, req: Request): Buffer {
  const w = new JuteWriter();
  writeRequestHeader(w, { xid, type: req.type });
  encodeRequestBody(w, req);
  return frame(w.finish());
}

const SAMPLES: Request[] = [
  { type: OpCode.create, path: "/fuzz", data: Buffer.from("x"), acl: OPEN_ACL, flags: 0 },
  { type: OpCode.create, path: "/fuzz/e", data: null, acl: OPEN_ACL, flags: 3 },
  { type: OpCode.getData, path: "/fuzz", watch: true },
  { type: OpCode.setData, path: "/fuzz", data: Buffer.from("y"), version: -1 },
  { type: OpCode.getChildren2, path: "/", watch: true },
  { type: OpCode.delete, path: "/fuzz/e", version: -1 },
  {
    type: OpCode.multi,
    ops: [
      { type: OpCode.create, path: "/m", data: null, acl: OPEN_ACL, flags: 0 },
      { type: OpCode.delete, path: "/m", version: 0 },
    ],
  },
  {
    type: OpCode.setWatches,
    relativeZxid: 0n,
    dataWatches: ["/a"],
    existWatches: ["/b"],
    childWatches: ["/"],
  },
  { type: OpCode.addWatch, path: "/", mode: 1 },
  { type: OpCode.getACL, path: "/" },
];

/** Sends bytes on a fresh connection and waits until the server closes it or a bound passes. */
function throwBytes(target: Target, bytes: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => socket.destroy(), CASE_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    socket.on("error", () => undefined);
    socket.on("close", done);
    socket.on("data", () => undefined);
    socket.on("connect", () => {
      for (const b of bytes) socket.write(b);
      socket.end();
    });
  });
}

describe("a running server under random and mutated frames", () => {
  let target: Target;
  before(async () => {
    target = await startPaddock({ extraConfig: { "4lw.commands.whitelist": "ruok,srvr" } });
  });
  after(async () => {
    await target?.stop();
  });

  test(`server survives ${CASES} hostile connections (seed ${SEED}) and still serves a good client`, async () => {
    const next = rng(SEED);
    const pending: Promise<void>[] = [];
    for (let i = 0; i < CASES; i++) {
      const kind = next() % 6;
      const sample = SAMPLES[next() % SAMPLES.length]!;
      let bytes: Buffer[];
      if (kind === 0) {
        bytes = [Buffer.from(Array.from({ length: next() % 64 }, () => next() & 0xff))];
      } else if (kind === 1) {
        // A well-formed request frame mutated at a few random bytes after a valid handshake.
        const req = Buffer.from(requestFrame(1, sample));
        for (let flips = 1 + (next() % 3); flips > 0; flips--)
          req[4 + (next() % (req.length - 4))] = next() & 0xff;
        bytes = [connectFrame(), req];
      } else if (kind === 2) {
        const req = requestFrame(1, sample);
        bytes = [connectFrame(), req.subarray(0, next() % req.length)];
      } else if (kind === 3) {
        const oversized = Buffer.alloc(4);
        oversized.writeInt32BE(0x100000 + (next() % 1000));
        bytes = [connectFrame(), oversized, Buffer.alloc(64)];
      } else if (kind === 4) {
        bytes = [requestFrame(1, sample)];
      } else {
        const unknown = Buffer.alloc(12);
        unknown.writeInt32BE(8);
        unknown.writeInt32BE(5, 4);
        unknown.writeInt32BE((next() % 400) - 200, 8);
        bytes = [connectFrame(), unknown, requestFrame(2, sample)];
      }
      pending.push(throwBytes(target, bytes));
      // Bound concurrency so the test's own sockets stay well inside maxClientCnxns.
      if (pending.length >= 16) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    assert.equal(await fourLetterWord(target.port, "ruok"), "imok");
    const srvr = await fourLetterWord(target.port, "srvr");
    assert.match(srvr, /Mode: standalone/);

    // A well-behaved raw client: handshake, create, read back.
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const socket = connect({ host: target.host, port: target.port });
      const chunks: Buffer[] = [];
      const timer = setTimeout(() => reject(new Error("no reply from the server")), 10_000);
      socket.on("error", reject);
      socket.on("data", (chunk) => {
        chunks.push(chunk);
        const all = Buffer.concat(chunks);
        // ConnectResponse (41 bytes) + create reply + getData reply
        if (all.length >= 41 + 4 + 16) {
          const createLength = all.readInt32BE(41);
          const getStart = 41 + 4 + createLength;
          if (all.length >= getStart + 4 && all.length >= getStart + 4 + all.readInt32BE(getStart)) {
            clearTimeout(timer);
            socket.destroy();
            resolve(all.subarray(getStart + 4));
          }
        }
      });
      socket.on("connect", () => {
        socket.write(connectFrame());
        socket.write(
          requestFrame(1, {
            type: OpCode.create,
            path: "/after-fuzz",
            data: Buffer.from("ok"),
            acl: OPEN_ACL,
            flags: 1,
          }),
        );
        socket.write(requestFrame(2, { type: OpCode.getData, path: "/after-fuzz", watch: false }));
      });
    });
    assert.equal(reply.readInt32BE(0), 2, "xid of the getData reply");
    assert.equal(reply.readInt32BE(12), 0, "getData succeeded");
    assert.equal(reply.subarray(20, 22).toString(), "ok");
  });
});
