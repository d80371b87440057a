// The server's protocol behaviour at the byte level, driven through a Connection without a socket:
// handshake forms and refusals, ordering, error replies and when the server closes, sessions and
// their expiry, watches. Each expectation is ZooKeeper's (wire-protocol.md), not our own choice.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FourLetterWords } from "../../src/admin/four-letter-words.js";
import { generateDigest } from "../../src/data/acl.js";
import { Err, EventType, OpCode } from "../../src/protocol/constants.js";
import type { Request } from "../../src/protocol/requests.js";
import { defaultConfig, parseZooCfg } from "../../src/server/config.js";
import {
  commitTurn,
  createReq,
  decodeBody,
  ManualClock,
  newService,
  OPEN_ACL,
  parseFrame,
  RawClient,
} from "./harness.js";

/** An auth packet with a digest credential, as `addauth digest <credential>` sends it. */
function digestAuth(credential: string): Request {
  return { type: OpCode.auth, authType: 0, scheme: "digest", auth: Buffer.from(credential) };
}

describe("handshake", () => {
  test("a 45-byte ConnectRequest gets a 37-byte answer with a clamped timeout and 16-byte password", async () => {
    const service = newService();
    const client = new RawClient(service);
    client.send(client.connectFrame({ timeOut: 1 }));
    await commitTurn();
    const [reply] = client.frames();
    assert.equal(reply?.length, 37);
    const low = reply!.readInt32BE(4);
    assert.equal(low, 4000);
    assert.equal(reply!.readInt32BE(16), 16);
    const big = new RawClient(service);
    const response = await big.connect({ timeOut: 1_000_000 });
    assert.equal(response.timeOut, 40000);
    assert.equal(response.readOnly, false);
  });

  test("a 44-byte ConnectRequest from an old client gets the 36-byte answer without readOnly", async () => {
    const client = new RawClient(newService());
    const request = client.connectFrame({ readOnly: undefined });
    assert.equal(request.length, 48);
    client.send(request);
    await commitTurn();
    const [reply] = client.frames();
    assert.equal(reply?.length, 36);
  });

  test("reconnecting with the session's password resumes it; a wrong password gets the all-zero answer and a close", async () => {
    const service = newService();
    const first = new RawClient(service);
    const created = await first.connect();
    const again = new RawClient(service);
    const resumed = await again.connect({ sessionId: created.sessionId, passwd: created.passwd });
    assert.equal(resumed.sessionId, created.sessionId);
    assert.ok(first.transport.ended, "the old connection of a moved session is closed");

    const wrong = new RawClient(service);
    wrong.send(wrong.connectFrame({ sessionId: created.sessionId, passwd: Buffer.alloc(16, 1) }));
    await commitTurn();
    const [reply] = wrong.frames();
    assert.deepEqual(
      reply,
      Buffer.from("00000000" + "00000000" + "0000000000000000" + "00000010" + "00".repeat(16) + "00", "hex"),
    );
    assert.ok(wrong.transport.ended);
  });

  test("a handshake and request arriving one byte at a time are answered, whatever their bytes spell", async () => {
    const client = new RawClient(newService());
    // A password that reads as four-letter words must not be taken for one mid-frame.
    const handshake = client.connectFrame({ passwd: Buffer.from("srvrruokdumpstat") });
    for (const byte of handshake) client.send(Buffer.of(byte));
    await commitTurn();
    const [response] = client.frames();
    assert.equal(response?.length, 37);
    for (const byte of client.requestFrame({ type: OpCode.exists, path: "/ruok", watch: false }, 3))
      client.send(Buffer.of(byte));
    await commitTurn();
    const replies = client.frames().map(parseFrame);
    assert.deepEqual(
      replies.map((f) => f.kind === "reply" && [f.header.xid, f.header.err]),
      [[3, Err.NONODE]],
    );
  });

  test("a client that has seen a newer zxid than the server is closed without a reply", async () => {
    const client = new RawClient(newService());
    client.send(client.connectFrame({ lastZxidSeen: 1000n }));
    await commitTurn();
    assert.equal(client.frames().length, 0);
    assert.ok(client.transport.ended);
  });

  test("requests pipelined right behind the ConnectRequest are answered after it, in order", async () => {
    const client = new RawClient(newService());
    client.send(
      Buffer.concat([
        client.connectFrame(),
        client.requestFrame(createReq("/a", "x")),
        client.requestFrame({ type: OpCode.getData, path: "/a", watch: false }),
      ]),
    );
    await commitTurn();
    await commitTurn();
    await commitTurn();
    const frames = client.frames();
    assert.equal(frames.length, 3);
    assert.equal(frames[1]!.readInt32BE(0), 1);
    assert.equal(frames[2]!.readInt32BE(0), 2);
    assert.equal(frames[2]!.readInt32BE(12), 0);
  });

  test("a first frame that is not a ConnectRequest closes the connection", async () => {
    const client = new RawClient(newService());
    client.send(Buffer.from([0, 0, 0, 2, 1, 2]));
    assert.ok(client.transport.ended);
  });
});

