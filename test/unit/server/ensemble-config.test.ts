// Ensemble configuration as ZooKeeper 3.8 reads it: the zoo.cfg shapes client libraries' test
// harnesses and ZooKeeper's own documentation use must load unchanged, peerType and the dynamic
// file follow QuorumPeerConfig, -D properties yield to zoo.cfg lines, and every ensemble mistake
// stops start-up with a message naming the setting, where it is and what to do.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import {
  ConfigError,
  isDistributed,
  loadZooCfg,
  type ParseOptions,
  parseZooCfg,
  type ServerConfig,
  type SystemProperty,
  zooCfgKeyFor,
} from "../../../src/server/config.js";

function parse(text: string, options: ParseOptions = {}): { config: ServerConfig; warnings: string[] } {
  return parseZooCfg(text, "zoo.cfg", options);
}

function rejection(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail("expected the configuration to be refused");
}

/** Writes zoo.cfg (with dataDir pointing into `dir`) and myid, then loads it. */
function load(
  dir: string,
  lines: string[],
  myid: string | undefined,
  systemProperties: SystemProperty[] = [],
): { config: ServerConfig; warnings: string[]; path: string } {
  const dataDir = join(dir, "data");
  mkdirSync(dataDir, { recursive: true });
  if (myid !== undefined) writeFileSync(join(dataDir, "myid"), myid);
  const path = join(dir, "zoo.cfg");
  writeFileSync(path, lines.join("\n").replaceAll("DATADIR", dataDir));
  return { ...loadZooCfg(path, systemProperties), path };
}

