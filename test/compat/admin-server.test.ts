// The AdminServer over HTTP, judged against Apache ZooKeeper 3.8's own (Debian package, started here
// with the same zoo.cfg and the same client workload): for every command 3.8 has, Paddock answers
// the same status, the same keys in the same order with the same JSON kinds (long vs double vs
// string), and byte-identical bodies where the values do not depend on timing or the machine. The
// 3.9 commands 3.8 lacks (snapshot, restore) are checked against 3.9's documented behaviour.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { connect } from "../../src/client/index.js";
import { type HttpReply, httpRequest } from "../support/admin-http.js";
import { debianSkipReason } from "../support/debian.js";
import { field, type JsonNode, keysOf, parseJsonTree, shapeOf } from "../support/json-tree.js";
import { startPaddock } from "../support/paddock.js";
import { freeLoopbackPort } from "../support/ports.js";
import type { Target } from "../support/targets.js";
import { startZooKeeper, zookeeperPackages } from "../support/zookeeper.js";

const skip = debianSkipReason(zookeeperPackages);

/** The 26 primary names ZooKeeper 3.8 registers, and 3.9's two more. */
const COMMANDS_38 = [
  "configuration",
  "connection_stat_reset",
  "connections",
  "dirs",
  "dump",
  "environment",
  "get_trace_mask",
  "hash",
  "initial_configuration",
  "is_read_only",
  "last_snapshot",
  "leader",
  "monitor",
  "observer_connection_stat_reset",
  "observers",
  "ruok",
  "server_stats",
  "set_trace_mask",
  "stat_reset",
  "stats",
  "system_properties",
  "voting_view",
  "watch_summary",
  "watches",
  "watches_by_path",
  "zabstate",
];
const ALIASES: Record<string, string> = {
  conf: "configuration",
  config: "configuration",
  crst: "connection_stat_reset",
  cons: "connections",
  env: "environment",
  envi: "environment",
  gtmk: "get_trace_mask",
  icfg: "initial_configuration",
  isro: "is_read_only",
  lsnp: "last_snapshot",
  lead: "leader",
  mntr: "monitor",
  orst: "observer_connection_stat_reset",
  obsr: "observers",
  stmk: "set_trace_mask",
  srvr: "server_stats",
  srst: "stat_reset",
  stat: "stats",
  sysp: "system_properties",
  wchs: "watch_summary",
  wchc: "watches",
  wchp: "watches_by_path",
  snap: "snapshot",
  rest: "restore",
};
/** Answers that depend on neither timing nor the machine: the bodies must be byte for byte ZooKeeper's. */
const BYTE_EXACT = [
  "ruok",
  "connection_stat_reset",
  "observer_connection_stat_reset",
  "leader",
  "voting_view",
  "zabstate",
  "observers",
  "is_read_only",
  "get_trace_mask",
  "set_trace_mask",
  "set_trace_mask?traceMask=306",
  "set_trace_mask?traceMask=x7",
  "watch_summary",
  "no_such_command",
];

interface Side {
  target: Target;
  adminPort: number;
  sessionId: bigint;
  replies: Map<string, HttpReply>;
}

async function startSide(kind: "zookeeper" | "paddock"): Promise<Side> {
  const adminPort = await freeLoopbackPort();
  const extraConfig = {
    "admin.enableServer": "true",
    "admin.serverAddress": "127.0.0.1",
    "admin.serverPort": String(adminPort),
  };
  const target =
    kind === "zookeeper" ? await startZooKeeper({ extraConfig }) : await startPaddock({ extraConfig });
  return { target, adminPort, sessionId: 0n, replies: new Map() };
}

/** One session with an ephemeral, a data watch and a child watch, then every command fetched once. */
async function exercise(side: Side): Promise<void> {
  const zk = await connect(side.target.connectString, { sessionTimeoutMs: 10_000 });
  side.sessionId = zk.sessionId;
  await zk.create("/eph", "x", { mode: "ephemeral" });
  await zk.create("/a", "hello");
  await zk.getData("/a", { watch: () => {} });
  await zk.getChildren("/", { watch: () => {} });
  const paths = [
    ...COMMANDS_38,
    ...Object.keys(ALIASES).filter((a) => ALIASES[a] !== "snapshot" && ALIASES[a] !== "restore"),
    ...BYTE_EXACT,
    "",
  ];
  for (const path of new Set(paths)) {
    side.replies.set(path, await httpRequest(side.adminPort, `/commands/${path}`));
  }
  // Keep the session (and its watches) until every command has seen it; close after.
  await zk.close();
}

function json(reply: HttpReply | undefined, what: string): JsonNode {
  assert.ok(reply !== undefined, `no reply for ${what}`);
  return parseJsonTree(reply.text);
}

