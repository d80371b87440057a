// The AdminServer's JSON text must be what ZooKeeper's Jackson pretty printer writes, byte for byte,
// with 64-bit ids exact; these expectations are copied from ZooKeeper 3.8's real answers.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { double, type JsonValue, jacksonText } from "../../../src/admin/http/jackson-json.js";

describe("Jackson-style JSON text", () => {
  test("objects indent two spaces per level, arrays stay inline, empties are spaced", () => {
    const connection = new Map<string, JsonValue>([
      ["session_id", 72057646244626432n],
      ["avg_latency", double(4.8)],
    ]);
    const value = new Map<string, JsonValue>([
      ["connections", [connection]],
      ["secure_connections", []],
      ["current_config", new Map()],
      ["command", "connections"],
      ["error", null],
    ]);
    assert.equal(
      jacksonText(value),
      '{\n  "connections" : [ {\n    "session_id" : 72057646244626432,\n    "avg_latency" : 4.8\n  } ],\n' +
        '  "secure_connections" : [ ],\n  "current_config" : { },\n  "command" : "connections",\n  "error" : null\n}',
    );
  });

  test("Java doubles keep .0, integers stay integers, map keys keep insertion order", () => {
    assert.equal(jacksonText(double(0)), "0.0");
    assert.equal(jacksonText(double(7)), "7.0");
    assert.equal(jacksonText(double(1.6667)), "1.6667");
    assert.equal(jacksonText(306n), "306");
    assert.equal(jacksonText([72057646244626432n, 1n]), "[ 72057646244626432, 1 ]");
    assert.equal(
      jacksonText(
        new Map([
          ["830000", 1],
          ["12", 2],
        ]),
      ),
      '{\n  "830000" : 1,\n  "12" : 2\n}',
    );
  });
});
