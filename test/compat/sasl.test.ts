// SASL DIGEST-MD5 as kazoo's own SASL tests use it: a JAAS Server section with user_<name>
// passwords named by java.security.auth.login.config, kazoo's sasl_options, sasl: ACLs, a super
// user, and enforced authentication. Runs against Paddock, and against Apache ZooKeeper 3.8 with the
// same JAAS file (PADDOCK_COMPAT_TARGET=zookeeper) to show the expectations are ZooKeeper's.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Err, OpCode } from "../../src/protocol/constants.js";
import { debianSkipReason } from "../support/debian.js";
import { runKazooSecurity as kazoo } from "../support/kazoo.js";
import { describeRun, run } from "../support/run.js";
import { startTarget, type Target, targetPackages } from "../support/targets.js";
import { RawSession } from "./differential/raw-session.js";

const skip = debianSkipReason([...targetPackages(), "zookeeper", "python3-kazoo", "python3-pure-sasl"]);

const JAAS = `Server {
    org.apache.zookeeper.server.auth.DigestLoginModule required
    user_super="super_secret"
    user_jaasuser="jaas_password";
};
`;

function sasl(username: string, password: string): Record<string, unknown> {
  return { sasl_options: { mechanism: "DIGEST-MD5", username, password } };
}

describe("SASL DIGEST-MD5 with kazoo", { skip }, () => {
  let dir: string;
  let target: Target | undefined;
  let enforced: Target | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "paddock-sasl-"));
    const jaas = join(dir, "jaas.conf");
    writeFileSync(jaas, JAAS);
    const provider = { "authProvider.1": "org.apache.zookeeper.server.auth.SASLAuthenticationProvider" };
    target = await startTarget({
      extraConfig: provider,
      systemProperties: { "java.security.auth.login.config": jaas, "zookeeper.superUser": "super" },
    });
    enforced = await startTarget({
      extraConfig: provider,
      systemProperties: {
        "java.security.auth.login.config": jaas,
        "zookeeper.enforce.auth.enabled": "true",
        "zookeeper.enforce.auth.schemes": "sasl",
      },
    });
  });

  after(async () => {
    await target?.stop();
    await enforced?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the right password authenticates as sasl:<user>, and a node with ACL auth is that user's", async () => {
    const facts = await kazoo(target!.connectString, {
      ...sasl("jaasuser", "jaas_password"),
      create_auth: "/sasl-node",
    });
    assert.equal(facts.get("start"), "ok");
    assert.deepEqual(facts.get("acl"), ["sasl:jaasuser:31"]);
  });

  test("a client without SASL cannot read the sasl:jaasuser node; the super user can", async () => {
    const anonymous = await kazoo(target!.connectString, { get: "/sasl-node" });
    assert.equal(anonymous.get("get"), "NoAuthError");
    const superUser = await kazoo(target!.connectString, {
      ...sasl("super", "super_secret"),
      get: "/sasl-node",
    });
    assert.equal(superUser.get("get"), "ok");
  });

  test("kazoo's legacy auth_data sasl pair authenticates the same way", async () => {
    const facts = await kazoo(target!.connectString, {
      auth_data: [["sasl", "jaasuser:jaas_password"]],
      create_auth: "/sasl-legacy",
    });
    assert.equal(facts.get("start"), "ok");
    assert.deepEqual(facts.get("acl"), ["sasl:jaasuser:31"]);
    const wrong = await kazoo(target!.connectString, { auth_data: [["sasl", "baduser:badpassword"]] });
    assert.equal(wrong.get("start"), "AuthFailedError");
  });

  test("the Java client (zkCli's ZooKeeperMain) logs in from its JAAS Client section and gets sasl:<user>", async () => {
    const clientJaas = join(dir, "client-jaas.conf");
    writeFileSync(
      clientJaas,
      'Client { org.apache.zookeeper.server.auth.DigestLoginModule required username="jaasuser" password="jaas_password"; };\n',
    );
    const result = await run(
      "java",
      [
        "-cp",
        ["zookeeper.jar", "zookeeper-jute.jar", "slf4j-api.jar"]
          .map((jar) => `/usr/share/java/${jar}`)
          .join(":"),
        `-Djava.security.auth.login.config=${clientJaas}`,
        "org.apache.zookeeper.ZooKeeperMain",
        "-server",
        target!.connectString,
      ],
      { input: "create /sasl-java hi auth::cdrwa\ngetAcl /sasl-java\nwhoami\nquit\n", timeoutMs: 90_000 },
    );
    const out = result.stdout + result.stderr;
    assert.match(out, /Created \/sasl-java/, describeRun(result));
    assert.match(out, /'sasl,'jaasuser\n: cdrwa/, describeRun(result));
  });

  test("a wrong password fails authentication", async () => {
    const facts = await kazoo(target!.connectString, sasl("jaasuser", "wrong"));
    assert.equal(facts.get("start"), "AuthFailedError");
  });

  test("an unknown user fails authentication", async () => {
    const facts = await kazoo(target!.connectString, sasl("baduser", "badpassword"));
    assert.equal(facts.get("start"), "AuthFailedError");
  });

  test("with enforced SASL, a request before authentication gets SESSIONCLOSEDREQUIRESASLAUTH and the connection closes", async () => {
    // kazoo 2.8 does not know code -124 (its connection thread dies), so the raw protocol shows it.
    const session = await RawSession.open(enforced!.port, 10_000, 10_000);
    const outcome = await session.send({ type: OpCode.exists, path: "/", watch: false });
    assert.ok("reply" in outcome, `no reply: ${"lost" in outcome ? outcome.lost : ""}`);
    assert.equal(outcome.reply.header.err, Err.SESSIONCLOSEDREQUIRESASLAUTH);
    assert.equal(await session.closedWithin(10_000), true);
  });

  test("with enforced SASL, a client that authenticates works", async () => {
    const authenticated = await kazoo(enforced!.connectString, {
      ...sasl("jaasuser", "jaas_password"),
      create_auth: "/enforced",
    });
    assert.equal(authenticated.get("start"), "ok");
    assert.deepEqual(authenticated.get("acl"), ["sasl:jaasuser:31"]);
  });
});
