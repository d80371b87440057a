// Proves validatePath accepts and rejects exactly what ZooKeeper's PathUtils.validatePath does, rule
// by rule, and that parentOf/nameOf split paths the way the tree stores them.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { nameOf, parentOf, validatePath } from "../../../src/data/path.js";

describe("validatePath", () => {
  test("accepts the root, ordinary names and dots inside names", () => {
    for (const p of [
      "/",
      "/a",
      "/a/b",
      "/a.b",
      "/.a",
      "/a.",
      "/...",
      "/a/..b",
      "/..a",
      "/ünïcödé",
      "/a b",
      "/\u00a0",
    ]) {
      assert.equal(validatePath(p), undefined, p);
    }
  });

  test("rejects an empty path, a relative path and a trailing slash", () => {
    assert.match(validatePath("") ?? "", /length must be > 0/);
    assert.match(validatePath("a") ?? "", /start with \//);
    assert.match(validatePath("a/b") ?? "", /start with \//);
    assert.match(validatePath("/a/") ?? "", /end with \//);
  });

  test("rejects empty components, NUL and '.'/'..' components", () => {
    assert.match(validatePath("//a") ?? "", /empty node name/);
    assert.match(validatePath("/a//b") ?? "", /empty node name/);
    assert.match(validatePath("/a\u0000b") ?? "", /null character/);
    for (const p of ["/.", "/..", "/a/.", "/a/..", "/./a", "/../a", "/a/./b", "/a/../b"]) {
      assert.match(validatePath(p) ?? "", /relative paths/, p);
    }
  });

  test("rejects control characters, C1 controls, the surrogate and private-use block and U+FFF0-U+FFFF", () => {
    for (const c of [0x01, 0x1f, 0x7f, 0x9f, 0xd800, 0xdfff, 0xe000, 0xf8ff, 0xfff0, 0xfffe, 0xffff]) {
      assert.match(validatePath(`/a${String.fromCharCode(c)}b`) ?? "", /invalid character/, c.toString(16));
    }
    for (const c of [0x20, 0x7e, 0xa0, 0xf900, 0xffef]) {
      assert.equal(validatePath(`/a${String.fromCharCode(c)}b`), undefined, c.toString(16));
    }
  });

  test("rejects characters outside the BMP because their surrogates are in the banned range", () => {
    assert.match(validatePath("/emoji\u{1f600}") ?? "", /invalid character/);
  });
});

describe("parentOf and nameOf", () => {
  test("a top-level node's parent is the root and deeper parents drop the last component", () => {
    assert.equal(parentOf("/a"), "/");
    assert.equal(parentOf("/a/b/c"), "/a/b");
    assert.equal(nameOf("/a/b/c"), "c");
    assert.equal(nameOf("/a"), "a");
  });

  test("the root has no parent", () => {
    assert.throws(() => parentOf("/"));
  });
});
