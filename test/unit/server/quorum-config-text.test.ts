// The membership text of /zookeeper/config and conf, checked byte for byte against what Apache
// ZooKeeper 3.8 answered on real loopback ensembles (test/fixtures/zookeeper-ensemble), and read
// back. Each member's own zoo.cfg is loaded with Paddock's loader, so the client-address rule (a
// static clientPort is not printed) is checked from the same input ZooKeeper had.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError, loadZooCfg } from "../../../src/server/config.js";
import type { QuorumServer } from "../../../src/server/ensemble-config.js";
import { formatQuorumConfig, parseQuorumConfig } from "../../../src/server/quorum-config-text.js";
import { loadCapture, withMemberDir } from "../../support/zookeeper-ensemble-fixture.js";

function participant(id: number, extra: Partial<QuorumServer> = {}): QuorumServer {
  return {
    id,
    host: "127.0.0.1",
    quorumPort: 2887 + id,
    electionPort: 3887 + id,
    role: "participant",
    ...extra,
  };
}

describe("formatQuorumConfig against ZooKeeper 3.8", () => {
  test("three participants with reconfig off print version=0 and client parts only from server lines", () => {
    // server.1 names its client address, server.2 only a port (0.0.0.0), server.3 uses a static
    // clientPort: ZooKeeper printed the same text on every member, and so must Paddock from each zoo.cfg.
    const capture = loadCapture("three-participants");
    for (const [id, member] of Object.entries(capture.members)) {
      withMemberDir(id, member.cfg, ({ zooCfg }) => {
        const { config } = loadZooCfg(zooCfg);
        assert.equal(config.configVersion, 0n);
        assert.equal(formatQuorumConfig(config.servers, 0n), member.config, `member ${id}`);
      });
    }
  });

  test("members 3, 17, 30 and observer 45 print in ZooKeeper's HashMap order with the leader's version", () => {
    // ZooKeeper iterates a HashMap<Long, QuorumServer>: ids by bucket (id mod 16), so 17, 3, 45, 30.
    // reconfigEnabled=true made the first leader stamp the NEWLEADER zxid 0x100000000 as the version.
    const capture = loadCapture("observer-reconfig-enabled");
    for (const [id, member] of Object.entries(capture.members)) {
      withMemberDir(id, member.files!["zoo.cfg.bak"]!, ({ zooCfg }) => {
        const { config } = loadZooCfg(zooCfg);
        assert.equal(formatQuorumConfig(config.servers, 0x100000000n), member.config, `member ${id}`);
      });
    }
  });

  test("ids 1 and 17 share a HashMap bucket: ZooKeeper printed 1, 17, 2 and so does Paddock", () => {
    // Within a bucket Java keeps insertion order; for this ensemble it was ascending, as Paddock assumes.
    for (const [id, member] of Object.entries(loadCapture("shared-bucket").members)) {
      withMemberDir(id, member.cfg, ({ zooCfg }) => {
        const { config } = loadZooCfg(zooCfg);
        assert.equal(formatQuorumConfig(config.servers, 0n), member.config, `member ${id}`);
      });
    }
    assert.match(
      loadCapture("shared-bucket").members["1"]!.config,
      /^server\.1=.*\nserver\.17=.*\nserver\.2=/,
    );
  });

  test("the static and dynamic files ZooKeeper split zoo.cfg into load to the same members and version", () => {
    // With reconfig on, ZooKeeper rewrote each zoo.cfg to name zoo.cfg.dynamic.100000000 (no version
    // line inside, no trailing newline, lines sorted as strings). Paddock must start from those files.
    const capture = loadCapture("observer-reconfig-enabled");
    for (const [id, member] of Object.entries(capture.members)) {
      const files = member.files!;
      const dynamic = { "zoo.cfg.dynamic.100000000": files["zoo.cfg.dynamic.100000000"]! };
      withMemberDir(
        id,
        files["zoo.cfg"]!,
        ({ zooCfg }) => {
          const { config, warnings } = loadZooCfg(zooCfg);
          assert.equal(config.configVersion, 0x100000000n);
          assert.equal(formatQuorumConfig(config.servers, config.configVersion), member.config);
          assert.equal(config.peerType, id === "45" ? "observer" : "participant");
          // ZooKeeper's split drops peerType from zoo.cfg, so on restart it warns that the observer's
          // line disagrees with the default; Paddock says the same, and the line wins.
          assert.deepEqual(
            warnings,
            id === "45"
              ? [
                  `${zooCfg}: peerType (not set) does not match: server.45 is an observer in the server list; ` +
                    "using observer, as ZooKeeper does. Set peerType=observer to silence this",
                ]
              : [],
          );
        },
        dynamic,
      );
    }
  });

  test("IPv6 hosts and client addresses are printed in brackets", () => {
    // QuorumServer.delimitedHostString brackets any host containing a colon.
    const text = formatQuorumConfig(
      [
        participant(1, { host: "::1", clientAddress: "::1", clientPort: 2181 }),
        participant(2, { host: "fe80::2", role: "observer", clientPort: 2182 }),
      ],
      0x200000005n,
    );
    assert.equal(
      text,
      "server.1=[::1]:2888:3888:participant;[::1]:2181\nserver.2=[fe80::2]:2889:3889:observer;0.0.0.0:2182\nversion=200000005",
    );
  });

  test("ids sharing a bucket come in ascending order and a 13th member doubles the table", () => {
    // Twelve members fit 16 buckets (1 and 17 share bucket 1); thirteen need 32, where 17 has its own.
    const ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 17];
    const order = (list: number[]) =>
      [
        ...formatQuorumConfig(
          list.map((id) => participant(id)),
          0n,
        ).matchAll(/^server\.(\d+)/gm),
      ].map((m) => Number(m[1]));
    assert.deepEqual(order(ids), [1, 17, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert.deepEqual(order([...ids, 12]), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 17]);
  });
});

