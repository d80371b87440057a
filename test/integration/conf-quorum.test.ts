// `conf` on an ensemble member: after the standalone lines, ZooKeeper's QuorumZooKeeperServer adds
// initLimit, syncLimit, electionAlg, this member's election and quorum ports, peerType's ordinal
// and the membership text. Checked against the answers real ZooKeeper 3.8 members gave, through a
// connection as a four-letter-word client sends it.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FourLetterWords } from "../../src/admin/four-letter-words.js";
import { loadZooCfg, parseZooCfg, type ServerConfig } from "../../src/server/config.js";
import { loadCapture, withMemberDir } from "../support/zookeeper-ensemble-fixture.js";
import { newService, RawClient } from "./harness.js";

function conf(config: ServerConfig, membershipVersion?: () => bigint): string {
  const service = newService();
  const words = new FourLetterWords(
    service,
    config,
    () => ({ dataDirBytes: 0, dataLogDirBytes: 0 }),
    () => 0n,
    membershipVersion,
  );
  service.fourLetterWordHandler = (word, payload, conn) => words.answer(word, payload, conn);
  const client = new RawClient(service);
  client.send(Buffer.from("conf"));
  return client.transport.take().toString();
}

/** The part of a conf answer from serverId= on, which depends only on the configuration. */
function quorumPart(answer: string): string {
  return answer.slice(answer.indexOf("serverId="));
}

describe("conf on an ensemble member", () => {
  test("each member of ZooKeeper's three-participant ensemble gets ZooKeeper's quorum lines and membership", () => {
    // Reconfig was off, so ZooKeeper kept the membership at version 0: the value Paddock has before it runs.
    const capture = loadCapture("three-participants");
    for (const [id, member] of Object.entries(capture.members)) {
      withMemberDir(id, member.cfg, ({ zooCfg }) => {
        const answer = conf(loadZooCfg(zooCfg).config);
        assert.equal(quorumPart(answer), quorumPart(member.conf), `member ${id}`);
        assert.ok(answer.startsWith(`clientPort=${/^clientPort=(\d+)/.exec(member.conf)![1]}\n`));
      });
    }
  });

  test("an observer reports peerType=1 and the membership version the ensemble runs with", () => {
    // The version is the running ensemble's (0x100000000, the first leader's NEWLEADER zxid), fed by a callback.
    const capture = loadCapture("observer-reconfig-enabled");
    for (const [id, member] of Object.entries(capture.members)) {
      withMemberDir(id, member.files!["zoo.cfg.bak"]!, ({ zooCfg }) => {
        const answer = conf(loadZooCfg(zooCfg).config, () => 0x100000000n);
        assert.equal(quorumPart(answer), quorumPart(member.conf), `member ${id}`);
      });
    }
  });

  test("a standalone server's conf ends at serverId, as ZooKeeper's standalone server's does", () => {
    // One listed participant with standaloneEnabled runs standalone, so there is no quorum part.
    const { config } = parseZooCfg("4lw.commands.whitelist=conf\nserver.1=127.0.0.1:2888:3888", "zoo.cfg");
    const answer = conf(config);
    assert.ok(answer.endsWith("clientPortListenBacklog=-1\nserverId=0\n"), answer);
  });
});
