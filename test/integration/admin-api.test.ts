// The 3.9 parts of the AdminServer that ZooKeeper 3.8 lacks, and bad input, against a real
// `paddock server` over HTTP: snapshot streams a snapshot behind ZooKeeper's Authorization header and
// ACL check with its rate limit; restore's gatekeeping; the admin.* switches; wrong methods,
// oversized bodies and unknown commands get clear answers; a taken admin port does not stop the
// server from serving clients.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server, Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { connect, Perms } from "../../src/client/index.js";
import { digestOf } from "../../src/data/acl.js";
import { httpRequest } from "../support/admin-http.js";
import { fourLetterWord } from "../support/four-letter-word.js";
import { field, parseJsonTree } from "../support/json-tree.js";
import { startPaddock } from "../support/paddock.js";
import { freeLoopbackPort } from "../support/ports.js";
import type { Target } from "../support/targets.js";

async function paddockWithAdmin(
  extra: Record<string, string> = {},
): Promise<{ target: Target; port: number }> {
  const port = await freeLoopbackPort();
  const target = await startPaddock({
    extraConfig: { "admin.enableServer": "true", "admin.serverPort": String(port), ...extra },
  });
  return { target, port };
}

const envelope = (command: string, error: string | null) =>
  `{\n  "command" : ${JSON.stringify(command)},\n  "error" : ${error === null ? "null" : JSON.stringify(error)}\n}`;

/** Sends raw request bytes and returns the raw response, for requests an HTTP client would not send. */
function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let out = "";
    socket.on("data", (c) => {
      out += c.toString("latin1");
    });
    socket.on("end", () => resolve(out));
    socket.on("close", () => resolve(out));
    socket.on("error", reject);
    socket.connect(port, "127.0.0.1", () => socket.write(bytes));
  });
}