describe("parseQuorumConfig", () => {
  test("ZooKeeper's text parses to its members and formats back to the same bytes", () => {
    // The reconfig path will read this text back; a round trip must not change a byte.
    for (const name of ["three-participants", "observer-reconfig-enabled", "shared-bucket"]) {
      for (const member of Object.values(loadCapture(name).members)) {
        const { servers, version } = parseQuorumConfig(member.config);
        assert.equal(formatQuorumConfig(servers, version), member.config);
      }
    }
    const { servers, version } = parseQuorumConfig(
      loadCapture("observer-reconfig-enabled").members["3"]!.config,
    );
    assert.equal(version, 0x100000000n);
    assert.deepEqual(
      servers.map((s) => [s.id, s.role, s.clientAddress, s.clientPort]),
      [
        [3, "participant", undefined, undefined],
        [17, "participant", "0.0.0.0", 54381],
        [30, "participant", "127.0.0.1", 58915],
        [45, "observer", "0.0.0.0", 58921],
      ],
    );
  });

  test("text that is not membership text is refused with the line at fault", () => {
    // Each row: the text and the message after PDK_CONFIG_INVALID and the location.
    const cases: [string, string][] = [
      [
        "server.1=a:1:2:participant\n",
        '/zookeeper/config line 2: expected server.N=... or version=<hex>, found ""',
      ],
      ["server.1=a:1:2:participant", "/zookeeper/config: the last line must be version=<hex>"],
      [
        "version=0\nserver.1=a:1:2",
        '/zookeeper/config line 2: nothing may follow the version line, found "server.1=a:1:2"',
      ],
      ["version=xyz", '/zookeeper/config line 1: "xyz" is not a hex version'],
      ["server.1=a:1:2\nserver.1=b:1:2\nversion=0", "/zookeeper/config line 2: server.1 appears twice"],
      [
        "group.1=1\nversion=0",
        '/zookeeper/config line 1: expected server.N=... or version=<hex>, found "group.1=1"',
      ],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parseQuorumConfig(text),
        (error: unknown) =>
          error instanceof ConfigError && error.message === `PDK_CONFIG_INVALID: ${message}`,
        JSON.stringify(text),
      );
    }
  });
});
