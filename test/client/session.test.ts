// Connection and session behaviour through a proxy that cuts, silences or refuses connections:
// states as events and as an iterator, session resumption, connection-loss errors that say whether
// a request may have applied, request timeouts, expiry that is final, and several hosts.

import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { test } from "node:test";
import {
  ClientError,
  ConnectionLossError,
  type ConnectionState,
  createClient,
  RequestTimeoutError,
  SessionExpiredError,
} from "../../src/client/index.js";
import { setWatchesBatches } from "../../src/client/set-watches.js";
import { writeConnectResponse } from "../../src/protocol/connect.js";
import { OpCode } from "../../src/protocol/constants.js";
import { frame } from "../../src/protocol/framing.js";
import { JuteWriter } from "../../src/protocol/jute.js";
import { freeLoopbackPort } from "../support/ports.js";
import { FaultProxy } from "./proxy.js";
import { eachTarget, eventually, expireSession } from "./targets.js";

test("watch lists longer than 128 KiB are split into SetWatches frames, SetWatches2 only with persistent watches", () => {
  const long = (i: number): string => `/${"p".repeat(1000)}/${i}`;
  const data = Array.from({ length: 300 }, (_, i) => long(i));
  const batches = setWatchesBatches({ data, exist: [], child: [], persistent: [], recursive: ["/r"] }, 7n);
  assert.equal(batches.length, 3);
  for (const batch of batches) {
    const bytes = [...batch.dataWatches, ...batch.existWatches, ...batch.childWatches].reduce(
      (n, p) => n + p.length + 4,
      0,
    );
    assert.ok(bytes <= 128 * 1024, `batch of ${bytes} bytes`);
    assert.equal(batch.relativeZxid, 7n);
  }
  assert.deepEqual(
    batches.map((batch) => batch.type),
    [OpCode.setWatches, OpCode.setWatches, OpCode.setWatches2],
  );
  assert.equal(batches.flatMap((batch) => batch.dataWatches).length, 300);
});

