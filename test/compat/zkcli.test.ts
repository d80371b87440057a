// Drives Apache ZooKeeper's own shell, zkCli.sh 3.8, against the chosen target and checks what it
// prints. Most commands go through one piped run (a JVM per command would be slow); each step is
// preceded by `stat` of a missing marker node, whose "Node does not exist" line splits the output.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { debianSkipReason } from "../support/debian.js";
import { InteractiveProcess } from "../support/interactive.js";
import { describeRun, run } from "../support/run.js";
import { startTarget, type Target, targetPackages } from "../support/targets.js";

const zkCli = "/usr/share/zookeeper/bin/zkCli.sh";
const markerRoot = "/compat-step";

const skip = debianSkipReason([...targetPackages(), "zookeeper"]);

type Step = [name: string, command: string];

/** Runs the steps in one zkCli session; returns each step's output by name, and the whole output. */
async function runScript(target: Target, steps: Step[]): Promise<{ step: Map<string, string>; all: string }> {
  const input = `${steps.map(([name, command]) => `stat ${markerRoot}/${name}\n${command}\n`).join("")}quit\n`;
  const result = await run("sh", ["-c", 'exec "$0" "$@" 2>&1', zkCli, "-server", target.connectString], {
    input,
    timeoutMs: 90_000,
  });
  assert.equal(result.status, 0, describeRun(result));
  const step = new Map<string, string>();
  const marker = new RegExp(`^Node does not exist: ${markerRoot}/(\\S+)$`, "gm");
  const found = [...result.stdout.matchAll(marker)];
  for (const [index, match] of found.entries()) {
    const start = (match.index ?? 0) + match[0].length + 1;
    const end = found[index + 1]?.index ?? result.stdout.length;
    step.set(match[1]!, result.stdout.slice(start, end));
  }
  assert.equal(found.length, steps.length, `expected ${steps.length} step markers:\n${result.stdout}`);
  return { step, all: result.stdout };
}

/** Output lines of a step, without the asynchronous watch notices zkCli prints from its event thread. */
function lines(output: string): string[] {
  return output
    .split("\n")
    .filter((line) => line !== "" && line !== "WATCHER::" && !line.startsWith("WatchedEvent "));
}

/** The "name = value" lines of a printed Stat. */
function statOf(output: string): Map<string, string> {
  return new Map([...output.matchAll(/^(\w+) = (.*)$/gm)].map((match) => [match[1]!, match[2]!]));
}

/** A printed child list "[a, b]" as a sorted array (servers need not sort children). */
function childList(line = ""): string[] {
  assert.ok(line.startsWith("[") && line.endsWith("]"), `not a child list: ${line}`);
  return line === "[]" ? [] : line.slice(1, -1).split(", ").sort();
}

