// Starts Apache ZooKeeper 3.8 from the Debian jars as a standalone server on a free loopback port.
// It is the reference the compatibility tests are validated against: a test that fails here is
// wrong, not Paddock. The classpath is the smallest set that starts, snapshots and logs.

import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeLoopbackPort } from "./ports.js";
import { launchServer, type ServerConfig, writeZooCfg } from "./server-process.js";
import type { Target } from "./targets.js";

const javaDir = "/usr/share/java";

/** Debian packages holding the server jars (libzookeeper-java) and a Java runtime. */
export const zookeeperPackages = ["zookeeper"];

/**
 * zookeeper.jar needs jute for records, slf4j for logging, metrics-core and snappy for snapshots;
 * Jetty, the servlet API and Jackson for the AdminServer (loaded only when admin.enableServer=true);
 * Netty for its TLS connection factory (NettyServerCnxnFactory).
 */
export const zookeeperClasspath = [
  "zookeeper.jar",
  "zookeeper-jute.jar",
  "slf4j-api.jar",
  "slf4j-simple.jar",
  "metrics-core.jar",
  "snappy-java.jar",
  "servlet-api.jar",
  "jetty9-server.jar",
  "jetty9-servlet.jar",
  "jetty9-util.jar",
  "jetty9-http.jar",
  "jetty9-io.jar",
  "jetty9-security.jar",
  "jetty9-util-ajax.jar",
  "jackson-databind.jar",
  "jackson-core.jar",
  "jackson-annotations.jar",
  "netty-resolver.jar",
  "netty-transport.jar",
  "netty-transport-native-unix-common.jar",
  "netty-transport-native-epoll.jar",
  "netty-handler.jar",
  "netty-buffer.jar",
  "netty-codec.jar",
  "netty-common.jar",
]
  .map((jar) => join(javaDir, jar))
  .join(":");

export async function startZooKeeper(options: ServerConfig = {}): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), "paddock-compat-zk-"));
  mkdirSync(join(dir, "data"));
  const port = await freeLoopbackPort();
  const cfg = writeZooCfg(dir, port, options.extraConfig);
  return launchServer({
    kind: "zookeeper",
    command: "java",
    args: [
      "-Xmx512m",
      "-Dzookeeper.jmx.log4j.disable=true",
      ...Object.entries(options.systemProperties ?? {}).map(([key, value]) => `-D${key}=${value}`),
      "-cp",
      zookeeperClasspath,
      "org.apache.zookeeper.server.ZooKeeperServerMain",
      cfg,
    ],
    port,
    dir,
    readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
  });
}
