// The handshake records round-trip, refuse bytes that are not a Paddock peer's, and the acceptor's
// judgement refuses each kind of wrong dialer (other ensemble, unknown id, own id, wrong version,
// wrong port) with a reason that tells the operator what to fix. Backoff delays double to their cap
// with jitter inside [half, full], and a refusal waits the cap.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { Backoff } from "../../../../src/server/peer/backoff.js";
import { Channel } from "../../../../src/server/peer/channel.js";
import {
  decodeHello,
  decodeHelloReply,
  encodeHello,
  encodeHelloReply,
  type Hello,
  PROTOCOL_VERSION,
  refusalOf,
} from "../../../../src/server/peer/handshake.js";
import { PeerCodecError } from "../../../../src/server/peer/wire.js";
import { Prng } from "../../../sim/prng.js";

const view = {
  selfId: 1,
  ensembleId: "prod-a",
  channel: Channel.Quorum,
  isPeer: (id: number) => id === 2 || id === 3,
};
const good: Hello = { version: PROTOCOL_VERSION, serverId: 2, ensembleId: "prod-a", channel: Channel.Quorum };

describe("handshake", () => {
  test("hello and reply round-trip", () => {
    assert.deepStrictEqual(decodeHello(encodeHello(good)), good);
    const reply = { version: PROTOCOL_VERSION, serverId: 9, refusal: "no ✗" };
    assert.deepStrictEqual(decodeHelloReply(encodeHelloReply(reply)), reply);
  });

  test("random bytes are refused as a handshake with a codec error", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        for (const decode of [decodeHello, decodeHelloReply]) {
          try {
            decode(bytes);
          } catch (e) {
            assert.ok(e instanceof PeerCodecError, `${e}`);
          }
        }
      }),
      { numRuns: 1000 },
    );
    assert.throws(() => decodeHello(Buffer.from("GET / HTTP/1.1\r\n")), /is not a Paddock peer's/);
  });

  test("the acceptor accepts a configured peer of its ensemble and refuses every other dialer", () => {
    assert.equal(refusalOf(good, view), null);
    assert.match(
      refusalOf({ ...good, ensembleId: "prod-b" }, view)!,
      /ensemble "prod-b" is not this server's/,
    );
    assert.match(refusalOf({ ...good, serverId: 7 }, view)!, /server id 7 is not in server 1's server list/);
    assert.match(refusalOf({ ...good, serverId: 1 }, view)!, /this server's own id/);
    assert.match(refusalOf({ ...good, version: 99 }, view)!, /protocol version 99 is not supported/);
    assert.match(
      refusalOf({ ...good, channel: Channel.Election }, view)!,
      /election connection arrived on the quorum port/,
    );
  });
});

describe("backoff", () => {
  test("delays double from the base to the cap, jittered within [half, full], and reset starts over", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 100 }),
        fc.nat(),
        (base, factor, seed) => {
          const rng = new Prng(seed);
          const maxMs = base * factor;
          const b = new Backoff({ baseMs: base, maxMs }, rng);
          let nominal = base;
          for (let k = 0; k < 12; k++) {
            const d = b.next();
            const expected = Math.min(maxMs, nominal);
            assert.ok(
              d >= expected - Math.floor(expected / 2) && d <= expected,
              `${d} for nominal ${expected}`,
            );
            nominal *= 2;
          }
          const r = b.refused();
          assert.ok(r >= maxMs / 2 && r <= maxMs);
          b.reset();
          assert.ok(b.next() <= base);
        },
      ),
    );
  });
});