describe("bad input", () => {
  test("an unknown opcode is answered with UNIMPLEMENTED and the connection is closed", async () => {
    const client = new RawClient(newService());
    await client.connect();
    const frame = Buffer.from("000000080000000700000063", "hex");
    client.send(frame);
    const [reply] = client.frames();
    assert.equal(reply?.readInt32BE(0), 7);
    assert.equal(reply?.readInt32BE(12), Err.UNIMPLEMENTED);
    assert.ok(client.transport.ended);
  });

  test("a top-level check is refused like an unknown opcode, as ZooKeeper 3.9 does", async () => {
    const client = new RawClient(newService());
    await client.connect();
    client.send(client.requestFrame({ type: OpCode.check, path: "/", version: 0 }));
    const [reply] = client.frames();
    assert.equal(reply?.readInt32BE(12), Err.UNIMPLEMENTED);
    assert.ok(client.transport.ended);
  });

  test("a body that does not decode gets MARSHALLINGERROR and the connection stays usable", async () => {
    const client = new RawClient(newService());
    await client.connect();
    // getData whose path length claims 100 bytes but the frame ends.
    client.send(Buffer.from("0000000c000000050000000400000064", "hex"));
    const [reply] = client.frames();
    assert.equal(reply?.readInt32BE(12), Err.MARSHALLINGERROR);
    assert.equal(client.transport.ended, false);
    const ok = await client.call({ type: OpCode.exists, path: "/", watch: false });
    assert.equal(ok.err, 0);
  });

  test("a frame longer than jute.maxbuffer closes the connection without a reply", async () => {
    const client = new RawClient(newService({ frameBytesMax: 1000 }));
    await client.connect();
    client.send(Buffer.from("000003e9", "hex"));
    assert.equal(client.frames().length, 0);
    assert.ok(client.transport.ended);
  });

  test("random garbage on many connections never stops the server from serving the next client", async () => {
    const service = newService();
    let seed = 12345;
    const next = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 300; i++) {
      const client = new RawClient(service);
      const prefix = i % 3 === 0 ? client.connectFrame() : Buffer.alloc(0);
      const garbage = Buffer.alloc(next() % 200);
      for (let j = 0; j < garbage.length; j++) garbage[j] = next() & 0xff;
      if (i % 5 === 0 && garbage.length >= 8) garbage.writeInt32BE(garbage.length - 4, 0);
      client.send(Buffer.concat([prefix, garbage]));
      await commitTurn();
    }
    const good = new RawClient(service);
    await good.connect();
    const reply = await good.call(createReq("/still-serving", "yes"));
    assert.equal(reply.err, 0);
  });
});

