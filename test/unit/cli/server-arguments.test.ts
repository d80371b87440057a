// `paddock server`'s command line as ZooKeeper's launch scripts shape it: the config file as the
// one positional argument (QuorumPeerMain) or --config, -D properties that name settings, and JVM
// flags from SERVER_JVMFLAGS accepted and reported. Usage mistakes are refused with the usage text.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ignoredArgumentsWarning,
  parseServerArguments,
  UsageError,
} from "../../../src/cli/server-arguments.js";

describe("paddock server arguments", () => {
  test("the config file may be positional or --config, before or after the -D flags", () => {
    assert.equal(parseServerArguments(["zoo.cfg"]).configPath, "zoo.cfg");
    assert.equal(parseServerArguments(["--config", "zoo.cfg"]).configPath, "zoo.cfg");
    assert.equal(parseServerArguments(["-c", "zoo.cfg"]).configPath, "zoo.cfg");
    assert.equal(
      parseServerArguments(["-Dzookeeper.skipACL=yes", "conf/zoo.cfg"]).configPath,
      "conf/zoo.cfg",
    );
    assert.equal(parseServerArguments([]).configPath, undefined);
  });

  test("zkServer.sh's command line, minus java and the class path, is accepted", () => {
    // What zkServer.sh start runs after `java`: log properties, heap flags, JMX, SERVER_JVMFLAGS, the class, zoo.cfg.
    const logAndHeap = [
      "-Dzookeeper.log.dir=/var/log/zookeeper",
      "-Dzookeeper.log.file=zookeeper-zk-server.log",
      "-XX:+HeapDumpOnOutOfMemoryError",
      "-XX:OnOutOfMemoryError=kill -9 %p",
      "-cp",
      "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar",
      "-Xmx1000m",
    ];
    const superDigest =
      "-Dzookeeper.DigestAuthenticationProvider.superDigest=super:D/InIHSb7yEEbrWz8b9l71RjZJU=";
    const jmx = ["-Dcom.sun.management.jmxremote", "-Dcom.sun.management.jmxremote.local.only=true"];
    const args = parseServerArguments([
      ...logAndHeap,
      superDigest,
      "-Dzookeeper.extendedTypesEnabled=true",
      "-Dzookeeper.emulate353TTLNodes=true",
      ...jmx,
      "/etc/zookeeper/conf/zoo.cfg",
    ]);
    assert.equal(args.configPath, "/etc/zookeeper/conf/zoo.cfg");
    assert.deepEqual(args.systemProperties, [
      {
        name: "zookeeper.DigestAuthenticationProvider.superDigest",
        value: "super:D/InIHSb7yEEbrWz8b9l71RjZJU=",
      },
      { name: "zookeeper.extendedTypesEnabled", value: "true" },
    ]);
    assert.deepEqual(args.ignored, [...logAndHeap, "-Dzookeeper.emulate353TTLNodes=true", ...jmx]);
  });

  test("-Dname without a value is the empty string, as in java", () => {
    assert.deepEqual(parseServerArguments(["-Dzookeeper.skipACL"]).systemProperties, [
      { name: "zookeeper.skipACL", value: "" },
    ]);
  });

  test("every ignored argument is reported in one warning line", () => {
    assert.equal(ignoredArgumentsWarning([]), undefined);
    assert.equal(
      ignoredArgumentsWarning(["-Xmx1g"]),
      "ignoring an argument that means nothing to Paddock (JVM, logging or unsupported ZooKeeper properties): -Xmx1g",
    );
    assert.equal(
      ignoredArgumentsWarning(["-Xmx1g", "-Dlog4j.configuration=file:/x"]),
      "ignoring 2 arguments that mean nothing to Paddock (JVM, logging or unsupported ZooKeeper properties): " +
        "-Xmx1g -Dlog4j.configuration=file:/x",
    );
  });

  test("usage mistakes are refused with the usage text", () => {
    // Each row: the arguments and the start of the message.
    const cases: [string[], string][] = [
      [["a.cfg", "b.cfg"], "paddock server: one configuration file expected, got 2 (a.cfg b.cfg)"],
      [
        ["a.cfg", "--config", "b.cfg"],
        "paddock server: the configuration file is given twice (a.cfg and --config b.cfg); keep one",
      ],
      [["--port", "2181"], "paddock server: Unknown option '--port'"],
    ];
    for (const [args, start] of cases) {
      assert.throws(
        () => parseServerArguments(args),
        (error: unknown) =>
          error instanceof UsageError &&
          error.message.startsWith(start) &&
          error.message.includes("Usage: paddock server"),
        args.join(" "),
      );
    }
  });

  test("--help asks for the usage text", () => {
    assert.equal(parseServerArguments(["--help"]).help, true);
    assert.equal(parseServerArguments(["zoo.cfg"]).help, false);
  });
});
