// Round-trip properties: a random record of each kind, encoded and decoded again, is the same value,
// and the decoder consumes exactly the bytes the encoder wrote. Golden bytes pin the format against
// ZooKeeper; these properties cover the values no fixture happens to hold.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  readConnectRequest,
  readConnectResponse,
  writeConnectRequest,
  writeConnectResponse,
} from "../../../src/protocol/connect.js";
import {
  readACL,
  readClientInfo,
  readId,
  readStat,
  STAT_BYTES,
  writeACL,
  writeClientInfo,
  writeId,
  writeStat,
} from "../../../src/protocol/data.js";
import { readWatcherEvent, writeWatcherEvent } from "../../../src/protocol/events.js";
import { JuteReader, JuteWriter } from "../../../src/protocol/jute.js";
import {
  decodeRequestBody,
  encodeRequestBody,
  readMultiHeader,
  readRequestHeader,
  writeMultiHeader,
  writeRequestHeader,
} from "../../../src/protocol/requests.js";
import {
  decodeResponseBody,
  encodeResponseBody,
  REPLY_HEADER_BYTES,
  readReplyHeader,
  writeReplyHeader,
} from "../../../src/protocol/responses.js";
import * as arb from "./arbitraries.js";

/** Encodes with a deliberately tiny initial buffer so the writer's growth path is exercised too. */
function roundTrip<T>(value: T, write: (w: JuteWriter, v: T) => void, read: (r: JuteReader) => T): T {
  const w = new JuteWriter(1);
  write(w, value);
  const r = new JuteReader(Buffer.from(w.finish()));
  const decoded = read(r);
  r.expectEnd("round trip");
  return decoded;
}

function property<T>(
  arbitrary: fc.Arbitrary<T>,
  write: (w: JuteWriter, v: T) => void,
  read: (r: JuteReader) => T,
) {
  fc.assert(
    fc.property(arbitrary, (value) => {
      assert.deepStrictEqual(roundTrip(value, write, read), value);
    }),
    { numRuns: 500 },
  );
}

describe("encode then decode returns the same record", () => {
  test("Id", () => property(arb.id, writeId, readId));
  test("ACL", () => property(arb.acl, writeACL, readACL));
  test("ClientInfo", () => property(arb.clientInfo, writeClientInfo, readClientInfo));
  test("Stat", () => property(arb.stat, writeStat, readStat));
  test("RequestHeader", () => property(arb.requestHeader, writeRequestHeader, readRequestHeader));
  test("ReplyHeader", () => property(arb.replyHeader, writeReplyHeader, readReplyHeader));
  test("MultiHeader", () => property(arb.multiHeader, writeMultiHeader, readMultiHeader));
  test("WatcherEvent", () => property(arb.watcherEvent, writeWatcherEvent, readWatcherEvent));
  test("ConnectRequest with and without the readOnly byte", () =>
    property(arb.connectRequest, writeConnectRequest, readConnectRequest));
  test("ConnectResponse with and without the readOnly byte", () =>
    property(arb.connectResponse, writeConnectResponse, readConnectResponse));

  test("every request variant, multi and multiRead included", () => {
    fc.assert(
      fc.property(arb.request, (req) => {
        assert.deepStrictEqual(
          roundTrip(req, encodeRequestBody, (r) => decodeRequestBody(req.type, r)),
          req,
        );
      }),
      { numRuns: 3000 },
    );
  });

  test("every response record, MultiResponse included", () => {
    fc.assert(
      fc.property(arb.response, (res) => {
        assert.deepStrictEqual(
          roundTrip(res, encodeResponseBody, (r) => decodeResponseBody(res.record, r)),
          res,
        );
      }),
      { numRuns: 3000 },
    );
  });
});

describe("encoded sizes match the fixed layouts in wire-protocol.md", () => {
  test("a Stat is always 68 bytes and a ReplyHeader 16", () => {
    fc.assert(
      fc.property(arb.stat, arb.replyHeader, (stat, header) => {
        const w = new JuteWriter();
        writeStat(w, stat);
        assert.equal(w.length, STAT_BYTES);
        const h = new JuteWriter();
        writeReplyHeader(h, header);
        assert.equal(h.length, REPLY_HEADER_BYTES);
      }),
    );
  });

  test("a ConnectRequest with a 16-byte password is 45 bytes with readOnly and 44 without", () => {
    fc.assert(
      fc.property(arb.connectRequest, (req) => {
        const w = new JuteWriter();
        writeConnectRequest(w, { ...req, passwd: Buffer.alloc(16) });
        assert.equal(w.length, req.readOnly === undefined ? 44 : 45);
      }),
    );
  });

  test("a ConnectResponse with a 16-byte password is 37 bytes with readOnly and 36 without", () => {
    fc.assert(
      fc.property(arb.connectResponse, (res) => {
        const w = new JuteWriter();
        writeConnectResponse(w, { ...res, passwd: Buffer.alloc(16) });
        assert.equal(w.length, res.readOnly === undefined ? 36 : 37);
      }),
    );
  });
});