describe("requests", () => {
  test("replies keep request order when reads queue behind writes of the same session", async () => {
    const client = new RawClient(newService());
    await client.connect();
    const frames = await client.exchange(
      createReq("/o", "1"),
      { type: OpCode.getData, path: "/o", watch: false },
      { type: OpCode.setData, path: "/o", data: Buffer.from("2"), version: 0 },
      { type: OpCode.getData, path: "/o", watch: false },
    );
    const replies = frames.filter((f) => f.kind === "reply");
    assert.deepEqual(
      replies.map((f) => (f.kind === "reply" ? f.header.xid : 0)),
      [1, 2, 3, 4],
    );
    const last = replies[3];
    assert.ok(last?.kind === "reply");
    assert.equal(decodeBody("GetDataResponse", last.body).data?.toString(), "2");
  });

  test("past globalOutstandingLimit every connection stops reading until the backlog halves", async () => {
    const service = newService({ outstandingMax: 4 });
    const busy = new RawClient(service);
    const idle = new RawClient(service);
    await busy.connect();
    await idle.connect();
    busy.send(Buffer.concat(Array.from({ length: 10 }, (_, i) => busy.requestFrame(createReq(`/t${i}`)))));
    assert.ok(busy.transport.paused && idle.transport.paused, "both connections are throttled");
    await commitTurn();
    await commitTurn();
    assert.equal(busy.frames().length, 10);
    assert.ok(!busy.transport.paused && !idle.transport.paused, "reading resumes once answered");
    assert.equal(service.outstanding, 0);
  });

  test("a ping is answered with xid -2 and the last zxid", async () => {
    const client = new RawClient(newService());
    await client.connect();
    const reply = await client.call({ type: OpCode.ping });
    assert.equal(reply.xid, -2);
    assert.equal(reply.err, 0);
    assert.equal(reply.body.length, 0);
  });

  test("an error reply is the 16-byte header only", async () => {
    const client = new RawClient(newService());
    await client.connect();
    const reply = await client.call({ type: OpCode.getData, path: "/missing", watch: false });
    assert.equal(reply.err, Err.NONODE);
    assert.equal(reply.body.length, 0);
  });

  test("create2 answers with path and Stat, create with the path only, and zxids increase", async () => {
    const client = new RawClient(newService());
    await client.connect();
    const plain = await client.call(createReq("/p", "x"));
    assert.equal(decodeBody("CreateResponse", plain.body).path, "/p");
    const two = await client.call(createReq("/q", "y", 0, OpCode.create2));
    const body = decodeBody("Create2Response", two.body);
    assert.equal(body.path, "/q");
    assert.equal(body.stat.czxid, two.zxid);
    assert.ok(two.zxid > plain.zxid);
  });

  test("a data watch fires NodeDataChanged before the reply to the setData that caused it", async () => {
    const client = new RawClient(newService());
    await client.connect();
    await client.call(createReq("/w", "1"));
    await client.call({ type: OpCode.getData, path: "/w", watch: true });
    const frames = await client.exchange({
      type: OpCode.setData,
      path: "/w",
      data: Buffer.from("2"),
      version: -1,
    });
    assert.equal(frames.length, 2);
    const [event, reply] = frames;
    assert.ok(event?.kind === "event");
    assert.equal(event.event.type, EventType.NodeDataChanged);
    assert.equal(event.event.path, "/w");
    assert.ok(reply?.kind === "reply");
    assert.equal(event.zxid, reply.header.zxid, "3.9 notifications carry the zxid of the change");
  });

  test("closeSession replies, closes, removes ephemerals, fires other sessions' watches and refuses a later resume", async () => {
    const service = newService();
    const owner = new RawClient(service);
    const session = await owner.connect();
    await owner.call(createReq("/e", "", 1));
    const watcher = new RawClient(service);
    await watcher.connect();
    await watcher.call({ type: OpCode.exists, path: "/e", watch: true });
    const reply = await owner.call({ type: OpCode.closeSession });
    assert.equal(reply.err, 0);
    assert.ok(owner.transport.ended);
    const events = watcher.frames();
    assert.equal(events.length, 1);
    assert.equal(events[0]!.readInt32BE(16), EventType.NodeDeleted);
    const late = new RawClient(service);
    late.send(late.connectFrame({ sessionId: session.sessionId, passwd: session.passwd }));
    await commitTurn();
    assert.equal(late.frames()[0]?.readInt32BE(4), 0, "timeOut 0 means the session is gone");
  });

  test("a session that stops pinging expires after its timeout and its ephemerals go", async () => {
    const clock = new ManualClock();
    const service = newService({ now: clock.now });
    const owner = new RawClient(service);
    await owner.connect({ timeOut: 4000 });
    await owner.call(createReq("/lease", "", 1));
    const observer = new RawClient(service);
    await observer.connect({ timeOut: 40000 });
    clock.nowMs += 3000;
    service.expireSessions();
    await commitTurn();
    assert.equal((await observer.call({ type: OpCode.exists, path: "/lease", watch: false })).err, 0);
    clock.nowMs += 4000;
    service.expireSessions();
    await commitTurn();
    assert.equal(
      (await observer.call({ type: OpCode.exists, path: "/lease", watch: false })).err,
      Err.NONODE,
    );
    assert.ok(owner.transport.ended, "the expired session's connection is closed");
  });

  test("digest auth adds an identity that ACLs and whoAmI see; an unknown scheme fails and closes", async () => {
    const service = newService();
    const client = new RawClient(service);
    await client.connect();
    const frames = await client.exchange(digestAuth("alice:secret"));
    assert.equal(frames[0]?.kind === "reply" && frames[0].header.err, 0);
    const who = await client.call({ type: OpCode.whoAmI });
    const info = decodeBody("WhoAmIResponse", who.body).clientInfo;
    assert.deepEqual(info?.map((c) => `${c.authScheme}:${c.user}`).sort(), ["digest:alice", "ip:127.0.0.1"]);
    const bad = await client.exchange({
      type: OpCode.auth,
      authType: 0,
      scheme: "kerberos",
      auth: Buffer.from("x"),
    });
    assert.equal(bad[0]?.kind === "reply" && bad[0].header.err, Err.AUTHFAILED);
    assert.ok(client.transport.ended);
  });

  test("auth and setWatches are answered with the request's own xid, whatever it is", async () => {
    const client = new RawClient(newService());
    await client.connect();
    const auth = digestAuth("a:b");
    const watches: Request = {
      type: OpCode.setWatches,
      relativeZxid: 0n,
      dataWatches: ["/missing"],
      existWatches: [],
      childWatches: [],
    };
    const sent = [
      [auth, 7],
      [auth, -4],
      [watches, 8],
      [watches, -8],
      [{ ...watches, type: OpCode.setWatches2, persistentWatches: [], persistentRecursiveWatches: [] }, 9],
    ] as const;
    for (const [req, xid] of sent) client.send(client.requestFrame(req, xid));
    await commitTurn();
    const replies = client
      .frames()
      .map(parseFrame)
      .filter((f) => f.kind === "reply");
    assert.deepEqual(
      replies.map((f) => f.kind === "reply" && [f.header.xid, f.header.err]),
      sent.map(([, xid]) => [xid, 0]),
    );
  });

  test("digest auth without a colon is user and password in one, as ZooKeeper's digest provider takes it", async () => {
    const client = new RawClient(newService());
    await client.connect();
    const login = await client.call(digestAuth("blah"));
    assert.equal(login.err, 0);
    const who = await client.call({ type: OpCode.whoAmI });
    const info = decodeBody("WhoAmIResponse", who.body).clientInfo;
    assert.deepEqual(info?.map((c) => `${c.authScheme}:${c.user}`).sort(), ["digest:blah", "ip:127.0.0.1"]);
    const created = await client.call({
      ...createReq("/mine"),
      acl: [{ perms: 31, id: { scheme: "digest", id: generateDigest("blah") } }],
    } as Request);
    assert.equal(created.err, 0);
    assert.equal((await client.call({ type: OpCode.getData, path: "/mine", watch: false })).err, 0);
  });
});

