// The web console in headless Chromium (Debian's chromium, driven by playwright-core) against a real
// `paddock server`: browsing, paging through 300,000 children, the data views, editing data with a
// version conflict, editing an ACL, logging in with a digest identity and being refused where the
// ACL says so, a session appearing and being closed, a write arriving in the change feed, and the
// charts moving. Screenshots go to the system temp directory, out of the repository, to be looked at.

import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { type Client, connect, Perms, SessionExpiredError } from "../../src/client/index.js";
import { digestOf } from "../../src/data/acl.js";
import { debianSkipReason } from "../support/debian.js";
import { startPaddock } from "../support/paddock.js";
import { freeLoopbackPort } from "../support/ports.js";
import type { Target } from "../support/targets.js";

const skip = debianSkipReason(["chromium"]);
const HUGE = 300_000;
const shots = mkdtempSync(join(tmpdir(), "paddock-console-shots-"));

/** The text a person sees in an element (Playwright's innerText, not the DOM property). */
// biome-ignore lint/performance/useDomNodeTextContent: a Playwright Locator method, not the DOM's innerText.
const seen = (locator: Locator): Promise<string> => locator.innerText();

/** Polls `check` until it holds, for up to `timeoutMs`; the UI refreshes once a second. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("web console in headless Chromium", { skip }, () => {
  let target: Target;
  let browser: Browser;
  let page: Page;
  let zk: Client;
  let url: string;

  const text = (selector: string) => seen(page.locator(selector));
  const openPath = async (...parts: string[]) => {
    await page.click("#crumbs a >> nth=0");
    for (const part of parts) {
      await page.click(`#children li[data-name="${part}"]`);
      await eventually(`the node panel shows ${part}`, async () =>
        (await text("#node-path")).endsWith(`/${part}`),
      );
    }
  };

  before(async () => {
    const adminPort = await freeLoopbackPort();
    target = await startPaddock({
      extraConfig: { "admin.enableServer": "true", "admin.serverPort": String(adminPort) },
    });
    url = `http://127.0.0.1:${adminPort}/console/`;
    zk = await connect(target.connectString, { sessionTimeoutMs: 20_000 });
    await zk.create("/app");
    await zk.create("/app/config", '{"feature":true,"limit":10}');
    await zk.create("/app/bin", Buffer.from([0, 1, 2, 0xff, 0x41]));
    await zk.create("/big");
    for (let start = 0; start < HUGE; start += 5000) {
      const batch = [];
      for (let i = start; i < start + 5000; i += 1000) {
        const tx = zk.transaction();
        for (let j = i; j < i + 1000; j++) tx.create(`/big/n${String(j).padStart(6, "0")}`);
        batch.push(tx.commit());
      }
      await Promise.all(batch);
    }
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(url);
    await eventually("the tree shows the root's children", async () =>
      (await text("#children")).includes("big"),
    );
  });

  after(async () => {
    await browser?.close();
    await zk?.close();
    await target?.stop();
  });

  test("the tree pages through 300,000 children a page at a time", async () => {
    await openPath("big");
    assert.equal(await text("#page-info"), `1–100 of ${HUGE}`);
    assert.equal(await page.locator("#children li").count(), 100);
    await page.click("#next-page");
    await eventually("the second page", async () => (await text("#page-info")) === `101–200 of ${HUGE}`);
    assert.match(await seen(page.locator("#children li >> nth=0")), /^n000100/);
    await page.screenshot({ path: join(shots, "tree-huge.png") });
  });

  test("data shows as text, JSON, base64 and hex", async () => {
    await openPath("app", "config");
    assert.equal(await text("#node-data"), '{"feature":true,"limit":10}');
    await page.click('.views button[data-view="json"]');
    assert.equal(await text("#node-data"), '{\n  "feature": true,\n  "limit": 10\n}');
    await openPath("app", "bin");
    await page.click('.views button[data-view="hex"]');
    assert.match(await text("#node-data"), /^00000000 {2}00 01 02 ff 41/);
    await page.click('.views button[data-view="base64"]');
    assert.equal(await text("#node-data"), Buffer.from([0, 1, 2, 0xff, 0x41]).toString("base64"));
    await page.click('.views button[data-view="text"]');
  });

  test("a save against a stale version is refused with BADVERSION; after reloading it succeeds", async () => {
    await openPath("app", "config");
    assert.equal(await text("#edit-version"), "0");
    await zk.setData("/app/config", "changed behind the browser's back");
    await page.fill("#edit-data", "from the console");
    await page.click("#save-data");
    await eventually("the conflict is shown", async () => (await text("#node-error")).includes("BADVERSION"));
    assert.equal((await zk.getData("/app/config")).data?.toString(), "changed behind the browser's back");
    await page.screenshot({ path: join(shots, "version-conflict.png") });
    await openPath("app", "config");
    assert.equal(await text("#edit-version"), "1");
    await page.fill("#edit-data", "from the console");
    await page.click("#save-data");
    await eventually("the saved data shows", async () => (await text("#node-data")) === "from the console");
    assert.equal((await zk.getData("/app/config")).data?.toString(), "from the console");
  });

  test("an ACL set in the console locks others out; the digest login it names reads, another is refused", async () => {
    await zk.create("/app/secret", "for alice only");
    await openPath("app", "secret");
    await page.fill("#acl-text", `digest:${digestOf("alice", "wonder")}:cdrwa`);
    await page.click("#save-acl");
    // The anonymous identity has just given away READ and ADMIN: it may see neither data nor ACL.
    await eventually("the node is no longer readable", async () =>
      /no READ permission/.test(await text("#node-data")),
    );
    assert.equal(await page.locator("#acl tbody tr").count(), 0);
    assert.equal(await page.locator("#edit").isVisible(), false, "read-only unless the identity may write");

    await page.fill("#login-user", "bob");
    await page.fill("#login-password", "builder");
    await page.click("#login-button");
    await eventually("bob is logged in", async () => (await text("#identity")) === "digest:bob");
    await openPath("app", "secret");
    assert.match(await text("#node-data"), /no READ permission/);

    await page.fill("#login-user", "alice");
    await page.fill("#login-password", "wonder");
    await page.click("#login-button");
    await eventually("alice is logged in", async () => (await text("#identity")) === "digest:alice");
    await openPath("app", "secret");
    assert.equal(await text("#node-data"), "for alice only");
    assert.match(await text("#acl"), /digest\s+alice:\S+\s+rwcda/);
    assert.equal(await page.locator("#edit").isVisible(), true);
    await page.screenshot({ path: join(shots, "acl-login.png") });
    await page.click("#logout-button");
    await eventually("logged out", async () => (await text("#identity")) === "anonymous");
  });

  test("a new session appears with its ephemeral and watch, and Close session ends it", async () => {
    const other = await connect(target.connectString, { sessionTimeoutMs: 20_000 });
    await other.create("/app/lock", "held", { mode: "ephemeral" });
    await other.getData("/app/config", { watch: () => {} });
    const id = `0x${other.sessionId.toString(16)}`;
    await page.click('nav button[data-tab="sessions"]');
    const row = page.locator(`#sessions tr[data-session="${id}"]`);
    await eventually("the session row appears", async () => (await row.count()) === 1);
    assert.match(await seen(row), /\/app\/lock/);
    assert.match(await seen(row), /\/app\/config/);
    await page.screenshot({ path: join(shots, "sessions.png") });
    await row.locator("button").click();
    await eventually("the session row disappears", async () => (await row.count()) === 0);
    assert.equal(await zk.exists("/app/lock"), null, "the closed session's ephemeral is gone");
    await assert.rejects(
      other.getData("/app/config"),
      (e) => e instanceof SessionExpiredError || e instanceof Error,
    );
    await other.close().catch(() => undefined);
  });

  test("a write arrives in the change feed with its session and identities", async () => {
    await page.click('nav button[data-tab="changes"]');
    await zk.addAuth("digest", "carol:pw");
    await zk.create("/app/feed-me", "x", {
      acl: [{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }],
    });
    const sessionId = `0x${zk.sessionId.toString(16)}`;
    await eventually("the create shows in the feed", async () =>
      (await text("#changes")).includes("/app/feed-me"),
    );
    const row = page.locator("#changes tr", { hasText: "/app/feed-me" });
    assert.match(await seen(row), new RegExp(sessionId));
    assert.match(await seen(row), /digest:carol:/);
    assert.match(await seen(row), /create/);
    await page.screenshot({ path: join(shots, "changes.png") });
  });

  test("the charts move with the load", async () => {
    await page.click('nav button[data-tab="charts"]');
    const rate = page.locator('.chart[data-chart="requestsPerSecond"] .now');
    let stop = false;
    const load = (async () => {
      while (!stop) await Promise.all(Array.from({ length: 50 }, () => zk.getData("/app/config")));
    })();
    try {
      await eventually("requests per second is above zero", async () => Number(await seen(rate)) > 0);
    } finally {
      stop = true;
      await load;
    }
    await page.screenshot({ path: join(shots, "charts.png") });
  });

  test("bad console input gets clear errors and changes nothing", async () => {
    const api = (path: string, init?: RequestInit) => fetch(new URL(`api/${path}`, url), init);
    const bad = await api("node/data", { method: "POST", body: "{not json" });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /not a JSON object/);
    const big = await api("node/data", { method: "POST", body: "x".repeat(2 * 1024 * 1024) });
    assert.equal(big.status, 413);
    for (const path of ["../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "app.js/../../../package.json"]) {
      const res = await fetch(`${url}${path}`);
      assert.equal(res.status, 404, path);
    }
    const missing = await api("node?path=/nope");
    assert.equal(missing.status, 404);
    assert.equal((await zk.getData("/app/config")).data?.toString(), "from the console");
  });
});
