// Proves cleanupCandidates picks what ZooKeeper's ContainerManager.getCandidates picks: containers that
// had a child and have none, never-used containers only past maxNeverUsedIntervalMs, childless TTL nodes
// whose mtime + ttl is strictly in the past, at most `limit` of them; and that deleteContainer, like
// ZooKeeper's, does not re-check a TTL node touched after it was chosen.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CreateFlag } from "../../../src/protocol/constants.js";
import { Harness } from "./harness.js";

const container = { opcode: 19, flags: CreateFlag.CONTAINER } as const;
const ttl = (ms: bigint) => ({ opcode: 21, flags: CreateFlag.PERSISTENT_WITH_TTL, ttl: ms }) as const;

describe("clean-up candidates", () => {
  test("a container is a candidate once it has had a child and has none", () => {
    const h = new Harness();
    h.create("/c", container);
    const now = h.timeMs + 1_000_000n;
    assert.deepEqual(h.m.cleanupCandidates(now, 10), []);
    h.create("/c/x");
    assert.deepEqual(h.m.cleanupCandidates(now, 10), []);
    h.delete("/c/x");
    assert.deepEqual(h.m.cleanupCandidates(now, 10), ["/c"]);
  });

  test("a never-used container goes only when maxNeverUsedIntervalMs is set and strictly exceeded", () => {
    const h = new Harness();
    h.create("/c", container);
    assert.deepEqual(h.m.cleanupCandidates(h.timeMs + 500n, 10, 500n), []);
    assert.deepEqual(h.m.cleanupCandidates(h.timeMs + 501n, 10, 500n), ["/c"]);
    assert.deepEqual(h.m.cleanupCandidates(h.timeMs + 10_000n, 10, 0n), []);
  });

  test("a childless TTL node goes once now - mtime exceeds its TTL; setData restarts the clock", () => {
    const h = new Harness({ extendedTypesEnabled: true });
    h.create("/t", ttl(100n));
    h.create("/p", ttl(100n));
    h.create("/p/child");
    assert.deepEqual(h.m.cleanupCandidates(h.timeMs + 100n, 10), []);
    assert.deepEqual(h.m.cleanupCandidates(h.timeMs + 101n, 10), ["/t"]);
    h.timeMs += 50n;
    h.setData("/t", null);
    assert.deepEqual(h.m.cleanupCandidates(h.timeMs + 100n, 10), []);
  });

  test("at most limit paths are returned, containers first", () => {
    const h = new Harness({ extendedTypesEnabled: true });
    h.create("/t", ttl(1n));
    for (const c of ["/c1", "/c2"]) {
      h.create(c, container);
      h.create(`${c}/x`);
      h.delete(`${c}/x`);
    }
    const later = h.timeMs + 10n;
    assert.deepEqual(h.m.cleanupCandidates(later, 10), ["/c1", "/c2", "/t"]);
    assert.deepEqual(h.m.cleanupCandidates(later, 2), ["/c1", "/c2"]);
    assert.deepEqual(h.m.cleanupCandidates(later, 0), []);
  });

  test("deleteContainer removes a chosen TTL node even if it was touched since, as ZooKeeper does", () => {
    const h = new Harness({ extendedTypesEnabled: true });
    h.create("/t", ttl(100n));
    const [chosen] = h.m.cleanupCandidates(h.timeMs + 200n, 10);
    h.timeMs += 150n;
    h.setData("/t", Buffer.from("touched"));
    const o = h.apply({ kind: "deleteContainer", path: chosen! }, { session: 0n, auth: [] });
    assert.equal(Harness.err(o), 0);
    assert.equal(h.m.statOf("/t"), undefined);
  });
});
