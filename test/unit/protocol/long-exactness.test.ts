// zxids, session ids, times and TTLs are 64-bit; a double would silently round anything above 2^53.
// These tests push boundary longs through every record that carries one and compare with bytes
// computed independently of Buffer's bigint methods.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { readConnectRequest, writeConnectRequest } from "../../../src/protocol/connect.js";
import {
  CONTAINER_EPHEMERAL_OWNER,
  OpCode,
  TTL_EPHEMERAL_OWNER_PREFIX,
} from "../../../src/protocol/constants.js";
import { readStat, type Stat, writeStat } from "../../../src/protocol/data.js";
import { JuteReader, JuteWriter } from "../../../src/protocol/jute.js";
import { decodeRequestBody, encodeRequestBody, type Request } from "../../../src/protocol/requests.js";
import { readReplyHeader, writeReplyHeader } from "../../../src/protocol/responses.js";

const BOUNDARY_LONGS: readonly bigint[] = [
  0n,
  1n,
  -1n,
  0x7fffffffffffffffn,
  -0x8000000000000000n,
  2n ** 53n,
  2n ** 53n + 1n,
  -(2n ** 53n) - 1n,
  2n ** 32n,
  2n ** 31n,
  -(2n ** 31n) - 1n,
  0x0100000addf80000n,
  -0x00ffffffffffff01n,
];

/** Big-endian two's complement, by arithmetic rather than Buffer.writeBigInt64BE. */
function longHex(v: bigint): string {
  return ((v + (1n << 64n)) % (1n << 64n)).toString(16).padStart(16, "0");
}

function encode<T>(write: (w: JuteWriter, v: T) => void, value: T): Buffer {
  const w = new JuteWriter();
  write(w, value);
  return Buffer.from(w.finish());
}

describe("64-bit fields survive exactly", () => {
  for (const v of BOUNDARY_LONGS) {
    test(`${v} keeps every bit as a ReplyHeader zxid`, () => {
      const bytes = encode(writeReplyHeader, { xid: 1, zxid: v, err: 0 });
      assert.equal(bytes.toString("hex"), `00000001${longHex(v)}00000000`);
      const decoded = readReplyHeader(new JuteReader(bytes));
      assert.equal(typeof decoded.zxid, "bigint");
      assert.equal(decoded.zxid, v);
    });

    test(`${v} keeps every bit in each long field of a Stat`, () => {
      const stat: Stat = {
        czxid: v,
        mzxid: ~v, // the bitwise complement, so a swapped pair of fields would show
        ctime: v,
        mtime: v,
        version: 0,
        cversion: 0,
        aversion: 0,
        ephemeralOwner: v,
        dataLength: 0,
        numChildren: 0,
        pzxid: v,
      };
      const bytes = encode(writeStat, stat);
      assert.equal(bytes.subarray(0, 8).toString("hex"), longHex(v));
      assert.equal(bytes.subarray(44, 52).toString("hex"), longHex(v));
      assert.deepStrictEqual(readStat(new JuteReader(bytes)), stat);
    });

    test(`${v} keeps every bit as ConnectRequest lastZxidSeen and sessionId`, () => {
      const req = {
        protocolVersion: 0,
        lastZxidSeen: v,
        timeOut: 30000,
        sessionId: v,
        passwd: Buffer.alloc(16),
        readOnly: false,
      };
      assert.deepStrictEqual(readConnectRequest(new JuteReader(encode(writeConnectRequest, req))), req);
    });

    test(`${v} keeps every bit as a createTTL ttl, setWatches relativeZxid and reconfig curConfigId`, () => {
      const requests: Request[] = [
        { type: OpCode.createTTL, path: "/t", data: null, acl: [], flags: 5, ttl: v },
        { type: OpCode.setWatches, relativeZxid: v, dataWatches: [], existWatches: [], childWatches: [] },
        {
          type: OpCode.reconfig,
          joiningServers: null,
          leavingServers: null,
          newMembers: null,
          curConfigId: v,
        },
      ];
      for (const req of requests) {
        const bytes = encode(encodeRequestBody, req);
        assert.ok(bytes.toString("hex").includes(longHex(v)));
        assert.deepStrictEqual(decodeRequestBody(req.type, new JuteReader(bytes)), req);
      }
    });
  }

  test("unsigned spellings of the container and TTL owner markers are written as their signed bytes", () => {
    // The constants are written as positive bigints but a long read back is signed, so code that
    // compares a decoded ephemeralOwner with them must normalise with BigInt.asIntN(64, ...).
    const w = new JuteWriter();
    w.writeLong(CONTAINER_EPHEMERAL_OWNER).writeLong(TTL_EPHEMERAL_OWNER_PREFIX | 1000n);
    const bytes = w.finish();
    assert.equal(bytes.toString("hex"), "8000000000000000ff000000000003e8");
    const r = new JuteReader(bytes);
    assert.equal(r.readLong(), BigInt.asIntN(64, CONTAINER_EPHEMERAL_OWNER));
    assert.equal(r.readLong(), BigInt.asIntN(64, TTL_EPHEMERAL_OWNER_PREFIX | 1000n));
  });
});