describe("admin snapshot and restore, as ZooKeeper 3.9 guards them", () => {
  let target: Target;
  let port: number;

  before(async () => {
    ({ target, port } = await paddockWithAdmin());
    const zk = await connect(target.connectString);
    await zk.create("/data", "payload");
    await zk.close();
  });
  after(async () => {
    await target?.stop();
  });

  test("snapshot without an Authorization header is 401 with ZooKeeper's message", async () => {
    const reply = await httpRequest(port, "/commands/snapshot");
    assert.equal(reply.status, 401);
    assert.equal(reply.text, envelope("snapshot", "Auth info is missing for the command"));
  });

  test("a malformed or unknown Authorization scheme is 401 Not authenticated, under the name as typed", async () => {
    for (const header of ["digest a:b c", "x509", "sasl foo", "digest nocolon"]) {
      const reply = await httpRequest(port, "/commands/snap", { headers: { authorization: header } });
      assert.equal(reply.status, 401, header);
      assert.equal(reply.text, envelope("snap", "Not authenticated"), header);
    }
  });

  test("snapshot streams the snapshot file with last_zxid and snapshot_size headers, then is rate limited", async () => {
    const reply = await httpRequest(port, "/commands/snapshot", {
      headers: { authorization: "digest any:one" },
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers["content-type"], "application/octet-stream");
    assert.match(String(reply.headers.last_zxid), /^0x[0-9a-f]+$/);
    assert.ok(BigInt(String(reply.headers.last_zxid)) >= 2n, "the snapshot covers the create");
    assert.equal(Number(reply.headers.snapshot_size), reply.body.length);
    assert.ok(reply.body.includes(Buffer.from("/data")), "the snapshot holds the znode written before it");
    // One per admin.rateLimiterIntervalInMS (5 minutes by default): the next is refused at once.
    const again = await httpRequest(port, "/commands/snapshot", {
      headers: { authorization: "digest any:one" },
    });
    assert.equal(again.status, 429);
    assert.equal(again.text, envelope("snapshot", null));
    const monitor = parseJsonTree((await httpRequest(port, "/commands/monitor")).text);
    assert.deepEqual(field(monitor, "snapshot_rate_limited_count"), { kind: "int", value: 1n });
  });

  test("restore takes POST only, and checks auth before the body", async () => {
    const get = await httpRequest(port, "/commands/restore");
    assert.equal(get.status, 405);
    const anonymous = await httpRequest(port, "/commands/restore", { method: "POST", body: "x" });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.text, envelope("restore", "Auth info is missing for the command"));
    const empty = await httpRequest(port, "/commands/restore", {
      method: "POST",
      headers: { authorization: "digest any:one" },
    });
    assert.equal(empty.status, 400);
    assert.equal(empty.text, envelope("restore", null));
  });

  test("a POST to a GET command is 405, an unknown command 200 with ZooKeeper's error", async () => {
    const post = await httpRequest(port, "/commands/ruok", { method: "POST", body: "{" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, "GET");
    const unknown = await httpRequest(port, "/commands/../commands/nope%20x");
    assert.equal(unknown.status, 200);
    assert.equal(unknown.text, envelope("nope x", "Unknown command: nope x"));
  });

  test("a declared body over the limit is refused with 413 without being read", async () => {
    const response = await rawRequest(
      port,
      "POST /commands/restore HTTP/1.1\r\nHost: x\r\nAuthorization: digest any:one\r\nContent-Length: 999999999999\r\n\r\n",
    );
    assert.match(response, /^HTTP\/1\.1 413 /);
  });

  test("paths outside /commands are 404 and TRACE is refused", async () => {
    assert.equal((await httpRequest(port, "/etc/passwd")).status, 404);
    assert.equal((await httpRequest(port, "/commands/ruok", { method: "TRACE" })).status, 405);
  });
});

describe("admin snapshot ACL check on /", () => {
  let target: Target;
  let port: number;

  before(async () => {
    ({ target, port } = await paddockWithAdmin({ "admin.rateLimiterIntervalInMS": "0" }));
    const zk = await connect(target.connectString);
    await zk.setACL("/", [{ perms: Perms.ALL, id: { scheme: "digest", id: digestOf("admin", "secret") } }]);
    await zk.close();
  });
  after(async () => {
    await target?.stop();
  });

  test("an identity the ACL of / does not grant ALL is 403; the one it names gets the snapshot", async () => {
    const other = await httpRequest(port, "/commands/snapshot", {
      headers: { authorization: "digest admin:wrong" },
    });
    assert.equal(other.status, 403);
    assert.equal(other.text, envelope("snapshot", "Not authorized"));
    const ip = await httpRequest(port, "/commands/snapshot", { headers: { authorization: "ip" } });
    assert.equal(ip.status, 403);
    const admin = await httpRequest(port, "/commands/snapshot?streaming=false", {
      headers: { authorization: "digest admin:secret" },
    });
    assert.equal(admin.status, 200);
    assert.equal(admin.text, envelope("snapshot", null));
    assert.ok(Number(admin.headers.snapshot_size) > 0);
  });
});

describe("admin.* switches", () => {
  let target: Target;
  let port: number;

  before(async () => {
    ({ target, port } = await paddockWithAdmin({
      "admin.snapshot.enabled": "false",
      "admin.restore.enabled": "false",
      "admin.commandURL": "/zk",
    }));
  });
  after(async () => {
    await target?.stop();
  });

  test("admin.commandURL moves the commands; disabled snapshot and restore answer 503", async () => {
    assert.equal((await httpRequest(port, "/commands/ruok")).status, 404);
    assert.equal((await httpRequest(port, "/zk/ruok")).text, envelope("ruok", null));
    assert.match(
      (await httpRequest(port, "/zk")).text,
      /^<a href="\/zk\/configuration">configuration<\/a>\n<br\/>\n/,
    );
    const snapshot = await httpRequest(port, "/zk/snapshot", { headers: { authorization: "digest a:b" } });
    assert.equal(snapshot.status, 503);
    assert.equal(snapshot.text, envelope("snapshot", null));
    const restore = await httpRequest(port, "/zk/restore", {
      method: "POST",
      headers: { authorization: "digest a:b" },
      body: "x",
    });
    assert.equal(restore.status, 503);
  });
});

describe("admin port already taken", () => {
  let holder: Server;
  let target: Target;
  let port: number;

  before(async () => {
    port = await freeLoopbackPort();
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(port, "127.0.0.1", resolve));
    target = await startPaddock({
      extraConfig: { "admin.enableServer": "true", "admin.serverPort": String(port) },
    });
  });
  after(async () => {
    await target?.stop();
    await new Promise((resolve) => holder.close(resolve));
  });

  test("the server logs that the admin server is not started and serves clients anyway", async () => {
    assert.equal(await fourLetterWord(target.port, "ruok", 5_000), "imok");
    const zk = await connect(target.connectString);
    await zk.create("/still-serving", "yes");
    await zk.close();
    const log = readFileSync(target.logPath!, "utf8");
    assert.match(
      log,
      new RegExp(`admin server \\(127\\.0\\.0\\.1:${port}\\) is not started: the port is in use`),
    );
  });
});