eachTarget("sessions", (fixture) => {
  test("a cut connection is reported as disconnected then connected, and the session and its ephemerals survive", async () => {
    const proxy = await FaultProxy.start(fixture().target.port);
    try {
      const client = await fixture().client({}, undefined, proxy.connectString);
      const states: ConnectionState[] = [];
      const iterator = client.states();
      const path = await client.create(fixture().unique("eph"), null, { mode: "ephemeral" });
      const sessionId = client.sessionId;
      proxy.cut();
      states.push((await iterator.next()).value as ConnectionState);
      states.push((await iterator.next()).value as ConnectionState);
      assert.deepEqual(states, ["disconnected", "connected"]);
      assert.equal(client.sessionId, sessionId);
      assert.notEqual(await client.exists(path), null);
    } finally {
      await proxy.close();
    }
  });

  test("a write in flight when the connection drops fails with ConnectionLossError that says it may have applied", async () => {
    const proxy = await FaultProxy.start(fixture().target.port);
    try {
      const client = await fixture().client({}, undefined, proxy.connectString);
      const observer = await fixture().client();
      const path = fixture().unique("lost");
      proxy.silence(true);
      const write = client.create(path);
      const read = client.exists("/");
      // The server applies the write, but its reply is swallowed and then the connection drops.
      await eventually("the write applied", async () => (await observer.exists(path)) !== null);
      proxy.cut();
      proxy.silence(false);
      await assert.rejects(
        write,
        (error: unknown) => error instanceof ConnectionLossError && error.mayHaveBeenApplied,
      );
      await assert.rejects(
        read,
        (error: unknown) => error instanceof ConnectionLossError && !error.mayHaveBeenApplied,
      );
      await client.connected();
    } finally {
      await proxy.close();
    }
  });

  test("requests made while disconnected wait and are sent after the reconnect", async () => {
    const proxy = await FaultProxy.start(fixture().target.port);
    try {
      const client = await fixture().client({}, undefined, proxy.connectString);
      proxy.refuse(true);
      proxy.cut();
      await eventually("disconnected", () => client.state === "disconnected");
      const path = fixture().unique("queued");
      const created = client.create(path, "q");
      proxy.refuse(false);
      assert.equal(await created, path);
    } finally {
      await proxy.close();
    }
  });

  test("a request with no reply within requestTimeoutMs fails with RequestTimeoutError", async () => {
    const proxy = await FaultProxy.start(fixture().target.port);
    try {
      const client = await fixture().client({ requestTimeoutMs: 300 }, undefined, proxy.connectString);
      proxy.silence(true);
      await assert.rejects(
        client.exists("/"),
        (error: unknown) => error instanceof RequestTimeoutError && error.mayHaveBeenApplied,
      );
    } finally {
      await proxy.close();
    }
  });

  test("an expired session is final: requests and watches fail with SessionExpiredError and it never resumes", async () => {
    const proxy = await FaultProxy.start(fixture().target.port);
    try {
      const client = await fixture().client({}, undefined, proxy.connectString);
      const observer = await fixture().client();
      const path = await client.create(fixture().unique("expire"), null, { mode: "ephemeral" });
      const watched = await client.watchData(path);
      const states = client.states();
      proxy.refuse(true);
      proxy.cut();
      await expireSession(fixture().target.connectString, client);
      await eventually("the ephemeral node is gone", async () => (await observer.exists(path)) === null);
      const pending = client.exists("/");
      proxy.refuse(false);
      await assert.rejects(pending, SessionExpiredError);
      await assert.rejects(watched.changed, SessionExpiredError);
      assert.equal(client.state, "expired");
      const seen: ConnectionState[] = [];
      for await (const state of states) seen.push(state);
      assert.deepEqual(seen, ["disconnected", "expired"]);
      await assert.rejects(client.exists("/"), SessionExpiredError);
    } finally {
      await proxy.close();
    }
  });

  test("a client that cannot reach any server for longer than its session timeout declares the session expired", async () => {
    const proxy = await FaultProxy.start(fixture().target.port);
    try {
      const client = await fixture().client({ sessionTimeoutMs: 1000 }, undefined, proxy.connectString);
      proxy.refuse(true);
      proxy.cut();
      await eventually("expired", () => client.state === "expired", 5000);
    } finally {
      await proxy.close();
    }
  });

  test("a session resumes on another host of the connection string after its server becomes unreachable", async () => {
    const first = await FaultProxy.start(fixture().target.port);
    const second = await FaultProxy.start(fixture().target.port);
    try {
      const client = await fixture().client({}, undefined, `${first.connectString},${second.connectString}`);
      const path = await client.create(fixture().unique("move"), null, { mode: "ephemeral" });
      const sessionId = client.sessionId;
      const [current, other] = client.server === first.connectString ? [first, second] : [second, first];
      current.refuse(true);
      current.cut();
      await eventually("moved", () => client.state === "connected" && client.server === other.connectString);
      assert.equal(client.sessionId, sessionId);
      assert.notEqual(await client.exists(path), null);
    } finally {
      await first.close();
      await second.close();
    }
  });

  test("a client on a read-only server moves to a read-write server once one answers isro, with a new session", async () => {
    // A stand-in for a partitioned server: it grants a read-only session and then stays silent.
    const sockets = new Set<Socket>();
    const readOnlyServer = createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.once("data", () => {
        const w = new JuteWriter();
        writeConnectResponse(w, {
          protocolVersion: 0,
          timeOut: 4000,
          sessionId: 77n,
          passwd: Buffer.alloc(16),
          readOnly: true,
        });
        socket.write(frame(w.finish()));
      });
    });
    await new Promise<void>((resolve) => readOnlyServer.listen(0, "127.0.0.1", resolve));
    const address = readOnlyServer.address();
    assert.ok(address !== null && typeof address === "object");
    const readWrite = await FaultProxy.start(fixture().target.port);
    readWrite.refuse(true);
    const client = createClient(`127.0.0.1:${address.port},${readWrite.connectString}`, {
      canBeReadOnly: true,
    });
    try {
      await eventually("read-only", () => client.state === "connectedReadOnly");
      assert.equal(client.sessionId, 77n);
      readWrite.refuse(false);
      await eventually("moved to the read-write server", () => client.state === "connected", 10_000);
      assert.equal(client.server, readWrite.connectString);
      assert.notEqual(client.sessionId, 77n);
      await client.create(fixture().unique("rw-again"));
    } finally {
      await client.close();
      await readWrite.close();
      for (const socket of sockets) socket.destroy();
      readOnlyServer.close();
    }
  });

  test("a dead host in the connection string is skipped", async () => {
    const deadPort = await freeLoopbackPort();
    const client = await fixture().client(
      {},
      undefined,
      `127.0.0.1:${deadPort},${fixture().target.connectString}`,
    );
    assert.equal(client.server, fixture().target.connectString);
  });

  test("close ends the session on the server and later calls fail with a client error", async () => {
    const client = createClient(fixture().target.connectString, { sessionTimeoutMs: 4000 });
    await client.connected();
    const observer = await fixture().client();
    const path = await client.create(fixture().unique("close"), null, { mode: "ephemeral" });
    await client.close();
    assert.equal(client.state, "closed");
    assert.equal(await observer.exists(path), null);
    await assert.rejects(
      client.exists("/"),
      (error: unknown) => error instanceof ClientError && error.code === "PDK_CLIENT_CLOSED",
    );
  });
});
