// One test per lesson of ZooKeeper's security advisories that applies to a standalone server with
// a client port (the security reference's table): each reproduces what the advisory's exploit did,
// over the wire or through the files an attacker would read, and shows it fails here. Advisories
// about the quorum (CVE-2023-44981, CVE-2018-8012) and the AdminServer (CVE-2024-51504,
// CVE-2025-58457) need parts this server does not have yet.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { digestOf } from "../../src/data/acl.js";
import { OpCode, Perms } from "../../src/protocol/constants.js";
import { decodeResponseBody } from "../../src/protocol/responses.js";
import {
  type CertificateAuthority,
  createCertificateAuthority,
  issueCertificate,
  issueServerCertificate,
} from "../support/certificates.js";
import { debianSkipReason } from "../support/debian.js";
import { fourLetterWord } from "../support/four-letter-word.js";
import { runKazooSecurity } from "../support/kazoo.js";
import { freeLoopbackPort } from "../support/ports.js";
import { startTarget, type Target, targetKind, targetPackages } from "../support/targets.js";
import { type Outcome, RawSession } from "./differential/raw-session.js";

const skip = debianSkipReason([...targetPackages(), "python3-kazoo", "openssl"]);
const paddockOnly = skip || (targetKind() !== "paddock" && "Paddock's log and TLS layout");

function replyOf(outcome: Outcome) {
  assert.ok("reply" in outcome, `no reply (${"lost" in outcome ? outcome.lost : ""})`);
  return outcome.reply;
}

describe("ZooKeeper security advisories, over the wire", { skip }, () => {
  let target: Target | undefined;

  before(async () => {
    target = await startTarget({ extraConfig: { "4lw.commands.whitelist": "srvr,ruok" } });
  });

  after(async () => {
    await target?.stop();
  });

  test("CVE-2019-0201: getACL of a digest-protected node is NOAUTH for others; a READ-only caller sees user:x", async () => {
    const alice = await RawSession.open(target!.port, 10_000, 10_000);
    const bob = await RawSession.open(target!.port, 10_000, 10_000);
    const anonymous = await RawSession.open(target!.port, 10_000, 10_000);
    try {
      replyOf(await alice.auth("digest", "alice:secret", -4));
      replyOf(await bob.auth("digest", "bob:pw", -4));
      const acl = [
        { perms: Perms.ALL, id: { scheme: "digest", id: digestOf("alice", "secret") } },
        { perms: Perms.READ, id: { scheme: "digest", id: digestOf("bob", "pw") } },
      ];
      const created = replyOf(
        await alice.send({ type: OpCode.create, path: "/cve-2019-0201", data: null, acl, flags: 0 }),
      );
      assert.equal(created.header.err, 0);
      const refused = replyOf(await anonymous.send({ type: OpCode.getACL, path: "/cve-2019-0201" }));
      assert.equal(refused.header.err, -102, "anonymous getACL must be NOAUTH");
      const masked = replyOf(await bob.send({ type: OpCode.getACL, path: "/cve-2019-0201" }));
      assert.equal(masked.header.err, 0);
      const ids = (decodeResponseBody("GetACLResponse", masked.body).acl ?? []).map((a) => a.id.id);
      assert.deepEqual(ids, ["alice:x", "bob:x"]);
    } finally {
      for (const s of [alice, bob, anonymous]) s.destroy();
    }
  });

  test("CVE-2024-23944: a persistent recursive watch hears nothing about nodes its owner may not read", async () => {
    const watcher = await RawSession.open(target!.port, 10_000, 10_000);
    const writer = await RawSession.open(target!.port, 10_000, 10_000);
    try {
      replyOf(await writer.auth("digest", "writer:pw", -4));
      replyOf(await watcher.send({ type: OpCode.addWatch, path: "/", mode: 1 }));
      const secret = [{ perms: Perms.ALL, id: { scheme: "digest", id: digestOf("writer", "pw") } }];
      const open = [{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }];
      for (const [path, acl] of [
        ["/secret-cve", secret],
        ["/secret-cve/child", secret],
        ["/open-cve", open],
      ] as const) {
        assert.equal(
          replyOf(await writer.send({ type: OpCode.create, path, data: null, acl, flags: 0 })).header.err,
          0,
        );
      }
      replyOf(
        await writer.send({ type: OpCode.setData, path: "/secret-cve", data: Buffer.from("x"), version: -1 }),
      );
      replyOf(await writer.send({ type: OpCode.delete, path: "/secret-cve/child", version: -1 }));
      // A round trip on the watcher's own connection: every event fired before it has arrived.
      replyOf(await watcher.send({ type: OpCode.exists, path: "/open-cve", watch: false }));
      const paths = watcher.takeEvents().map((arrival) => arrival.event.path);
      assert.deepEqual(paths, ["/open-cve"]);
    } finally {
      watcher.destroy();
      writer.destroy();
    }
  });

  test("CVE-2017-5637: wchc and wchp are refused unless whitelisted", async () => {
    assert.equal(
      await fourLetterWord(target!.port, "wchc"),
      "wchc is not executed because it is not in the whitelist.\n",
    );
    assert.equal(
      await fourLetterWord(target!.port, "wchp"),
      "wchp is not executed because it is not in the whitelist.\n",
    );
  });
});