describe("AdminServer HTTP API compared with ZooKeeper 3.8's", { skip }, () => {
  let zookeeper: Side;
  let paddock: Side;

  before(async () => {
    [zookeeper, paddock] = await Promise.all([startSide("zookeeper"), startSide("paddock")]);
    await exercise(zookeeper);
    await exercise(paddock);
  });

  after(async () => {
    await Promise.all([zookeeper?.target.stop(), paddock?.target.stop()]);
  });

  test("/commands lists every primary name as ZooKeeper's link lines, 3.9's snapshot and restore included", () => {
    const names = (reply: HttpReply) =>
      [...reply.text.matchAll(/<a href="\/commands\/(\w+)">\1<\/a>\n<br\/>\n/g)].map((m) => m[1]);
    const zk = zookeeper.replies.get("")!;
    const pdk = paddock.replies.get("")!;
    assert.equal(zk.status, 200);
    assert.equal(pdk.status, 200);
    assert.deepEqual(names(zk), COMMANDS_38);
    assert.deepEqual(names(pdk), [...COMMANDS_38, "restore", "snapshot"].sort());
    assert.equal(
      pdk.text,
      names(pdk)
        .map((n) => `<a href="/commands/${n}">${n}</a>\n<br/>\n`)
        .join(""),
    );
  });

  test("every command and alias answers 200 with the primary name in command, as ZooKeeper does", () => {
    for (const [path, reply] of zookeeper.replies) {
      if (path === "") continue;
      const mine = paddock.replies.get(path)!;
      assert.equal(mine.status, reply.status, `status of ${path}`);
      assert.equal(mine.headers["content-type"], "application/json", `content type of ${path}`);
      const command = field(json(mine, path), "command");
      assert.deepEqual(command, field(json(reply, path), "command"), `command name of ${path}`);
    }
  });

  test("each command's keys, their order and JSON kinds match ZooKeeper's, nested objects included", () => {
    // monitor is a HashMap in ZooKeeper (order varies), environment and system_properties describe a JVM.
    const unordered = new Set(["monitor", "system_properties", "environment"]);
    for (const name of COMMANDS_38) {
      if (unordered.has(name)) continue;
      const zk = json(zookeeper.replies.get(name), name);
      const mine = json(paddock.replies.get(name), name);
      assert.deepEqual(keysOf(mine), keysOf(zk), `keys of ${name}`);
      assert.deepEqual(shapeOf(mine), shapeOf(zk), `shape of ${name}`);
    }
  });

  test("monitor holds every key ZooKeeper's does, each of the same JSON kind", () => {
    const zk = json(zookeeper.replies.get("monitor"), "monitor");
    const mine = new Map(
      (json(paddock.replies.get("monitor"), "monitor") as { entries: [string, JsonNode][] }).entries,
    );
    assert.ok(zk.kind === "object");
    // Per-namespace sets are keyed by the workload's top-level znodes; the rest must all be there.
    const perNamespace = /_per_namespace$/;
    for (const [key, value] of zk.entries) {
      if (perNamespace.test(key)) continue;
      assert.ok(mine.has(key), `monitor lacks ${key}`);
      assert.equal(mine.get(key)!.kind, value.kind, `kind of monitor ${key}`);
    }
  });

  test("environment keeps ZooKeeper's keys in its order", () => {
    const zkKeys = keysOf(json(zookeeper.replies.get("environment"), "environment"));
    const mine = keysOf(json(paddock.replies.get("environment"), "environment"));
    assert.deepEqual(mine.slice(0, zkKeys.length - 2), zkKeys.slice(0, -2));
    assert.deepEqual(mine.slice(-2), ["command", "error"]);
  });

  test("commands with deterministic answers are byte for byte ZooKeeper's", () => {
    for (const path of BYTE_EXACT) {
      assert.equal(paddock.replies.get(path)!.text, zookeeper.replies.get(path)!.text, `body of ${path}`);
    }
  });

  test("session ids are exact 64-bit numbers in cons, dump, wchc and wchp", () => {
    for (const side of [zookeeper, paddock]) {
      const id = side.sessionId;
      assert.ok(id > 2n ** 53n, "session ids exceed a double's exact range, so rounding would show");
      const cons = field(json(side.replies.get("connections"), "cons"), "connections");
      assert.ok(cons.kind === "array");
      assert.deepEqual(field(cons.items[0]!, "session_id"), { kind: "int", value: id });
      const dump = field(json(side.replies.get("dump"), "dump"), "session_id_to_ephemeral_paths");
      assert.deepEqual(keysOf(dump), [id.toString()]);
      const watches = field(json(side.replies.get("watches"), "wchc"), "session_id_to_watched_paths");
      assert.deepEqual(keysOf(watches), [id.toString()]);
      const byPath = field(json(side.replies.get("watches_by_path"), "wchp"), "path_to_session_ids");
      assert.deepEqual(field(byPath, "/a"), { kind: "array", items: [{ kind: "int", value: id }] });
    }
  });

  test("initial_configuration is the zoo.cfg text the server started with", () => {
    const zk = field(json(zookeeper.replies.get("initial_configuration"), "icfg"), "initial_configuration");
    const mine = field(json(paddock.replies.get("initial_configuration"), "icfg"), "initial_configuration");
    assert.ok(zk.kind === "string" && mine.kind === "string");
    const withoutPorts = (s: string) => s.replace(/\d{4,5}/g, "N").replace(/\/tmp\/[^/]+/g, "DIR");
    assert.equal(withoutPorts(mine.value), withoutPorts(zk.value));
  });
});