describe("four-letter words", () => {
  function withWords(cfgText: string) {
    const service = newService();
    const config = cfgText === "" ? defaultConfig() : parseZooCfg(cfgText, "zoo.cfg").config;
    const words = new FourLetterWords(
      service,
      config,
      () => ({ dataDirBytes: 0, dataLogDirBytes: 0 }),
      () => {
        throw new Error("these tests run without storage, so without snapshots");
      },
    );
    service.fourLetterWordHandler = (word, payload, conn) => words.answer(word, payload, conn);
    return service;
  }

  test("srvr is always answered, other words only when whitelisted", () => {
    const service = withWords("");
    const srvr = new RawClient(service);
    srvr.send(Buffer.from("srvr"));
    const text = srvr.transport.take().toString();
    assert.match(text, /^Zookeeper version: 3\.9\.5-paddock-/);
    assert.match(text, /\nMode: standalone\n/);
    assert.match(text, /\nNode count: 5\n/);
    assert.ok(srvr.transport.ended);
    const ruok = new RawClient(service);
    ruok.send(Buffer.from("ruok"));
    assert.equal(
      ruok.transport.take().toString(),
      "ruok is not executed because it is not in the whitelist.\n",
    );
  });

  test("ruok answers imok without a newline and mntr prints tab-separated zk_ keys", () => {
    const service = withWords("4lw.commands.whitelist=*\n");
    const ruok = new RawClient(service);
    ruok.send(Buffer.from("ruok"));
    assert.equal(ruok.transport.take().toString(), "imok");
    const mntr = new RawClient(service);
    mntr.send(Buffer.from("mntr"));
    const lines = mntr.transport.take().toString().trimEnd().split("\n");
    assert.equal(lines[0]?.split("\t")[0], "zk_version");
    assert.ok(lines.includes("zk_znode_count\t5"));
    assert.ok(lines.every((l) => /^zk_[a-z_]+\t\S/.test(l)));
  });

  test("cons shows a connection's last ordinary xid, and none while it has sent only special ones", async () => {
    const service = withWords("4lw.commands.whitelist=*\n");
    const client = new RawClient(service);
    await client.connect();
    const cons = () => {
      const asker = new RawClient(service);
      asker.send(Buffer.from("cons"));
      return asker.transport.take().toString();
    };
    client.send(client.requestFrame({ type: OpCode.ping }, -2));
    await commitTurn();
    assert.doesNotMatch(cons(), /lcxid/);
    client.send(client.requestFrame({ type: OpCode.exists, path: "/", watch: false }, 7));
    client.send(client.requestFrame({ type: OpCode.ping }, -2));
    await commitTurn();
    assert.match(cons(), /,lcxid=0x7,lzxid=/);
  });

  test("a four-letter word split across packets is still recognised", () => {
    const service = withWords("4lw.commands.whitelist=ruok\n");
    const client = new RawClient(service);
    client.send(Buffer.from("ru"));
    client.send(Buffer.from("ok"));
    assert.equal(client.transport.take().toString(), "imok");
  });
});

