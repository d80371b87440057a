// The pieces of `paddock import` below the files: ZooKeeper's session password (java.util.Random,
// checked against values Java itself printed), the per-session password source surviving Paddock's
// snapshot, and the ZooKeeper log reader's torn-tail and damage rules on hand-built records.

import assert from "node:assert/strict";
import { test } from "node:test";
import { OpCode } from "../../../src/protocol/constants.js";
import { SessionPasswords, zookeeperSessionPassword } from "../../../src/server/session-credentials.js";
import { StateMachine } from "../../../src/state/machine.js";
import { SnapshotCapture } from "../../../src/state/snapshot.js";
import { SimFileSystem } from "../../../src/storage/sim-file-system.js";
import { readSnapshot, snapshotName, writeSnapshot } from "../../../src/storage/snapshot-file.js";
import { adler32 } from "../../../src/storage/zookeeper/adler32.js";
import { ZkDecodeError } from "../../../src/storage/zookeeper/errors.js";
import { readZkLog, ZK_LOG_MAGIC } from "../../../src/storage/zookeeper/txn-log.js";

test("an imported session's password is ZooKeeper's new Random(id ^ 0xB3415C00).nextBytes", () => {
  // Printed by `new java.util.Random(id ^ 0xB3415C00L).nextBytes(new byte[16])` on OpenJDK 17.
  assert.equal(
    zookeeperSessionPassword(0x100000abcdef0001n).toString("hex"),
    "76b39f6d54c3bc4f6ebe2fdff1198ecf",
  );
  assert.equal(zookeeperSessionPassword(-5n).toString("hex"), "d47144b5e45e45c49c3b7fdcd66257ba");
  const passwords = new SessionPasswords(Buffer.alloc(32, 1));
  const zk = zookeeperSessionPassword(42n);
  assert.ok(passwords.verify(42n, zk, "zookeeper"));
  assert.ok(!passwords.verify(42n, zk, "paddock"), "a Paddock session does not take ZooKeeper's password");
  assert.ok(passwords.verify(42n, passwords.passwordOf(42n), "paddock"));
});

test("sessions keep their password source through a Paddock snapshot, and others stay Paddock's", async () => {
  const machine = new StateMachine();
  machine.restore(0x500n, [
    [7n, 4000, "zookeeper"],
    [8n, 6000],
  ]);
  const fs = new SimFileSystem(1);
  await fs.mkdirp("/d");
  await writeSnapshot(new SnapshotCapture(machine), {
    fs,
    dir: "/d",
    nodesPerChunk: 100,
    yieldTurn: () => Promise.resolve(),
    position: { index: 0, conf: { voters: [1], learners: [] } },
  });
  const { machine: loaded } = await readSnapshot(fs, `/d/${snapshotName(0x500n)}`, {});
  assert.equal(loaded!.sessions().get(7n)?.passwordSource, "zookeeper");
  assert.equal(loaded!.sessions().get(8n)?.passwordSource, "paddock");
  assert.equal(loaded!.digest(), machine.digest());
});

/** A ZooKeeper log file: header, then records {Adler-32, length, payload, 'B'}, then zeros. */
function zkLog(payloads: Buffer[], padding = 64): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(ZK_LOG_MAGIC, 0);
  header.writeInt32BE(2, 4);
  const records = payloads.map((p) => {
    const r = Buffer.alloc(12 + p.length + 1);
    r.writeBigUInt64BE(BigInt(adler32(p)), 0);
    r.writeInt32BE(p.length, 8);
    p.copy(r, 12);
    r[12 + p.length] = 0x42;
    return r;
  });
  return Buffer.concat([header, ...records, Buffer.alloc(padding)]);
}

function createSessionTxn(zxid: bigint): Buffer {
  const b = Buffer.alloc(36);
  b.writeBigInt64BE(0x77n, 0);
  b.writeInt32BE(0, 8);
  b.writeBigInt64BE(zxid, 12);
  b.writeBigInt64BE(1000n, 20);
  b.writeInt32BE(OpCode.createSession, 28);
  b.writeInt32BE(30000, 32);
  return b;
}

test("a ZooKeeper log reads to its zero padding; a cut record is a torn tail; a bad checksum is damage", () => {
  const log = zkLog([createSessionTxn(1n), createSessionTxn(2n)]);
  const zxids: bigint[] = [];
  const end = readZkLog(log, (e) => zxids.push(e.header.zxid));
  assert.deepEqual(zxids, [1n, 2n]);
  assert.equal(end.kind, "clean");
  const secondAt = 16 + 12 + 36 + 1;
  for (const cut of [secondAt + 5, secondAt + 12 + 10, secondAt + 12 + 36]) {
    const seen: bigint[] = [];
    const torn = readZkLog(log.subarray(0, cut), (e) => seen.push(e.header.zxid));
    assert.deepEqual(seen, [1n]);
    assert.deepEqual([torn.kind, torn.offset], ["torn", secondAt]);
  }
  const damaged = Buffer.from(log);
  damaged[secondAt + 12 + 3]! ^= 1;
  assert.throws(
    () => readZkLog(damaged, () => {}),
    (e: unknown) => e instanceof ZkDecodeError && e.offset === secondAt && /checksum/.test(e.reason),
  );
});
