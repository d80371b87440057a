// Checks the harness the client tests stand on: that the target started is the one
// PADDOCK_COMPAT_TARGET names, that it answers four-letter words, and that stop() really stops it.
// Without these, a compat run could silently test the wrong server or leak one.

import assert from "node:assert/strict";
import { connect } from "node:net";
import { describe, test } from "node:test";
import { debianSkipReason } from "../support/debian.js";
import { parseFacts, parseStat } from "../support/facts.js";
import { fourLetterWord, startTarget, targetKind, targetPackages } from "../support/targets.js";

const skip = debianSkipReason(targetPackages());

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

describe("compat harness", { skip }, () => {
  test("started target is the kind PADDOCK_COMPAT_TARGET names and stops listening after stop", async () => {
    const target = await startTarget({ extraConfig: { maxClientCnxns: "30" } });
    try {
      assert.equal(target.kind, targetKind());
      assert.equal(target.connectString, `127.0.0.1:${target.port}`);
      assert.equal(await fourLetterWord(target.port, "ruok"), "imok");
      const srvr = await fourLetterWord(target.port, "srvr");
      assert.match(srvr, /^Mode: standalone$/m);
      assert.equal(/paddock/i.test(srvr.split("\n")[0] ?? ""), target.kind === "paddock", srvr);
    } finally {
      await target.stop();
    }
    assert.equal(await refusesConnections(target.port), true);
  });

  test("fact lines and stat summaries parse back into their values", () => {
    const facts = parseFacts(
      "a\tone\nnot a fact\nb\tczxid=2 mzxid=3 pzxid=2 ctime=10 mtime=11 version=1 cversion=0 ".concat(
        "aversion=0 ephemeralOwner=-72057594037927936 dataLength=5 numChildren=0\n",
      ),
    );
    assert.equal(facts.get("a"), "one");
    assert.equal(facts.size, 2);
    const stat = parseStat(facts.get("b") ?? "");
    assert.equal(stat.ephemeralOwner, -72057594037927936n);
    assert.equal(stat.mzxid, 3n);
    assert.equal(stat.version, 1);
    assert.throws(() => parseStat("czxid=2"), /lacks a numeric mzxid/);
  });
});
