// Proves the DIGEST-MD5 server against the exchange captured between kazoo 2.8 and ZooKeeper 3.8
// (the security reference's test vector): the same nonce and client response give the same rspauth,
// and every check the JDK server makes refuses a response that breaks it. Also the JAAS reader:
// ZooKeeper's Server section, and malformed files refused with their line.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Err } from "../../../src/protocol/constants.js";
import {
  DigestMd5Exchange,
  digestResponseValue,
  parseDirectives,
} from "../../../src/server/sasl/digest-md5.js";
import { JaasConfigError, parseJaas } from "../../../src/server/sasl/jaas.js";
import { SaslAuthenticator } from "../../../src/server/sasl/sasl-authenticator.js";

const NONCE = "9OEP3KSMBWhYLDDOXPT3xuwKxUqFpF0eoWT7szT+";
const CAPTURED_RESPONSE =
  'qop=auth,realm="zk-sasl-md5",username="jaasuser",nonce="9OEP3KSMBWhYLDDOXPT3xuwKxUqFpF0eoWT7szT+",' +
  'cnonce="5177063668719282",nc=00000001,digest-uri="zookeeper/zk-sasl-md5",response=29862f64bbcacca0ea48fd5340be4471';
const users = new Map([
  ["jaasuser", "jaas_password"],
  ["super", "super_secret"],
]);

function challenged(): DigestMd5Exchange {
  const exchange = new DigestMd5Exchange((user) => users.get(user), NONCE);
  const first = exchange.step(Buffer.alloc(0));
  assert.equal(first.kind, "challenge");
  return exchange;
}

describe("SASL DIGEST-MD5 server", () => {
  test("the challenge is the captured one: realm, nonce, charset, algorithm in that order", () => {
    const exchange = new DigestMd5Exchange((user) => users.get(user), NONCE);
    const first = exchange.step(Buffer.alloc(0));
    assert.equal(
      first.kind === "challenge" && first.token.toString(),
      `realm="zk-sasl-md5",nonce="${NONCE}",charset=utf-8,algorithm=md5-sess`,
    );
  });

  test("the captured client response is accepted and answered with the captured rspauth", () => {
    const result = challenged().step(Buffer.from(CAPTURED_RESPONSE));
    assert.equal(result.kind, "success");
    assert.equal(result.kind === "success" && result.user, "jaasuser");
    assert.equal(
      result.kind === "success" && result.token.toString(),
      "rspauth=8508185a2d9b7136cd41a4e9cbcd6602",
    );
  });

  test("the response value is RFC 2831's md5-sess digest (test vector)", () => {
    const common = {
      user: "jaasuser",
      realm: "zk-sasl-md5",
      password: "jaas_password",
      nonce: NONCE,
      cnonce: "5177063668719282",
      nc: "00000001",
      qop: "auth",
      digestUri: "zookeeper/zk-sasl-md5",
      authzid: undefined,
    };
    assert.equal(
      digestResponseValue({ ...common, a2Prefix: "AUTHENTICATE" }),
      "29862f64bbcacca0ea48fd5340be4471",
    );
    assert.equal(digestResponseValue({ ...common, a2Prefix: "" }), "8508185a2d9b7136cd41a4e9cbcd6602");
  });

  const refusals: Array<[string, string]> = [
    ["a wrong password", CAPTURED_RESPONSE.replace("response=29862f64", "response=19862f64")],
    ["an unknown user", CAPTURED_RESPONSE.replace('username="jaasuser"', 'username="baduser"')],
    ["an absent realm", CAPTURED_RESPONSE.replace('realm="zk-sasl-md5",', "")],
    ["another nonce", CAPTURED_RESPONSE.replace('nonce="9OEP', 'nonce="XOEP')],
    ["qop auth-int", CAPTURED_RESPONSE.replace("qop=auth,", "qop=auth-int,")],
    ["another digest-uri", CAPTURED_RESPONSE.replace("zookeeper/zk-sasl-md5", "ldap/zk-sasl-md5")],
    ["nonce count 2", CAPTURED_RESPONSE.replace("nc=00000001", "nc=00000002")],
    ["a repeated directive", `${CAPTURED_RESPONSE},qop=auth`],
    ["a response over 4096 bytes", `${CAPTURED_RESPONSE},x="${"a".repeat(5000)}"`],
    ["text that is not directives", "garbage without equals"],
  ];
  for (const [what, response] of refusals) {
    test(`a digest-response with ${what} is refused`, () => {
      assert.equal(challenged().step(Buffer.from(response)).kind, "failure");
    });
  }

  test("an initial response and a second exchange on a finished connection are refused", () => {
    const exchange = new DigestMd5Exchange((user) => users.get(user), NONCE);
    assert.equal(exchange.step(Buffer.from("GSSAPI initial token")).kind, "failure");
    const done = challenged();
    assert.equal(done.step(Buffer.from(CAPTURED_RESPONSE)).kind, "success");
    assert.equal(done.step(Buffer.alloc(0)).kind, "failure");
  });

  test("directives parse quoted values with escapes, in any order, case-insensitive names", () => {
    const d = parseDirectives('Username="a\\"b", realm=x ,nc=1');
    assert.deepEqual(
      [...(d ?? new Map())],
      [
        ["username", 'a"b'],
        ["realm", "x"],
        ["nc", "1"],
      ],
    );
  });

  test("the authenticator gives sasl:<user>, super for a configured super user, and AUTHFAILED or -124 on failure", () => {
    const random = () => Buffer.from(NONCE, "base64");
    const plain = new SaslAuthenticator({
      users,
      superUsers: ["jaasuser"],
      allowFailedClients: false,
      enforced: false,
      random,
    });
    const conn = {};
    assert.equal(plain.step(conn, null).err, 0);
    const done = plain.step(conn, Buffer.from(CAPTURED_RESPONSE));
    assert.deepEqual(done.ids, [
      { scheme: "sasl", id: "jaasuser" },
      { scheme: "super", id: "" },
    ]);
    const other = {};
    plain.step(other, null);
    const failed = plain.step(other, Buffer.from(CAPTURED_RESPONSE.replace("jaasuser", "nobody")));
    assert.deepEqual([failed.err, failed.token, failed.close], [Err.AUTHFAILED, null, true]);
    const enforced = new SaslAuthenticator({
      users,
      superUsers: [],
      allowFailedClients: true,
      enforced: true,
      random,
    });
    const third = {};
    enforced.step(third, null);
    const refused = enforced.step(third, Buffer.from("nonsense"));
    assert.deepEqual([refused.err, refused.close], [Err.SESSIONCLOSEDREQUIRESASLAUTH, true]);
  });
});