describe("zkCli.sh from Apache ZooKeeper 3.8", { skip }, () => {
  let target: Target | undefined;
  let step: Map<string, string>;
  let all: string;
  const out = (name: string): string => {
    const text = step.get(name);
    assert.ok(text !== undefined, `no output for step ${name}`);
    return text;
  };

  before(async () => {
    target = await startTarget();
    ({ step, all } = await runScript(target, [
      ["createPersistent", "create /cli hello"],
      ["getPersistent", "get -s /cli"],
      ["createNoData", "create /cli/nodata"],
      ["getNoData", "get /cli/nodata"],
      ["createEmpty", 'create /cli/empty ""'],
      ["getEmpty", "get -s /cli/empty"],
      ["createSequential", "create -s /cli/seq- a"],
      ["createEphemeral", "create -e /cli/eph e"],
      ["createEphemeralSequential", "create -e -s /cli/eseq- x"],
      ["statEphemeral", "stat /cli/eph"],
      ["statParent", "stat /cli"],
      ["createExisting", "create /cli again"],
      ["createNoParent", "create /missing/child"],
      ["setCurrent", "set -s -v 0 /cli world"],
      ["setStale", "set -v 0 /cli stale"],
      ["setAny", "set /cli latest"],
      ["getAfterSet", "get /cli"],
      ["deleteNotEmpty", "delete /cli"],
      ["deleteMissing", "delete /missing"],
      ["deleteWrongVersion", "delete -v 7 /cli/nodata"],
      ["deleteRightVersion", "delete -v 0 /cli/nodata"],
      ["statParentAfterDelete", "stat /cli"],
      ["ls", "ls /cli"],
      ["lsStat", "ls -s /cli"],
      ["lsMissing", "ls /missing"],
      ["createWatched", "create /cli/w 0"],
      ["getWatch", "get -w /cli/w"],
      ["triggerData", "set /cli/w 1"],
      ["statWatchAbsent", "stat -w /cli/new"],
      ["triggerCreated", "create /cli/new"],
      ["lsWatch", "ls -w /cli/w"],
      ["triggerChildren", "create /cli/w/child"],
      ["deleteall", "deleteall /cli"],
      ["lsRoot", "ls /"],
    ]));
  });

  after(async () => {
    await target?.stop();
  });

  test("zkCli create prints Created with the path, sequential ones with a ten-digit suffix", () => {
    assert.deepEqual(lines(out("createPersistent")), ["Created /cli"]);
    assert.deepEqual(lines(out("createNoData")), ["Created /cli/nodata"]);
    assert.deepEqual(lines(out("createEmpty")), ["Created /cli/empty"]);
    assert.deepEqual(lines(out("createSequential")), ["Created /cli/seq-0000000002"]);
    assert.deepEqual(lines(out("createEphemeral")), ["Created /cli/eph"]);
    assert.deepEqual(lines(out("createEphemeralSequential")), ["Created /cli/eseq-0000000004"]);
  });

  test("zkCli get -s prints the data then a fresh stat", () => {
    const printed = lines(out("getPersistent"));
    assert.equal(printed[0], "hello");
    const stat = statOf(out("getPersistent"));
    assert.equal(stat.get("cZxid"), stat.get("mZxid"));
    assert.equal(stat.get("ctime"), stat.get("mtime"));
    assert.equal(stat.get("dataVersion"), "0");
    assert.equal(stat.get("cversion"), "0");
    assert.equal(stat.get("ephemeralOwner"), "0x0");
    assert.equal(stat.get("dataLength"), "5");
    assert.equal(stat.get("numChildren"), "0");
  });

  test("zkCli prints null for a node created without data and nothing for empty data", () => {
    assert.deepEqual(lines(out("getNoData")), ["null"]);
    const printed = out("getEmpty").split("\n");
    assert.equal(printed[0], "", "empty data prints as an empty line");
    assert.equal(statOf(out("getEmpty")).get("dataLength"), "0");
  });

  test("zkCli stat shows a non-zero ephemeralOwner for an ephemeral node", () => {
    assert.match(statOf(out("statEphemeral")).get("ephemeralOwner") ?? "", /^0x[0-9a-f]*[1-9a-f][0-9a-f]*$/);
  });

  test("zkCli stat of the parent counts children and cversion after creates and deletes", () => {
    const afterCreates = statOf(out("statParent"));
    assert.equal(afterCreates.get("numChildren"), "5");
    assert.equal(afterCreates.get("cversion"), "5");
    const afterDelete = statOf(out("statParentAfterDelete"));
    assert.equal(afterDelete.get("numChildren"), "4");
    assert.equal(afterDelete.get("cversion"), "6");
    assert.equal(afterDelete.get("dataVersion"), "2");
  });

  test("zkCli reports existing and parentless creates with ZooKeeper's messages", () => {
    assert.deepEqual(lines(out("createExisting")), ["Node already exists: /cli"]);
    assert.deepEqual(lines(out("createNoParent")), ["Node does not exist: /missing/child"]);
  });

  test("zkCli set -v with the current version succeeds and with a stale one is refused", () => {
    const stat = statOf(out("setCurrent"));
    assert.equal(stat.get("dataVersion"), "1");
    assert.equal(stat.get("dataLength"), "5");
    assert.notEqual(stat.get("mZxid"), stat.get("cZxid"));
    assert.deepEqual(lines(out("setStale")), ["version No is not valid : /cli"]);
    assert.deepEqual(lines(out("setAny")), []);
    assert.deepEqual(lines(out("getAfterSet")), ["latest"]);
  });

  test("zkCli delete reports not empty, missing and bad version, and deletes with the right version", () => {
    assert.deepEqual(lines(out("deleteNotEmpty")), ["Node not empty: /cli"]);
    assert.deepEqual(lines(out("deleteMissing")), ["Node does not exist: /missing"]);
    assert.deepEqual(lines(out("deleteWrongVersion")), ["version No is not valid : /cli/nodata"]);
    assert.deepEqual(lines(out("deleteRightVersion")), []);
  });

  test("zkCli ls lists children and ls -s adds the parent's stat", () => {
    const expected = ["empty", "eph", "eseq-0000000004", "seq-0000000002"];
    assert.deepEqual(childList(lines(out("ls"))[0]), expected);
    assert.deepEqual(childList(lines(out("lsStat"))[0]), expected);
    assert.equal(statOf(out("lsStat")).get("numChildren"), "4");
    assert.deepEqual(lines(out("lsMissing")), ["Node does not exist: /missing"]);
  });

  test("zkCli get -w, stat -w and ls -w print the data, created and children events", () => {
    assert.match(all, /WatchedEvent state:SyncConnected type:NodeDataChanged path:\/cli\/w$/m);
    assert.deepEqual(lines(out("statWatchAbsent")), ["Node does not exist: /cli/new"]);
    assert.match(all, /WatchedEvent state:SyncConnected type:NodeCreated path:\/cli\/new$/m);
    assert.match(all, /WatchedEvent state:SyncConnected type:NodeChildrenChanged path:\/cli\/w$/m);
  });

  test("zkCli deleteall removes a whole subtree", () => {
    assert.deepEqual(lines(out("deleteall")), []);
    assert.ok(!childList(lines(out("lsRoot"))[0]).includes("cli"));
  });

  test("zkCli run with a single command exits 0 on success and 1 on a missing node", async () => {
    assert.ok(target);
    const created = await run(zkCli, ["-server", target.connectString, "create", "/single", "x"]);
    assert.equal(created.status, 0, describeRun(created));
    // In single-command mode zkCli prints results and errors alike on stderr.
    assert.match(created.stderr, /^Created \/single$/m);
    const missing = await run(zkCli, ["-server", target.connectString, "get", "/single/missing"]);
    assert.equal(missing.status, 1, describeRun(missing));
    assert.match(missing.stderr, /^Node does not exist: \/single\/missing$/m);
  });

  test("ephemeral made in one zkCli is deleted, with a watch event, when that zkCli quits", async () => {
    assert.ok(target);
    const owner = new InteractiveProcess(zkCli, ["-server", target.connectString]);
    const observer = new InteractiveProcess(zkCli, ["-server", target.connectString]);
    try {
      await owner.expect("type:None path:null");
      owner.send("create -e /cli-eph x");
      await owner.expect(/^Created \/cli-eph$/m);
      await observer.expect("type:None path:null");
      observer.send("stat -w /cli-eph");
      const owned = await observer.expect(/^ephemeralOwner = (0x[0-9a-f]+)$/m);
      assert.notEqual(owned[1], "0x0");
      owner.send("quit");
      assert.equal(await owner.close(), 0);
      await observer.expect(/type:NodeDeleted path:\/cli-eph$/m);
      observer.send("stat /cli-eph");
      await observer.expect(/^Node does not exist: \/cli-eph$/m);
      observer.send("quit");
      // zkCli exits with its last command's status: 1 here, for the stat of the deleted node.
      assert.equal(await observer.close(), 1);
    } finally {
      await owner.close(5_000);
      await observer.close(5_000);
    }
  });
});