function withDir<T>(run: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "paddock-ensemble-config-"));
  try {
    return run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("zoo.cfg files written for ZooKeeper load unchanged", () => {
  test("kazoo's test harness member file, as kazoo/testing/common.py writes it", () => {
    // A leading blank line, authProvider.1 for SASL, 4lw and reconfig from the harness, then the
    // server lines with this member first, each with :participant, and peerType; myid without newline.
    const text = [
      "",
      "tickTime=2000",
      "dataDir=DATADIR",
      "clientPort=20010",
      "maxClientCnxns=0",
      "admin.serverPort=20013",
      "authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider",
      "4lw.commands.whitelist=*",
      "reconfigEnabled=true",
      "",
      "",
      "initLimit=4",
      "syncLimit=2",
      "server.2=localhost:20012:20011:participant",
      "server.1=localhost:20002:20001:participant",
      "server.3=localhost:20022:20021:participant",
      "peerType=participant",
      "",
    ];
    withDir((dir) => {
      const { config, warnings } = load(dir, text, "2");
      assert.equal(config.serverId, 2);
      assert.equal(isDistributed(config), true);
      assert.deepEqual(
        config.servers.map((s) => `${s.id}=${s.host}:${s.quorumPort}:${s.electionPort}:${s.role}`),
        [
          "1=localhost:20002:20001:participant",
          "2=localhost:20012:20011:participant",
          "3=localhost:20022:20021:participant",
        ],
      );
      assert.equal(config.clientPort, 20010);
      assert.equal(config.initLimitTicks, 4);
      assert.equal(config.syncLimitTicks, 2);
      assert.equal(config.reconfigEnabled, true);
      assert.equal(config.peerType, "participant");
      // authProvider.1 names the SASL provider, a security key Paddock reads: no warning.
      assert.deepEqual(warnings, []);
    });
  });

  test("kazoo's harness with an observer (ZOOKEEPER_OBSERVER_START_ID) makes that member an observer", () => {
    // The observer's own file says peerType=observer and every file marks its line :observer.
    withDir((dir) => {
      const { config, warnings } = load(
        dir,
        [
          "tickTime=2000",
          "dataDir=DATADIR",
          "clientPort=20030",
          "initLimit=4",
          "syncLimit=2",
          "server.4=localhost:20032:20031:observer",
          "server.1=localhost:20002:20001:participant",
          "server.2=localhost:20012:20011:participant",
          "server.3=localhost:20022:20021:participant",
          "peerType=observer",
        ],
        "4",
      );
      assert.equal(config.peerType, "observer");
      assert.equal(config.servers.find((s) => s.id === 4)?.role, "observer");
      assert.deepEqual(warnings, []);
    });
  });

  test("go-zookeeper's test cluster file, as its ServerConfig.Marshall writes it", () => {
    // 127.0.0.1 with peer and election ports, a static clientPort, standaloneEnabled=false, reconfigEnabled=true.
    const text = [
      "admin.enableServer=false",
      "dataDir=DATADIR",
      "tickTime=500",
      "initLimit=10",
      "syncLimit=5",
      "clientPort=13000",
      "reconfigEnabled=true",
      "4lw.commands.whitelist=*",
      "standaloneEnabled=false",
      "server.1=127.0.0.1:13001:13002",
      "server.2=127.0.0.1:13004:13005",
      "server.3=127.0.0.1:13007:13008",
      "",
    ];
    withDir((dir) => {
      const { config, warnings } = load(dir, text, "1\n");
      assert.equal(config.serverId, 1);
      assert.equal(config.standaloneEnabled, false);
      assert.equal(config.tickTimeMs, 500);
      assert.equal(config.servers.length, 3);
      assert.deepEqual(warnings, []);
    });
  });

  test("ZooKeeper's getting-started replicated example", () => {
    // zookeeperStarted.md "Running Replicated ZooKeeper".
    const { config, warnings } = parse(
      "tickTime=2000\ndataDir=/var/lib/zookeeper\nclientPort=2181\ninitLimit=5\nsyncLimit=2\n" +
        "server.1=zoo1:2888:3888\nserver.2=zoo2:2888:3888\nserver.3=zoo3:2888:3888\n",
    );
    assert.equal(config.servers.length, 3);
    assert.deepEqual(warnings, []);
  });

  test("ZooKeeper's reconfig guide: the static file and its dynamic file", () => {
    // zookeeperReconfig.md Example 1: zoo_replicated1.cfg names zoo_replicated1.cfg.dynamic, whose
    // name has no hex suffix, so the version is 0.
    const files: Record<string, string> = {
      "/zookeeper/conf/zoo_replicated1.cfg.dynamic":
        "server.1=125.23.63.23:2780:2783:participant;2791\n" +
        "server.2=125.23.63.24:2781:2784:participant;2792\n" +
        "server.3=125.23.63.25:2782:2785:participant;2793\n",
    };
    const { config, warnings } = parseZooCfg(
      "tickTime=2000\ndataDir=/zookeeper/data/zookeeper1\ninitLimit=5\nsyncLimit=2\n" +
        "dynamicConfigFile=/zookeeper/conf/zoo_replicated1.cfg.dynamic\n",
      "zoo_replicated1.cfg",
      { readFile: (path) => files[path]! },
    );
    assert.equal(config.dynamicConfigFile, "/zookeeper/conf/zoo_replicated1.cfg.dynamic");
    assert.equal(config.configVersion, 0n);
    assert.deepEqual(
      config.servers.map((s) => [s.id, s.clientAddress, s.clientPort]),
      [
        [1, undefined, 2791],
        [2, undefined, 2792],
        [3, undefined, 2793],
      ],
    );
    assert.deepEqual(warnings, []);
  });

  test("ZooKeeper's reconfig guide: the backward-compatible form and the spellings of server.5", () => {
    // A static clientPort beside :participant lines, and "server.5 = ..." with spaces and client addresses.
    const { config, warnings } = parse(
      "tickTime=2000\ndataDir=/zookeeper/data/zookeeper1\ninitLimit=5\nsyncLimit=2\nclientPort=2791\n" +
        "server.1=125.23.63.23:2780:2783:participant\nserver.2=125.23.63.24:2781:2784:participant\n" +
        "server.3=125.23.63.25:2782:2785:participant\n" +
        "server.5 = 125.23.63.26:1234:1235;125.23.63.24:1236\n",
    );
    assert.equal(config.servers[3]?.clientAddress, "125.23.63.24");
    assert.deepEqual(warnings, [
      "zoo.cfg line 6: 4 participants tolerate no more failures than 3 would; use an odd number",
    ]);
  });

  test("ZooKeeper's observers guide: peerType=observer and a server line written with ':'", () => {
    // zookeeperObservers.md writes "server.1:localhost:2181:3181:observer"; Properties splits at the first ':'.
    withDir((dir) => {
      const { config, warnings } = load(
        dir,
        [
          "dataDir=DATADIR",
          "clientPort=2191",
          "peerType=observer",
          "server.1:localhost:2181:3181:observer",
          "server.2=localhost:2182:3182",
          "server.3=localhost:2183:3183",
        ],
        "1",
      );
      assert.equal(config.peerType, "observer");
      assert.equal(config.servers[0]?.role, "observer");
      assert.deepEqual(warnings, [
        "zoo.cfg line 4: no server failure will be tolerated; use at least 3 servers".replace(
          "zoo.cfg",
          join(dir, "zoo.cfg"),
        ),
      ]);
    });
  });
});

describe("peerType", () => {
  test("a peerType that disagrees with this server's line warns and the line wins", () => {
    // QuorumPeerConfig.setupPeerType: "Peer type from servers list ... doesn't match peerType".
    withDir((dir) => {
      const servers = ["server.1=a:1:2", "server.2=b:1:2", "server.3=c:1:2:observer"];
      const asObserver = load(dir, ["dataDir=DATADIR", "peerType=observer", ...servers], "1");
      assert.equal(asObserver.config.peerType, "participant");
      assert.deepEqual(asObserver.warnings, [
        `${asObserver.path} line 3: no server failure will be tolerated; use at least 3 servers`,
        `${asObserver.path}: peerType=observer (line 2) does not match: server.1 is a participant in the server ` +
          "list; using participant, as ZooKeeper does. Set peerType=participant to silence this",
      ]);
    });
  });

  test("a standalone server with peerType=observer runs as a participant with a warning", () => {
    // A server outside any list has the participant role in ZooKeeper.
    withDir((dir) => {
      const { config, warnings, path } = load(dir, ["dataDir=DATADIR", "peerType=observer"], undefined);
      assert.equal(config.peerType, "participant");
      assert.deepEqual(warnings, [
        `${path}: peerType=observer (line 2) does not match: this server is not in a server list; ` +
          "using participant, as ZooKeeper does. Set peerType=participant to silence this",
      ]);
    });
  });

  test("peerType accepts participant and observer in any case, and nothing else", () => {
    assert.equal(parse("peerType=OBSERVER").config.peerType, "observer");
    assert.equal(
      rejection(() => parse("peerType=voter")),
      "PDK_CONFIG_INVALID: zoo.cfg line 1: peerType=voter is not participant or observer",
    );
  });
});

describe("dynamicConfigFile", () => {
  const THREE = "server.1=a:2888:3888\nserver.2=b:2888:3888\nserver.3=c:2888:3888";

  test("a relative path is read from the working directory and the version comes from its name", () => {
    // ZooKeeper opens the path with FileInputStream, i.e. against the working directory, and takes
    // the hex after the last dot as the version (getVersionFromFilename).
    const read: string[] = [];
    const { config } = parse("dynamicConfigFile=conf/zoo.cfg.dynamic.2000000a3", {
      readFile: (path) => {
        read.push(path);
        return THREE;
      },
    });
    assert.deepEqual(read, [resolve("conf/zoo.cfg.dynamic.2000000a3")]);
    assert.equal(config.dynamicConfigFile, resolve("conf/zoo.cfg.dynamic.2000000a3"));
    assert.equal(config.configVersion, 0x2000000a3n);
    assert.equal(config.servers.length, 3);
  });

  test("a name without a hex suffix gives version 0", () => {
    for (const name of ["zoo.cfg.dynamic", "servers", "zoo.cfg.dynamic.ffffffffffffffff0"]) {
      assert.equal(
        parse(`dynamicConfigFile=/c/${name}`, { readFile: () => THREE }).config.configVersion,
        0n,
        name,
      );
    }
  });

  test("server lines in zoo.cfg beside dynamicConfigFile are refused, whichever comes first", () => {
    // QuorumPeerConfig: "parameter: server.1 must be in a separate dynamic config file".
    const message =
      "PDK_CONFIG_INVALID: zoo.cfg line 2: server.1 must be in the dynamic configuration file (line 1 sets " +
      "dynamicConfigFile); move the server lines there, as ZooKeeper requires";
    assert.equal(
      rejection(() => parse("dynamicConfigFile=/d\nserver.1=a:1:2", { readFile: () => THREE })),
      message,
    );
    assert.equal(
      rejection(() => parse("server.1=a:1:2\ndynamicConfigFile=/d", { readFile: () => THREE })),
      message.replace("line 2: server.1", "line 1: server.1").replace("(line 1 sets", "(line 2 sets"),
    );
  });

  test("the dynamic file may hold only server lines", () => {
    // ZooKeeper: "dynamic file shouldn't have version inside" and "Unrecognised parameter".
    const cases: [string, string][] = [
      [
        `${THREE}\nversion=100000000`,
        "/d/zoo.cfg.dynamic line 4: a dynamic configuration file must not contain version=; ZooKeeper takes " +
          "the version from the file name's hex suffix (zoo.cfg.dynamic.100000000), so remove the line or rename the file",
      ],
      [
        `tickTime=2000\n${THREE}`,
        "/d/zoo.cfg.dynamic line 1: tickTime does not belong in a dynamic configuration file, which holds only " +
          "server.N lines; move it to zoo.cfg",
      ],
      [
        `${THREE}\ngroup.1=1:2:3`,
        "/d/zoo.cfg.dynamic line 4: group.1: hierarchical quorums (group.N and weight.N lines) are not " +
          "supported; Paddock counts votes by majority, so remove the group and weight lines",
      ],
      [
        `${THREE}\nserver.3=c:2888:3889`,
        "/d/zoo.cfg.dynamic line 4: server.3 is listed twice with different addresses (line 3: c:2888:3888; " +
          "here: c:2888:3889); give each server its own N",
      ],
    ];
    for (const [dynamic, message] of cases) {
      assert.equal(
        rejection(() => parse("dynamicConfigFile=/d/zoo.cfg.dynamic", { readFile: () => dynamic })),
        `PDK_CONFIG_INVALID: ${message}`,
      );
    }
  });

  test("errors in server lines name the dynamic file, and messages about zoo.cfg lines say which file", () => {
    // An address clash inside the dynamic file is reported there, with the other line's location.
    assert.equal(
      rejection(() =>
        parse("dynamicConfigFile=/d/dyn", {
          readFile: () => "server.1=a:1:2\nserver.2=a:2:3\nserver.3=c:1:2",
        }),
      ),
      "PDK_CONFIG_INVALID: /d/dyn line 2: server.2 uses a:2 as its quorum port, which server.1 (line 1) " +
        "already uses as its election port; members on one host need their own ports",
    );
  });

  test("a dynamic file that cannot be read stops start-up naming it", () => {
    withDir((dir) => {
      const missing = join(dir, "zoo.cfg.dynamic.100000000");
      assert.match(
        rejection(() => load(dir, ["dataDir=DATADIR", `dynamicConfigFile=${missing}`], "1")),
        new RegExp(
          `^PDK_CONFIG_INVALID: ${missing}: cannot read the dynamic configuration file \\(dynamicConfigFile\\) \\(ENOENT`,
        ),
      );
    });
  });

  test("a static version= line beside the server lines is the config version", () => {
    // QuorumMaj reads version (hex) from the same properties as the server lines.
    assert.equal(parse(`${THREE}\nversion=100000000`).config.configVersion, 0x100000000n);
    assert.equal(
      rejection(() => parse("version=0x10")),
      "PDK_CONFIG_INVALID: zoo.cfg line 1: version=0x10 is not a configuration version (hex digits, as in version=100000000)",
    );
  });
});

describe("other quorum keys", () => {
  test("electionAlg=3 is accepted and any other value refused", () => {
    // ZooKeeper 3.8: "Invalid electionAlg value. Only 3 is supported."
    assert.deepEqual(parse("electionAlg=3").warnings, []);
    assert.equal(
      rejection(() => parse("electionAlg=0")),
      "PDK_CONFIG_INVALID: zoo.cfg line 1: electionAlg=0 is not supported: only 3 (fast leader election) exists; " +
        "remove the line or set 3",
    );
  });

  test("quorumListenOnAllIPs and reconfigEnabled are read as booleans", () => {
    const { config } = parse("quorumListenOnAllIPs=true\nreconfigEnabled=TRUE");
    assert.equal(config.quorumListenOnAllIPs, true);
    assert.equal(config.reconfigEnabled, true);
    assert.equal(parse("").config.quorumListenOnAllIPs, false);
    assert.equal(
      rejection(() => parse("quorumListenOnAllIPs=yes")),
      "PDK_CONFIG_INVALID: zoo.cfg line 1: quorumListenOnAllIPs=yes is not a boolean (true or false)",
    );
  });

  test("several addresses joined by | are refused with what to do", () => {
    // ZooKeeper needs multiAddress.enabled for them; Paddock has no multi-address transport.
    assert.equal(
      rejection(() => parse("server.1=a1:2888:3888|a2:2889:3889\nserver.2=b:2888:3888")),
      'PDK_CONFIG_INVALID: zoo.cfg line 1: server.1=a1:2888:3888|a2:2889:3889 lists several addresses joined by "|" ' +
        "(ZooKeeper's multiAddress.enabled), which Paddock does not support; keep one host:quorumPort:electionPort",
    );
  });
});

describe("duplicate ports", () => {
  // Each row: zoo.cfg text and the message it must be refused with.
  const cases: [string, string][] = [
    [
      "server.1=127.0.0.1:2888:3888;2181\nserver.2=127.0.0.1:2889:3889;2181",
      "zoo.cfg line 2: server.2 uses 127.0.0.1:2181 as its client port, which server.1 (line 1) already uses as " +
        "its client port; members on one host need their own ports",
    ],
    [
      "server.1=zk1:2888:2888\nserver.2=zk2:2888:3888",
      "zoo.cfg line 1: server.1=zk1:2888:2888 uses port 2888 as both quorum and election port; give the election its own port",
    ],
    [
      "server.1=zk1:2888:3888;2888\nserver.2=zk2:2888:3888",
      "zoo.cfg line 1: server.1 uses zk1:2888 as both its quorum port and its client port; give each its own port",
    ],
    [
      "server.1=ZK1:2888:3888\nserver.2=zk1:3888:4888",
      "zoo.cfg line 2: server.2 uses zk1:3888 as its quorum port, which server.1 (line 1) already uses as its " +
        "election port; members on one host need their own ports",
    ],
    [
      "server.1=127.0.0.1:2888:3888;127.0.0.1:2890\nserver.2=127.0.0.1:2890:3890",
      "zoo.cfg line 2: server.2 uses 127.0.0.1:2890 as its quorum port, which server.1 (line 1) already uses as " +
        "its client port; members on one host need their own ports",
    ],
  ];
  for (const [text, message] of cases) {
    test(`${text.replace("\n", " / ")} is refused`, () => {
      assert.equal(
        rejection(() => parse(text)),
        `PDK_CONFIG_INVALID: ${message}`,
      );
    });
  }

  test("the same ports on different hosts, and a wildcard client address on different hosts, are fine", () => {
    const { config } = parse(
      "server.1=zk1:2888:3888;0.0.0.0:2181\nserver.2=zk2:2888:3888;0.0.0.0:2181\nserver.3=zk3:2888:3888;2181",
    );
    assert.equal(config.servers.length, 3);
  });

  test("a static clientPort on a member's quorum port is refused once myid says which server this is", () => {
    // All members on 127.0.0.1: clientPort=2889 would collide with server.2's quorum port.
    withDir((dir) => {
      const path = join(dir, "zoo.cfg");
      assert.equal(
        rejection(() =>
          load(
            dir,
            [
              "dataDir=DATADIR",
              "clientPort=2889",
              "server.1=127.0.0.1:2888:3888",
              "server.2=127.0.0.1:2889:3889",
              "server.3=127.0.0.1:2890:3890",
            ],
            "1",
          ),
        ),
        `PDK_CONFIG_INVALID: ${path} line 2: clientPort=2889 makes this server listen for clients on 127.0.0.1:2889, ` +
          "which server.2 uses as its quorum port (line 4); pick a port nothing else uses",
      );
    });
  });
});

describe("-D system properties", () => {
  test("a property sets its zoo.cfg key, with or without the zookeeper. prefix", () => {
    // The properties ZooKeeper operators set through SERVER_JVMFLAGS.
    const { config, warnings } = parse("", {
      systemProperties: [
        { name: "zookeeper.skipACL", value: "yes" },
        {
          name: "zookeeper.DigestAuthenticationProvider.superDigest",
          value: "super:D/InIHSb7yEEbrWz8b9l71RjZJU=",
        },
        { name: "zookeeper.extendedTypesEnabled", value: "false" },
        { name: "zookeeper.4lw.commands.whitelist", value: "ruok,conf" },
        { name: "jute.maxbuffer", value: "0x400000" },
        { name: "readonlymode.enabled", value: "true" },
        { name: "java.security.auth.login.config", value: "conf/jaas.conf" },
        { name: "zookeeper.tickTime", value: "500" },
        { name: "snapCount", value: "5000" },
      ],
    });
    assert.equal(config.skipAcl, true);
    assert.equal(config.superDigest, "super:D/InIHSb7yEEbrWz8b9l71RjZJU=");
    assert.equal(config.extendedTypesEnabled, false);
    assert.deepEqual(config.fourLetterWordWhitelist, ["ruok", "conf"]);
    assert.equal(config.juteMaxBufferBytes, 0x400000);
    assert.equal(config.readOnlyModeEnabled, true);
    assert.equal(config.jaasLoginConfig, resolve("conf/jaas.conf"));
    assert.equal(config.tickTimeMs, 500);
    assert.equal(config.snapCount, 5000);
    assert.deepEqual(warnings, []);
  });

  test("a zoo.cfg line for the same key wins over the property, with a warning", () => {
    // Checked against ZooKeeper 3.8: zoo.cfg skipACL=no beats -Dzookeeper.skipACL=yes, and the
    // same for 4lw.commands.whitelist, because QuorumPeerConfig sets zookeeper.<key> from the file.
    const { config, warnings } = parse("skipACL=no\n4lw.commands.whitelist=srvr", {
      systemProperties: [
        { name: "zookeeper.skipACL", value: "yes" },
        { name: "zookeeper.4lw.commands.whitelist", value: "*" },
      ],
    });
    assert.equal(config.skipAcl, false);
    assert.deepEqual(config.fourLetterWordWhitelist, ["srvr"]);
    assert.deepEqual(warnings, [
      "command line: -Dzookeeper.skipACL=yes is overridden by zoo.cfg line 1 (skipACL=no): as in ZooKeeper, a " +
        "zoo.cfg setting replaces the system property",
      "command line: -Dzookeeper.4lw.commands.whitelist=* is overridden by zoo.cfg line 2 " +
        "(4lw.commands.whitelist=srvr): as in ZooKeeper, a zoo.cfg setting replaces the system property",
    ]);
  });

  test("a property given twice keeps the later value, with a warning", () => {
    const { config, warnings } = parse("", {
      systemProperties: [
        { name: "zookeeper.skipACL", value: "yes" },
        { name: "skipACL", value: "no" },
      ],
    });
    assert.equal(config.skipAcl, false);
    assert.deepEqual(warnings, [
      "command line: -DskipACL repeats -Dzookeeper.skipACL=yes; the later one wins",
    ]);
  });

  test("a bad property value stops start-up naming the argument", () => {
    assert.equal(
      rejection(() => parse("", { systemProperties: [{ name: "zookeeper.skipACL", value: "maybe" }] })),
      "PDK_CONFIG_INVALID: command line: -Dzookeeper.skipACL=maybe is not yes or no",
    );
  });

  test("session timeouts set by -D are checked against each other like zoo.cfg lines", () => {
    // The error names where the offending value came from.
    assert.equal(
      rejection(() =>
        parse("maxSessionTimeout=1000", { systemProperties: [{ name: "minSessionTimeout", value: "5000" }] }),
      ),
      "PDK_CONFIG_INVALID: command line: minSessionTimeout (5000 ms) is larger than maxSessionTimeout (1000 ms); " +
        "minSessionTimeout must be <= maxSessionTimeout (-1 means 2 × tickTime and 20 × tickTime)",
    );
  });

  test("zooCfgKeyFor knows settings and nothing else", () => {
    assert.equal(zooCfgKeyFor("zookeeper.skipACL"), "skipACL");
    assert.equal(zooCfgKeyFor("zookeeper.jute.maxbuffer"), "zookeeper.jute.maxbuffer");
    assert.equal(zooCfgKeyFor("zookeeper.log.dir"), undefined);
    assert.equal(zooCfgKeyFor("log4j.configuration"), undefined);
    assert.equal(zooCfgKeyFor("zookeeper.server.1"), undefined);
    assert.equal(
      zooCfgKeyFor("zookeeper.version"),
      undefined,
      "ZooKeeper's build property, not the config version",
    );
    assert.equal(zooCfgKeyFor("dynamicConfigFile"), undefined);
  });
});