describe("container and TTL clean-up", () => {
  test("an emptied container and an expired TTL node are deleted through the log; a fresh TTL node stays", async () => {
    const clock = new ManualClock();
    const service = newService({ now: clock.now });
    const client = new RawClient(service);
    await client.connect();
    const container = (path: string): Request => ({
      type: OpCode.createContainer,
      path,
      data: null,
      acl: OPEN_ACL,
      flags: 4,
    });
    const ttl = (path: string, ttlMs: bigint): Request => ({
      type: OpCode.createTTL,
      path,
      data: null,
      acl: OPEN_ACL,
      flags: 5,
      ttl: ttlMs,
    });
    assert.equal((await client.call(container("/c"))).err, 0);
    assert.equal((await client.call(container("/never-used"))).err, 0);
    assert.equal((await client.call(createReq("/c/x"))).err, 0);
    assert.equal((await client.call({ type: OpCode.delete, path: "/c/x", version: -1 })).err, 0);
    assert.equal((await client.call(ttl("/old", 1000n))).err, 0);
    clock.nowMs += 5000;
    assert.equal((await client.call(ttl("/young", 1000n))).err, 0);
    await client.call({ type: OpCode.exists, path: "/c", watch: true });
    service.cleanUpNodes();
    const frames = await client.exchange({ type: OpCode.exists, path: "/old", watch: false });
    const deleted = frames.find((f) => f.kind === "event");
    assert.ok(
      deleted?.kind === "event" &&
        deleted.event.type === EventType.NodeDeleted &&
        deleted.event.path === "/c",
    );
    const exists = async (path: string) =>
      (await client.call({ type: OpCode.exists, path, watch: false })).err;
    assert.equal(await exists("/c"), Err.NONODE);
    assert.equal(await exists("/old"), Err.NONODE);
    assert.equal(await exists("/young"), 0);
    assert.equal(await exists("/never-used"), 0, "a container that never had a child is kept");
  });
});