describe("JAAS configuration", () => {
  test("ZooKeeper's Server section yields its login module, flag and user_ options", () => {
    const sections = parseJaas(
      `// comment
Server {
    org.apache.zookeeper.server.auth.DigestLoginModule required
    user_super="super_secret"
    /* block
       comment */
    user_bob="bob\\"secret";
};
Client { org.apache.zookeeper.server.auth.DigestLoginModule required username=bob password="x"; };
`,
      "jaas.conf",
    );
    const server = sections.get("Server")!;
    assert.equal(server[0]!.loginModule, "org.apache.zookeeper.server.auth.DigestLoginModule");
    assert.equal(server[0]!.flag, "required");
    assert.deepEqual(
      [...server[0]!.options],
      [
        ["user_super", "super_secret"],
        ["user_bob", 'bob"secret'],
      ],
    );
    assert.equal(sections.get("Client")![0]!.options.get("username"), "bob");
  });

  const malformed: Array<[string, string, number]> = [
    ["a missing semicolon after the section", "Server {\n m required a=b;\n}", 3],
    ["an unknown control flag", "Server {\n m mandatory a=b;\n};", 2],
    ["an unterminated quote", 'Server {\n m required a="b;\n};', 2],
    ["a section defined twice", "S { m required; };\nS { m required; };", 2],
    ["an option without a value", "Server {\n m required a=;\n};", 2],
  ];
  for (const [what, text, line] of malformed) {
    test(`a JAAS file with ${what} is refused naming its line`, () => {
      assert.throws(
        () => parseJaas(text, "/etc/zk/jaas.conf"),
        (error: unknown) =>
          error instanceof JaasConfigError &&
          error.line === line &&
          error.message.startsWith(`PDK_JAAS_INVALID: /etc/zk/jaas.conf line ${line}:`),
      );
    });
  }
});