describe("ZooKeeper security advisories, TLS and secrets (Paddock)", { skip: paddockOnly }, () => {
  let ca: CertificateAuthority;
  let target: Target | undefined;
  let securePort = 0;

  before(async () => {
    ca = createCertificateAuthority();
    const server = issueServerCertificate(ca);
    securePort = await freeLoopbackPort();
    target = await startTarget({
      extraConfig: {
        secureClientPort: String(securePort),
        "ssl.keyStore.location": server.keyStorePem,
        "ssl.keyStore.password": "keystore-secret-1",
        "ssl.trustStore.location": ca.caCert,
        "ssl.trustStore.type": "PEM",
        "ssl.trustStore.password": "truststore-secret-2",
        "ssl.clientHostnameVerification": "true",
        "SASLAuthenticationProvider.superPassword": "super-secret-3",
        "ssl.allowReverseDnsLookup": "true",
        "ssl.notAKey": "x",
      },
    });
  });

  after(async () => {
    await target?.stop();
    ca?.remove();
  });

  async function connectsWith(name: string, san: string | undefined): Promise<string> {
    const client = issueCertificate(ca, name, {
      subject: `/CN=${name}`,
      extensions: [...(san ? [`subjectAltName=${san}`] : []), "extendedKeyUsage=clientAuth"],
    });
    const facts = await runKazooSecurity(`127.0.0.1:${securePort}`, {
      use_ssl: true,
      ca: ca.caCert,
      certfile: client.cert,
      keyfile: client.key,
    });
    return facts.get("start") as string;
  }

  test("CVE-2026-24281: client hostname verification never falls back to reverse DNS", async () => {
    // 127.0.0.1 resolves back to localhost; a certificate naming only localhost must still fail.
    assert.notEqual(await connectsWith("ptr-only", "DNS:localhost"), "ok");
    assert.equal(await connectsWith("ip-san", "IP:127.0.0.1"), "ok");
  });

  test("CVE-2026-24308: configured passwords appear in no log line, conf or envi", async () => {
    const conf = await fourLetterWord(target!.port, "conf");
    const envi = await fourLetterWord(target!.port, "envi");
    const log = readFileSync(join(target!.dir, "server.log"), "utf8");
    assert.match(log, /ssl\.notAKey/, "the log is the server's, with its warnings");
    for (const secret of ["keystore-secret-1", "truststore-secret-2", "super-secret-3"]) {
      for (const [where, text] of [
        ["log", log],
        ["conf", conf],
        ["envi", envi],
      ] as const) {
        assert.ok(!text.includes(secret), `${secret} appears in ${where}`);
      }
    }
  });
});
