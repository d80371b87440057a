// Tests for zoo.cfg parsing: ZooKeeper's defaults, every supported key, the java.util.Properties
// syntax real files use, server.N lines, the myid file and the four-letter-word whitelist rule.
// Every rejected value is checked for the message an operator would read.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import {
  ConfigError,
  defaultConfig,
  effectiveSessionTimeouts,
  FOUR_LETTER_WORDS,
  fourLetterWordEnabled,
  isDistributed,
  loadZooCfg,
  parseZooCfg,
  type ServerConfig,
} from "../../../src/server/config.js";

function parse(text: string): { config: ServerConfig; warnings: string[] } {
  return parseZooCfg(text, "zoo.cfg");
}

function parseError(text: string): ConfigError {
  try {
    parse(text);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${JSON.stringify(text)} to be rejected`);
}

const THREE_SERVERS = ["server.1=zk1:2888:3888", "server.2=zk2:2888:3888", "server.3=zk3:2888:3888"].join(
  "\n",
);

describe("defaults", () => {
  test("an empty zoo.cfg yields ZooKeeper's defaults with ./data as dataDir", () => {
    // Every field of an empty file's config must equal defaultConfig, and the defaults must be the documented ones.
    const { config, warnings } = parse("");
    assert.deepEqual(config, defaultConfig());
    assert.deepEqual(warnings, []);
    assert.equal(config.tickTimeMs, 2000);
    assert.equal(config.dataDir, resolve("data"));
    assert.equal(config.dataLogDir, config.dataDir);
    assert.equal(config.clientPort, 2181);
    assert.equal(config.clientPortAddress, "0.0.0.0");
    assert.equal(config.maxClientCnxns, 60);
    assert.equal(config.globalOutstandingLimit, 1000);
    assert.deepEqual(config.fourLetterWordWhitelist, ["srvr"]);
    assert.equal(config.juteMaxBufferBytes, 1048575);
    assert.equal(config.snapCount, 100000);
    assert.equal(config.preAllocSizeKb, 65536);
    assert.equal(config.autopurgeSnapRetainCount, 3);
    assert.equal(config.autopurgePurgeIntervalHours, 1);
    assert.equal(config.forceSync, true);
    assert.equal(config.skipAcl, false);
    assert.equal(config.superDigest, undefined);
    assert.equal(config.extendedTypesEnabled, true);
    assert.equal(config.enforceQuota, false);
    assert.equal(config.initLimitTicks, 10);
    assert.equal(config.syncLimitTicks, 5);
    assert.deepEqual(config.servers, []);
    assert.equal(config.standaloneEnabled, true);
    assert.equal(config.reconfigEnabled, false);
    assert.equal(config.readOnlyModeEnabled, false);
    assert.equal(config.localSessionsEnabled, false);
    assert.equal(config.adminServerEnabled, true);
    assert.equal(config.adminServerPort, 8080);
    // ZooKeeper's default is 0.0.0.0; Paddock keeps the admin port off the network unless asked.
    assert.equal(config.adminServerAddress, "127.0.0.1");
    assert.equal(config.adminCommandUrl, "/commands");
    assert.equal(config.adminIdleTimeoutMs, 30000);
    assert.equal(config.adminSnapshotEnabled, true);
    assert.equal(config.adminRestoreEnabled, true);
    assert.equal(config.adminRateLimiterIntervalMs, 300000);
    assert.deepEqual(config.metricsProvider, {});
    assert.equal(config.serverId, undefined);
  });

  test("session timeouts default to 2 and 20 ticks and follow tickTime", () => {
    // -1 in the config means "derive from tickTime", so changing tickTime moves both bounds.
    assert.deepEqual(effectiveSessionTimeouts(defaultConfig()), { minMs: 4000, maxMs: 40000 });
    assert.deepEqual(effectiveSessionTimeouts(parse("tickTime=3000").config), { minMs: 6000, maxMs: 60000 });
  });

  test("Apache ZooKeeper's zoo_sample.cfg parses without warnings", () => {
    // The file most deployments start from must be accepted as is.
    const sample = [
      "# The number of milliseconds of each tick",
      "tickTime=2000",
      "# The number of ticks that the initial",
      "# synchronization phase can take",
      "initLimit=10",
      "syncLimit=5",
      "dataDir=/tmp/zookeeper",
      "clientPort=2181",
      "#maxClientCnxns=60",
      "#autopurge.snapRetainCount=3",
      "#autopurge.purgeInterval=1",
      "",
      "## Metrics Providers",
      "#metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
      "#metricsProvider.httpPort=7000",
      "#metricsProvider.exportJvmInfo=true",
    ].join("\n");
    const { config, warnings } = parse(sample);
    assert.deepEqual(warnings, []);
    assert.equal(config.dataDir, "/tmp/zookeeper");
    assert.equal(config.dataLogDir, "/tmp/zookeeper");
  });

  test("the returned config cannot be modified by accident", () => {
    // Several subsystems share one config object; a write from one must not change the others' view.
    const { config } = parse(`${THREE_SERVERS}\n4lw.commands.whitelist=ruok\nmetricsProvider.httpPort=7000`);
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.servers));
    assert.ok(Object.isFrozen(config.servers[0]));
    assert.ok(Object.isFrozen(config.fourLetterWordWhitelist));
    assert.ok(Object.isFrozen(config.metricsProvider));
    assert.ok(Object.isFrozen(defaultConfig()));
  });
});

describe("each key", () => {
  // Each row: a zoo.cfg line, the field it sets and the value expected there.
  const cases: [string, keyof ServerConfig, unknown][] = [
    ["tickTime=500", "tickTimeMs", 500],
    ["dataDir=/var/lib/zk", "dataDir", "/var/lib/zk"],
    ["dataLogDir=/fast/zk", "dataLogDir", "/fast/zk"],
    ["clientPort=2182", "clientPort", 2182],
    ["clientPortAddress=127.0.0.1", "clientPortAddress", "127.0.0.1"],
    ["minSessionTimeout=1000", "minSessionTimeoutMs", 1000],
    ["minSessionTimeout=-1", "minSessionTimeoutMs", -1],
    ["maxSessionTimeout=90000", "maxSessionTimeoutMs", 90000],
    ["maxClientCnxns=0", "maxClientCnxns", 0],
    ["maxClientCnxns=500", "maxClientCnxns", 500],
    ["globalOutstandingLimit=5000", "globalOutstandingLimit", 5000],
    ["jute.maxbuffer=4194304", "juteMaxBufferBytes", 4194304],
    ["jute.maxbuffer=0x9fffff", "juteMaxBufferBytes", 0x9fffff],
    ["zookeeper.jute.maxbuffer=2000000", "juteMaxBufferBytes", 2000000],
    ["snapCount=50000", "snapCount", 50000],
    ["znode.container.checkIntervalMs=5000", "containerCheckIntervalMs", 5000],
    ["znode.container.maxPerMinute=100", "containerMaxPerMinute", 100],
    ["preAllocSize=131072", "preAllocSizeKb", 131072],
    ["autopurge.snapRetainCount=10", "autopurgeSnapRetainCount", 10],
    ["autopurge.purgeInterval=0", "autopurgePurgeIntervalHours", 0],
    ["autopurge.purgeInterval=24", "autopurgePurgeIntervalHours", 24],
    ["forceSync=no", "forceSync", false],
    ["forceSync=YES", "forceSync", true],
    ["skipACL=yes", "skipAcl", true],
    ["superDigest=super:D/InIHSb7yEEbrWz8b9l71RjZJU=", "superDigest", "super:D/InIHSb7yEEbrWz8b9l71RjZJU="],
    ["DigestAuthenticationProvider.superDigest=super:abc=", "superDigest", "super:abc="],
    ["zookeeper.DigestAuthenticationProvider.superDigest=super:abc=", "superDigest", "super:abc="],
    ["extendedTypesEnabled=true", "extendedTypesEnabled", true],
    ["zookeeper.extendedTypesEnabled=TRUE", "extendedTypesEnabled", true],
    ["enforceQuota=true", "enforceQuota", true],
    ["zookeeper.enforceQuota=false", "enforceQuota", false],
    ["initLimit=20", "initLimitTicks", 20],
    ["syncLimit=2", "syncLimitTicks", 2],
    ["standaloneEnabled=true", "standaloneEnabled", true],
    ["reconfigEnabled=true", "reconfigEnabled", true],
    ["readonlymode.enabled=true", "readOnlyModeEnabled", true],
    ["localSessionsEnabled=true", "localSessionsEnabled", true],
    ["admin.enableServer=false", "adminServerEnabled", false],
    ["admin.serverPort=9090", "adminServerPort", 9090],
    ["admin.serverAddress=0.0.0.0", "adminServerAddress", "0.0.0.0"],
    ["admin.commandURL=/zk/", "adminCommandUrl", "/zk"],
    ["admin.idleTimeout=5000", "adminIdleTimeoutMs", 5000],
    ["admin.snapshot.enabled=false", "adminSnapshotEnabled", false],
    ["admin.restore.enabled=false", "adminRestoreEnabled", false],
    ["admin.rateLimiterIntervalInMS=10", "adminRateLimiterIntervalMs", 10],
    ["4lw.commands.whitelist=ruok, stat ,mntr", "fourLetterWordWhitelist", ["ruok", "stat", "mntr"]],
  ];
  for (const [line, field, expected] of cases) {
    test(`${line} sets ${field}`, () => {
      // The key is read with ZooKeeper's meaning and produces no warning.
      const { config, warnings } = parse(line);
      assert.deepEqual(config[field], expected);
      assert.deepEqual(warnings, []);
    });
  }

  test("dataLogDir follows dataDir unless set", () => {
    // ZooKeeper keeps the log beside the snapshots when no separate log directory is named.
    assert.equal(parse("dataDir=/a").config.dataLogDir, "/a");
    assert.equal(parse("dataLogDir=/b\ndataDir=/a").config.dataLogDir, "/b");
  });

  test("relative dataDir and dataLogDir resolve against the working directory", () => {
    // ZooKeeper resolves paths with java.io.File, i.e. against the process's working directory.
    const { config } = parse("dataDir=zkdata\ndataLogDir=./logs/../txlog");
    assert.equal(config.dataDir, join(process.cwd(), "zkdata"));
    assert.equal(config.dataLogDir, join(process.cwd(), "txlog"));
  });

  test("metricsProvider keys are kept as strings without their prefix", () => {
    // The metrics subsystem interprets these; the config only carries them.
    const { config, warnings } = parse(
      "metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider\n" +
        "metricsProvider.httpPort=7000\nmetricsProvider.exportJvmInfo=true",
    );
    assert.deepEqual(config.metricsProvider, {
      className: "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
      httpPort: "7000",
      exportJvmInfo: "true",
    });
    assert.deepEqual(warnings, []);
  });

  test("counts below ZooKeeper's minimum are raised with a warning instead of failing", () => {
    // ZooKeeper logs and uses 3 snapshots / snapCount 2 / no purging rather than refusing to start.
    const { config, warnings } = parse(
      "autopurge.snapRetainCount=1\nsnapCount=1\nautopurge.purgeInterval=-1",
    );
    assert.equal(config.autopurgeSnapRetainCount, 3);
    assert.equal(config.snapCount, 2);
    assert.equal(config.autopurgePurgeIntervalHours, 0);
    assert.deepEqual(warnings, [
      "zoo.cfg line 1: autopurge.snapRetainCount=1 is below 3; using 3, as ZooKeeper does",
      "zoo.cfg line 2: snapCount=1 is below 2; using 2, as ZooKeeper does",
      "zoo.cfg line 3: autopurge.purgeInterval=-1 is negative; purging is disabled, as with 0",
    ]);
  });

  test("explicit session timeouts are used as written", () => {
    // Only -1 is derived from tickTime; any other value is taken literally.
    const { config } = parse("tickTime=1000\nminSessionTimeout=3000\nmaxSessionTimeout=7000");
    assert.deepEqual(effectiveSessionTimeouts(config), { minMs: 3000, maxMs: 7000 });
  });
});

describe("invalid values", () => {
  test("a non-numeric tickTime names the file, line, value, unit and range", () => {
    // The message is what an operator reads when the server refuses to start.
    const error = parseError("# comment\n\ntickTime=abc");
    assert.equal(
      error.message,
      "PDK_CONFIG_INVALID: zoo.cfg line 3: tickTime=abc is not a positive integer (milliseconds, 1..2147483647)",
    );
    assert.equal(error.code, "PDK_CONFIG_INVALID");
    assert.equal(error.source, "zoo.cfg");
    assert.equal(error.line, 3);
    assert.equal(error.name, "ConfigError");
  });

  // Each row: a zoo.cfg text and the message it must be rejected with (after the code and location).
  const cases: [string, string][] = [
    ["tickTime=0", "tickTime=0 is out of range (milliseconds, 1..2147483647)"],
    ["tickTime=2000ms", "tickTime=2000ms is not a positive integer (milliseconds, 1..2147483647)"],
    ["tickTime=2147483648", "tickTime=2147483648 is out of range (milliseconds, 1..2147483647)"],
    ["tickTime=", "tickTime= is not a positive integer (milliseconds, 1..2147483647)"],
    ["tickTime=1.5", "tickTime=1.5 is not a positive integer (milliseconds, 1..2147483647)"],
    ["dataDir=", "dataDir= is empty (a directory path)"],
    ["dataLogDir=", "dataLogDir= is empty (a directory path)"],
    ["clientPort=65536", "clientPort=65536 is out of range (TCP port, 1..65535)"],
    ["clientPort=0", "clientPort=0 is out of range (TCP port, 1..65535)"],
    ["clientPort=x", "clientPort=x is not a positive integer (TCP port, 1..65535)"],
    ["clientPortAddress=", "clientPortAddress= is empty (a host name or IP address)"],
    [
      "minSessionTimeout=0",
      "minSessionTimeout=0 is not -1 or a positive integer (milliseconds, 1..2147483647; -1 means 2 × tickTime)",
    ],
    [
      "maxSessionTimeout=-2",
      "maxSessionTimeout=-2 is not -1 or a positive integer (milliseconds, 1..2147483647; -1 means 20 × tickTime)",
    ],
    ["maxClientCnxns=-1", "maxClientCnxns=-1 is out of range (per client IP, 0 = unlimited, 0..2147483647)"],
    ["globalOutstandingLimit=0", "globalOutstandingLimit=0 is out of range (requests, 1..2147483647)"],
    ["jute.maxbuffer=1M", "jute.maxbuffer=1M is not a positive integer (bytes, 1..2147483647)"],
    ["jute.maxbuffer=0x0", "jute.maxbuffer=0x0 is out of range (bytes, 1..2147483647)"],
    ["jute.maxbuffer=0xffffffff", "jute.maxbuffer=0xffffffff is out of range (bytes, 1..2147483647)"],
    [
      "snapCount=many",
      "snapCount=many is not an integer (log entries between snapshots, -2147483648..2147483647)",
    ],
    ["preAllocSize=0", "preAllocSize=0 is out of range (kilobytes, 1..2147483647)"],
    [
      "autopurge.snapRetainCount=three",
      "autopurge.snapRetainCount=three is not an integer (snapshots, -2147483648..2147483647)",
    ],
    [
      "autopurge.purgeInterval=1h",
      "autopurge.purgeInterval=1h is not an integer (hours, 0 to disable, -2147483648..2147483647)",
    ],
    ["forceSync=true", "forceSync=true is not yes or no"],
    ["skipACL=1", "skipACL=1 is not yes or no"],
    [
      "superDigest=nocolon",
      "superDigest=nocolon is not user:digest (the digest is base64(sha1(user:password)))",
    ],
    [
      "superDigest=super:",
      "superDigest=super: is not user:digest (the digest is base64(sha1(user:password)))",
    ],
    ["extendedTypesEnabled=yes", "extendedTypesEnabled=yes is not a boolean (true or false)"],
    ["enforceQuota=1", "enforceQuota=1 is not a boolean (true or false)"],
    ["initLimit=0", "initLimit=0 is out of range (ticks, 1..2147483647)"],
    ["syncLimit=-5", "syncLimit=-5 is out of range (ticks, 1..2147483647)"],
    ["standaloneEnabled=on", "standaloneEnabled=on is not a boolean (true or false)"],
    ["reconfigEnabled=", "reconfigEnabled= is not a boolean (true or false)"],
    ["readonlymode.enabled=yes", "readonlymode.enabled=yes is not a boolean (true or false)"],
    ["localSessionsEnabled=no", "localSessionsEnabled=no is not a boolean (true or false)"],
    ["admin.enableServer=off", "admin.enableServer=off is not a boolean (true or false)"],
    ["admin.serverPort=99999", "admin.serverPort=99999 is out of range (TCP port, 1..65535)"],
    ["admin.serverAddress=", "admin.serverAddress= is empty (a host name or IP address)"],
    [
      "4lw.commands.whitelist=ruok,kill",
      '4lw.commands.whitelist=ruok,kill names "kill", which is not a four-letter word ' +
        "(valid: conf cons crst dump envi ruok srst srvr stat wchc wchp wchs mntr isro dirs hash gtmk stmk csnp, or * for all)",
    ],
    ["a=b\\u12", 'malformed \\uXXXX escape "\\u12" (four hex digits expected)'],
  ];
  for (const [text, detail] of cases) {
    test(`${text.split("\n")[0]} is rejected with a message naming the key and range`, () => {
      // The value is invalid, so start-up must stop with a ConfigError on the value's line.
      const error = parseError(text);
      assert.equal(error.message, `PDK_CONFIG_INVALID: zoo.cfg line 1: ${detail}`);
    });
  }

  test("minSessionTimeout above maxSessionTimeout is rejected on the minSessionTimeout line", () => {
    // ZooKeeper refuses min > max; the message gives both effective values.
    const error = parseError("tickTime=2000\nmaxSessionTimeout=5000\nminSessionTimeout=6000");
    assert.equal(error.line, 3);
    assert.match(error.message, /minSessionTimeout \(6000 ms\) is larger than maxSessionTimeout \(5000 ms\)/);
  });

  test("minSessionTimeout above the derived 20 × tickTime default is rejected", () => {
    // The derived maximum (40000 ms at tickTime 2000) counts even though maxSessionTimeout is unset.
    const error = parseError("minSessionTimeout=50000");
    assert.match(
      error.message,
      /^PDK_CONFIG_INVALID: zoo\.cfg line 1: minSessionTimeout \(50000 ms\) is larger than maxSessionTimeout \(40000 ms\)/,
    );
  });

  test("a maxSessionTimeout below the derived minimum is rejected", () => {
    // 2 × tickTime = 10000 ms exceeds the explicit maximum.
    const error = parseError("tickTime=5000\nmaxSessionTimeout=6000");
    assert.equal(error.line, 2);
  });
});

describe("java.util.Properties syntax", () => {
  test("key=value, key: value, key value and key = value all separate key from value", () => {
    // Properties accepts '=', ':' or whitespace as the separator, with optional whitespace around it.
    const { config } = parse(
      "tickTime=100\nclientPort: 2200\ninitLimit 7\nsyncLimit = 3\nmaxClientCnxns:9\nglobalOutstandingLimit\t\t11",
    );
    assert.equal(config.tickTimeMs, 100);
    assert.equal(config.clientPort, 2200);
    assert.equal(config.initLimitTicks, 7);
    assert.equal(config.syncLimitTicks, 3);
    assert.equal(config.maxClientCnxns, 9);
    assert.equal(config.globalOutstandingLimit, 11);
  });

  test("# and ! comment lines, blank lines and indentation are ignored", () => {
    // Comments may be indented; only the first non-blank character decides.
    const { config, warnings } = parse("# a\n! b\n   # c\n\n   \n\t\ttickTime=300\n  ! tickTime=1");
    assert.equal(config.tickTimeMs, 300);
    assert.deepEqual(warnings, []);
  });

  test("a # after a value is part of the value, not a comment", () => {
    // Properties has no trailing comments, so "2000 # ms" is an invalid number, not 2000.
    const error = parseError("tickTime=2000 # ms");
    assert.match(error.message, /tickTime=2000 # ms is not a positive integer/);
  });

  test("trailing whitespace around values is trimmed as ZooKeeper does", () => {
    // ZooKeeper trims keys and values after Properties has read them.
    const { config } = parse("dataDir=/srv/zk   \t\nclientPortAddress=  10.0.0.1  ");
    assert.equal(config.dataDir, "/srv/zk");
    assert.equal(config.clientPortAddress, "10.0.0.1");
  });

  test("CRLF and bare CR line endings are accepted and counted as one line each", () => {
    // Files edited on Windows or old Macs must parse, and line numbers must still be right.
    assert.equal(parse("tickTime=100\r\nclientPort=2300\r\n").config.clientPort, 2300);
    assert.equal(parse("tickTime=100\rclientPort=2301\r").config.clientPort, 2301);
    assert.equal(parseError("tickTime=100\r\n\r\nclientPort=x").line, 3);
  });

  test("a trailing backslash continues the line and the next line's indentation is dropped", () => {
    // Long whitelists are commonly split across lines this way.
    const { config, warnings } = parse("4lw.commands.whitelist=ruok,\\\n    stat,\\\n    mntr\ntickTime=100");
    assert.deepEqual(config.fourLetterWordWhitelist, ["ruok", "stat", "mntr"]);
    assert.equal(config.tickTimeMs, 100);
    assert.deepEqual(warnings, []);
  });

  test("an error in a continued setting is reported on the line the setting starts", () => {
    // The operator looks for the key, which is on the first physical line.
    const error = parseError("tickTime=100\nclientPort=\\\n  22x");
    assert.equal(error.line, 2);
    assert.match(error.message, /clientPort=22x/);
  });

  test("line numbers after a continued setting count physical lines", () => {
    // Continuation lines are still lines in the editor.
    const error = parseError("tickTime=1\\\n00\nclientPort=x");
    assert.equal(error.line, 3);
  });

  test("an even number of trailing backslashes is an escaped backslash, not a continuation", () => {
    // "\\\\" is one literal backslash, so the next line stands alone.
    const { config } = parse("dataDir=/a\\\\\ntickTime=100");
    assert.equal(config.dataDir, "/a\\");
    assert.equal(config.tickTimeMs, 100);
  });

  test("a continuation line that starts with # is value text, not a comment", () => {
    // Comment detection only applies to the start of a logical line.
    const { config } = parse("superDigest=super:\\\n#abc=");
    assert.equal(config.superDigest, "super:#abc=");
  });

  test("a comment line ending in a backslash does not swallow the next line", () => {
    // Comment lines are never continued.
    const { config } = parse("# see below \\\ntickTime=100");
    assert.equal(config.tickTimeMs, 100);
  });

  test("a backslash at the end of the file ends the last setting", () => {
    // There is no next line to continue onto, so the backslash is dropped.
    const { config } = parse("tickTime=100\\");
    assert.equal(config.tickTimeMs, 100);
  });

  test("escapes are decoded: \\t, \\u0041, an escaped separator, and an escaped other character", () => {
    // Properties decodes \t \n \r \f and \uXXXX, and drops the backslash before any other character.
    const { config } = parse(
      "dataDir=/a\\u0042c\nclientPortAddress=host\\:name\nadmin.serverAddress=\\x\\ty",
    );
    assert.equal(config.dataDir, "/aBc");
    assert.equal(config.clientPortAddress, "host:name");
    assert.equal(config.adminServerAddress, "x\ty");
  });

  test("an escaped '=' stays in the key", () => {
    // "tick\=Time" is the key "tick=Time", which Paddock does not know.
    const { config, warnings } = parse("tick\\=Time=5");
    assert.equal(config.tickTimeMs, 2000);
    assert.deepEqual(warnings, ['zoo.cfg line 1: unknown key "tick=Time" is ignored']);
  });

  test("the value may itself contain '=' and ':' after the separator", () => {
    // Only the first separator splits; superDigest values end in '=' and contain ':'.
    assert.equal(parse("superDigest = a:b=c:d=").config.superDigest, "a:b=c:d=");
    assert.equal(parse("superDigest:=x:y").config.superDigest, "=x:y");
  });
});

describe("unknown and repeated keys", () => {
  test("unknown keys warn with their line and never fail", () => {
    // Files written for ZooKeeper carry settings Paddock does not implement; they must not stop start-up.
    const { config, warnings } = parse(
      "someFutureKey=2281\ntickTime=100\nleaderServes=yes\nmetricsProvider.=x",
    );
    assert.equal(config.tickTimeMs, 100);
    assert.deepEqual(warnings, [
      'zoo.cfg line 1: unknown key "someFutureKey" is ignored',
      'zoo.cfg line 3: unknown key "leaderServes" is ignored',
      'zoo.cfg line 4: unknown key "metricsProvider." is ignored',
    ]);
  });

  test("a key set twice warns and the later line wins, as with Properties", () => {
    // Properties keeps the last value; an operator editing the first copy should be told.
    const { config, warnings } = parse("tickTime=100\ntickTime=200");
    assert.equal(config.tickTimeMs, 200);
    assert.deepEqual(warnings, ["zoo.cfg line 2: tickTime was already set on line 1; this line wins"]);
  });

  test("a setting given under two of its spellings counts as set twice", () => {
    // jute.maxbuffer and zookeeper.jute.maxbuffer are one setting.
    const { config, warnings } = parse("zookeeper.jute.maxbuffer=100\njute.maxbuffer=200");
    assert.equal(config.juteMaxBufferBytes, 200);
    assert.deepEqual(warnings, ["zoo.cfg line 2: jute.maxbuffer was already set on line 1; this line wins"]);
  });

  test("server.01 repeating server.1 exactly only warns", () => {
    // ZooKeeper parses the id as a number, so both lines describe server 1; the same address twice is harmless.
    const { config, warnings } = parse(`${THREE_SERVERS}\nserver.01=zk1:2888:3888`);
    assert.equal(config.servers.length, 3);
    assert.deepEqual(warnings, ["zoo.cfg line 4: server.1 repeats line 1"]);
  });

  test("server.01 and server.1 with different addresses are refused", () => {
    // ZooKeeper would silently keep the last; members reading different lines would disagree on the ensemble.
    assert.equal(
      parseError(`${THREE_SERVERS}\nserver.01=zk9:2888:3888`).message,
      "PDK_CONFIG_INVALID: zoo.cfg line 4: server.1 is listed twice with different addresses " +
        "(line 1: zk1:2888:3888; here: zk9:2888:3888); give each server its own N",
    );
  });
});

describe("four-letter-word whitelist", () => {
  test("by default only srvr is enabled", () => {
    // ZOOKEEPER-2693 closed the other words by default.
    const config = defaultConfig();
    assert.equal(fourLetterWordEnabled(config, "srvr"), true);
    assert.equal(fourLetterWordEnabled(config, "ruok"), false);
    assert.equal(fourLetterWordEnabled(config, "isro"), false);
  });

  test("srvr stays enabled even when the whitelist leaves it out", () => {
    // zkServer.sh status depends on srvr, so ZooKeeper always adds it.
    const { config } = parse("4lw.commands.whitelist=ruok");
    assert.equal(fourLetterWordEnabled(config, "srvr"), true);
    assert.equal(fourLetterWordEnabled(config, "ruok"), true);
    assert.equal(fourLetterWordEnabled(config, "stat"), false);
  });

  test("isro is enabled whenever read-only mode is on", () => {
    // Read-only-aware clients probe servers with isro.
    assert.equal(fourLetterWordEnabled(parse("readonlymode.enabled=true").config, "isro"), true);
    assert.equal(fourLetterWordEnabled(parse("readonlymode.enabled=false").config, "isro"), false);
    assert.equal(fourLetterWordEnabled(parse("4lw.commands.whitelist=isro").config, "isro"), true);
  });

  test("* enables every command, including when listed with others", () => {
    // ZooKeeper expands * to all known words.
    for (const value of ["*", "ruok, *", " * "]) {
      const { config } = parse(`4lw.commands.whitelist=${value}`);
      assert.deepEqual(config.fourLetterWordWhitelist, [...FOUR_LETTER_WORDS]);
      for (const word of FOUR_LETTER_WORDS) assert.equal(fourLetterWordEnabled(config, word), true);
    }
  });

  test("an empty whitelist or empty entries leave just srvr", () => {
    // Blank entries are skipped, as in ZooKeeper.
    const { config } = parse("4lw.commands.whitelist=, ,");
    assert.deepEqual(config.fourLetterWordWhitelist, []);
    assert.equal(fourLetterWordEnabled(config, "srvr"), true);
    assert.equal(fourLetterWordEnabled(config, "ruok"), false);
  });

  test("a word that is not a command is never enabled, even with *", () => {
    // Unknown input from a socket must not pass the check.
    assert.equal(fourLetterWordEnabled(parse("4lw.commands.whitelist=*").config, "kill"), false);
  });

  test("a command listed twice appears once", () => {
    // The conf output should not repeat itself.
    assert.deepEqual(parse("4lw.commands.whitelist=ruok,ruok").config.fourLetterWordWhitelist, ["ruok"]);
  });
});

describe("server.N lines", () => {
  test("a three-server ensemble is parsed into a list ordered by id", () => {
    // The common form host:quorumPort:electionPort defaults to participant with no client port.
    const { config, warnings } = parse(
      "server.3=zk3:2888:3888\nserver.1=zk1:2888:3888\nserver.2=zk2:2889:3889",
    );
    assert.deepEqual(config.servers, [
      { id: 1, host: "zk1", quorumPort: 2888, electionPort: 3888, role: "participant" },
      { id: 2, host: "zk2", quorumPort: 2889, electionPort: 3889, role: "participant" },
      { id: 3, host: "zk3", quorumPort: 2888, electionPort: 3888, role: "participant" },
    ]);
    assert.deepEqual(warnings, []);
    assert.equal(isDistributed(config), true);
  });

  test("role and client address are read from the 3.5+ long form", () => {
    // server.N=host:port:port:role;[addr:]port, role case-insensitive.
    const { config } = parse(
      `${THREE_SERVERS}\nserver.4=zk4:2888:3888:Observer;2181\nserver.5=zk5:2888:3888:participant;10.0.0.5:2182`,
    );
    assert.deepEqual(config.servers[3], {
      id: 4,
      host: "zk4",
      quorumPort: 2888,
      electionPort: 3888,
      role: "observer",
      clientPort: 2181,
    });
    assert.deepEqual(config.servers[4], {
      id: 5,
      host: "zk5",
      quorumPort: 2888,
      electionPort: 3888,
      role: "participant",
      clientAddress: "10.0.0.5",
      clientPort: 2182,
    });
  });

  test("bracketed IPv6 addresses keep their colons", () => {
    // The brackets are how ZooKeeper tells address colons from port separators.
    const { config } = parse(
      "server.1=[2001:db8::1]:2888:3888;[::1]:2181\nserver.2=[2001:db8::2]:2888:3888\nserver.3=[2001:db8::3]:2888:3888",
    );
    assert.equal(config.servers[0]?.host, "2001:db8::1");
    assert.equal(config.servers[0]?.clientAddress, "::1");
    assert.equal(config.servers[0]?.clientPort, 2181);
  });

  test("a single server line runs standalone with a warning", () => {
    // ZooKeeper ignores a lone server.N (HBase writes one) unless standaloneEnabled=false.
    const { config, warnings } = parse("server.1=localhost:2888:3888");
    assert.equal(isDistributed(config), false);
    assert.deepEqual(warnings, [
      "zoo.cfg line 1: only one server is listed, so it runs standalone (standaloneEnabled=true)",
    ]);
    assert.equal(isDistributed(parse("standaloneEnabled=false\nserver.1=localhost:2888:3888").config), true);
  });

  test("two or four participants warn about fault tolerance", () => {
    // ZooKeeper logs these: two servers tolerate no failure, an even count wastes one server.
    assert.deepEqual(parse("server.1=a:1:2\nserver.2=b:1:2").warnings, [
      "zoo.cfg line 1: no server failure will be tolerated; use at least 3 servers",
    ]);
    assert.deepEqual(parse(`${THREE_SERVERS}\nserver.4=zk4:2888:3888`).warnings, [
      "zoo.cfg line 1: 4 participants tolerate no more failures than 3 would; use an odd number",
    ]);
  });

  const format = "host:quorumPort:electionPort[:participant|observer][;[clientAddress:]clientPort]";
  const cases: [string, string][] = [
    ["server.1=zk1:2888", `server.1=zk1:2888 does not have the form ${format}`],
    [
      "server.1=zk1:2888:3888:participant:x",
      `server.1=zk1:2888:3888:participant:x does not have the form ${format}`,
    ],
    ["server.1=zk1:2888:3888;2181;x", `server.1=zk1:2888:3888;2181;x does not have the form ${format}`],
    ["server.1=zk1:2888:3888;a:b:2181", `server.1=zk1:2888:3888;a:b:2181 does not have the form ${format}`],
    ["server.1=:2888:3888", `server.1=:2888:3888 has an empty host (${format})`],
    ["server.1=zk1:x:3888", 'server.1=zk1:x:3888 has quorum port "x", which is not a TCP port (1..65535)'],
    ["server.1=zk1:2888:0", 'server.1=zk1:2888:0 has election port "0", which is not a TCP port (1..65535)'],
    [
      "server.1=zk1:2888:3888;70000",
      'server.1=zk1:2888:3888;70000 has client port "70000", which is not a TCP port (1..65535)',
    ],
    [
      "server.1=zk1:2888:3888:voter",
      'server.1=zk1:2888:3888:voter has role "voter" (participant or observer)',
    ],
    ["server.1=[::1:2888:3888", `server.1=[::1:2888:3888 has "[" without a matching "]:" (${format})`],
    ["server.x=zk1:2888:3888", 'server.x: "x" is not a server id (0..255)'],
    ["server.256=zk1:2888:3888", 'server.256: "256" is not a server id (0..255)'],
    ["server.=zk1:2888:3888", 'server.: "" is not a server id (0..255)'],
  ];
  for (const [text, detail] of cases) {
    test(`${text} is rejected`, () => {
      // A malformed member address would make the ensemble unreachable, so start-up stops.
      assert.equal(parseError(text).message, `PDK_CONFIG_INVALID: zoo.cfg line 1: ${detail}`);
    });
  }

  test("two servers sharing a host and port are rejected on the later line", () => {
    // ZooKeeper's checkAddressDuplicate: both would try to bind the same socket.
    const error = parseError("server.1=zk1:2888:3888\nserver.2=zk2:2888:3888\nserver.3=zk1:3888:4888");
    assert.equal(
      error.message,
      "PDK_CONFIG_INVALID: zoo.cfg line 3: server.3 uses zk1:3888 as its quorum port, which server.1 " +
        "(line 1) already uses as its election port; members on one host need their own ports",
    );
  });

  test("an ensemble of only observers is rejected", () => {
    // Nobody could vote.
    assert.equal(
      parseError("server.1=a:1:2:observer").message,
      "PDK_CONFIG_INVALID: zoo.cfg line 1: server.N lines list only observers, so no server can vote; " +
        "make at least one of them a participant (drop :observer from its line)",
    );
  });

  test("observers beside a single standalone participant are rejected", () => {
    // ZooKeeper: "Observers w/o quorum is an invalid configuration".
    assert.equal(
      parseError("server.1=a:1:2\nserver.2=b:1:3:observer").message,
      "PDK_CONFIG_INVALID: zoo.cfg line 1: observers need a quorum of at least two participants " +
        "(or standaloneEnabled=false for a quorum of one)",
    );
  });

  test("standaloneEnabled=false without server lines is rejected", () => {
    // With standalone mode off there must be an ensemble to join.
    assert.equal(
      parseError("standaloneEnabled=false").message,
      "PDK_CONFIG_INVALID: zoo.cfg line 1: standaloneEnabled=false needs server.N lines; " +
        "list this server (and any others) as server.N=host:quorumPort:electionPort",
    );
  });

  test("server ids above 254 are rejected when TTL nodes are enabled", () => {
    // extendedTypesEnabled reserves 0xff in the session id's top byte.
    const error = parseError(`extendedTypesEnabled=true\n${THREE_SERVERS}\nserver.255=zk4:2888:3888`);
    assert.equal(error.line, 5);
    assert.match(error.message, /server\.255 is above 254/);
  });
});

describe("loadZooCfg and myid", () => {
  function withDir(run: (dir: string) => void): void {
    const dir = mkdtempSync(join(tmpdir(), "paddock-config-"));
    try {
      run(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  function writeCfg(dir: string, lines: string[], myid?: string): string {
    const dataDir = join(dir, "data");
    mkdirSync(dataDir);
    if (myid !== undefined) writeFileSync(join(dataDir, "myid"), myid);
    const path = join(dir, "zoo.cfg");
    writeFileSync(path, [`dataDir=${dataDir}`, ...lines].join("\n"));
    return path;
  }

  function loadError(path: string): ConfigError {
    try {
      loadZooCfg(path);
    } catch (error) {
      assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
      return error;
    }
    assert.fail("expected loadZooCfg to fail");
  }

  test("serverId comes from dataDir/myid, newline and all", () => {
    // `echo 2 > myid` writes "2\n"; ZooKeeper reads the first line.
    withDir((dir) => {
      const { config, warnings } = loadZooCfg(writeCfg(dir, [THREE_SERVERS], "2\n"));
      assert.equal(config.serverId, 2);
      assert.deepEqual(warnings, []);
      assert.ok(Object.isFrozen(config));
    });
  });

  test("a standalone server without myid has no serverId", () => {
    // Standalone ZooKeeper does not need a myid file.
    withDir((dir) => {
      assert.equal(loadZooCfg(writeCfg(dir, ["tickTime=100"])).config.serverId, undefined);
    });
  });

  test("an ensemble member without myid is rejected with the path to write", () => {
    // Without myid the server cannot know which server.N it is.
    withDir((dir) => {
      const path = writeCfg(dir, [THREE_SERVERS]);
      const myid = join(dir, "data", "myid");
      assert.equal(
        loadError(path).message,
        `PDK_CONFIG_INVALID: ${myid}: the server.N lines in ${path} describe an ensemble but this myid ` +
          `file is missing; write this server's N into it (echo N > ${myid})`,
      );
    });
  });

  test("a myid with no matching server.N line is rejected", () => {
    // ZooKeeper fails with "My id 7 not in the peer list".
    withDir((dir) => {
      const path = writeCfg(dir, [THREE_SERVERS], "7");
      const myid = join(dir, "data", "myid");
      assert.equal(
        loadError(path).message,
        `PDK_CONFIG_INVALID: ${myid} line 1: myid is 7 but ${path} has no server.7 line (it lists 1, 2, 3); ` +
          `write this server's N into ${myid}, or add a server.7 line on every member`,
      );
    });
  });

  test("a myid that is not a number is rejected naming the myid file", () => {
    // The error must point at the file to fix, which is not zoo.cfg.
    withDir((dir) => {
      const path = writeCfg(dir, [THREE_SERVERS], "one\n");
      const myid = join(dir, "data", "myid");
      assert.equal(
        loadError(path).message,
        `PDK_CONFIG_INVALID: ${myid} line 1: "one" is not a server id (0..254, as extendedTypesEnabled=true); write this server's N from server.N`,
      );
    });
  });

  test("a myid of 255 is rejected when TTL nodes are enabled", () => {
    // extendedTypesEnabled limits ids to 0..254.
    withDir((dir) => {
      const path = writeCfg(dir, ["extendedTypesEnabled=true", THREE_SERVERS], "255");
      assert.match(
        loadError(path).message,
        /"255" is not a server id \(0\.\.254, as extendedTypesEnabled=true\)/,
      );
    });
  });

  test("the client port on this server's server.N line becomes clientPort", () => {
    // 3.5+ ensembles may keep the client port in the member line instead of clientPort.
    withDir((dir) => {
      const path = writeCfg(
        dir,
        ["server.1=zk1:2888:3888;2191", "server.2=zk2:2888:3888;10.0.0.2:2192", "server.3=zk3:2888:3888"],
        "2",
      );
      const { config } = loadZooCfg(path);
      assert.equal(config.clientPort, 2192);
      assert.equal(config.clientPortAddress, "10.0.0.2");
    });
  });

  test("a server.N client port that contradicts clientPort is rejected", () => {
    // ZooKeeper refuses to guess which of two different client ports is meant.
    withDir((dir) => {
      const path = writeCfg(
        dir,
        ["clientPort=2181", "server.1=zk1:2888:3888;2191", "server.2=zk2:2888:3888"],
        "1",
      );
      const error = loadError(path);
      assert.equal(error.line, 3);
      assert.match(
        error.message,
        /server\.1 gives client port 2191 but line 2 sets clientPort=2181; keep one of them/,
      );
    });
  });

  test("a server.N client address that contradicts clientPortAddress is rejected", () => {
    // Same rule for the address.
    withDir((dir) => {
      const path = writeCfg(
        dir,
        ["clientPortAddress=10.0.0.9", "server.1=zk1:2888:3888;10.0.0.1:2181", "server.2=zk2:2888:3888"],
        "1",
      );
      assert.match(
        loadError(path).message,
        /gives client address 10\.0\.0\.1 but line 2 sets clientPortAddress=10\.0\.0\.9/,
      );
    });
  });

  test("a server.N client port that agrees with clientPort is accepted", () => {
    // Writing the same port in both places is redundant, not wrong.
    withDir((dir) => {
      const path = writeCfg(
        dir,
        ["clientPort=2191", "server.1=zk1:2888:3888;2191", "server.2=zk2:2888:3888"],
        "1",
      );
      assert.equal(loadZooCfg(path).config.clientPort, 2191);
    });
  });

  test("a missing zoo.cfg is a ConfigError naming the path", () => {
    // The operator needs to know which file the server tried to read.
    withDir((dir) => {
      const path = join(dir, "nope.cfg");
      assert.match(
        loadError(path).message,
        /^PDK_CONFIG_INVALID: .*nope\.cfg: cannot read the configuration file \(ENOENT/,
      );
    });
  });

  test("errors in a loaded file name the path as given", () => {
    // Messages use the operator's own spelling of the path.
    withDir((dir) => {
      const path = writeCfg(dir, ["tickTime=x"]);
      assert.equal(
        loadError(path).message,
        `PDK_CONFIG_INVALID: ${path} line 2: tickTime=x is not a positive integer (milliseconds, 1..2147483647)`,
      );
    });
  });
});
