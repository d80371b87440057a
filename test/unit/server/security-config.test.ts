// Proves the security keys read as ZooKeeper reads them: with or without the zookeeper. prefix,
// ZooKeeper's defaults (clientAuth need), start-up errors naming the line for bad values, Java-only
// and do-nothing keys accepted with a warning, and secrets never printed in any message.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ConfigError, parseZooCfg } from "../../../src/server/config.js";
import { readSecurityConfig } from "../../../src/server/security/security-config.js";
import { loadTlsMaterial, TlsConfigError } from "../../../src/server/tls/key-stores.js";
import {
  createCertificateAuthority,
  issueServerCertificate,
  openssl,
  pkcs12Of,
} from "../../support/certificates.js";
import { debianSkipReason } from "../../support/debian.js";

function security(text: string) {
  const { config } = parseZooCfg(text, "zoo.cfg");
  return readSecurityConfig(config, "zoo.cfg");
}

describe("security keys in zoo.cfg", () => {
  test("ssl keys are read with and without the zookeeper. prefix, and clientAuth defaults to need", () => {
    const plain = security(
      "secureClientPort=2281\nssl.keyStore.location=/k.pem\nssl.trustStore.location=/t.pem",
    );
    const prefixed = security(
      "secureClientPort=2281\nzookeeper.ssl.keyStore.location=/k.pem\nzookeeper.ssl.trustStore.location=/t.pem",
    );
    for (const s of [plain, prefixed]) {
      assert.equal(s.secureClientPort, 2281);
      assert.equal(s.clientTls?.keyStore.location, "/k.pem");
      assert.equal(s.clientTls?.trustStore.location, "/t.pem");
      assert.equal(s.clientTls?.clientAuth, "need");
      assert.equal(s.clientTls?.minVersion, "TLSv1.2");
      assert.equal(s.clientTls?.maxVersion, "TLSv1.3");
    }
  });

  test("Java cipher suite names map to OpenSSL's and protocols narrow the versions", () => {
    const s = security(
      "client.portUnification=true\nssl.enabledProtocols=TLSv1.2\n" +
        "ssl.ciphersuites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_AES_128_GCM_SHA256",
    );
    assert.equal(s.clientTls?.ciphers, "ECDHE-RSA-AES128-GCM-SHA256:TLS_AES_128_GCM_SHA256");
    assert.deepEqual([s.clientTls?.minVersion, s.clientTls?.maxVersion], ["TLSv1.2", "TLSv1.2"]);
  });

  const invalid: Array<[string, string, RegExp]> = [
    [
      "ssl.clientAuth=maybe",
      "ssl.clientAuth",
      /zoo.cfg line 1: ssl.clientAuth=maybe is not none, want or need/,
    ],
    ["ssl.enabledProtocols=SSLv3", "protocol", /SSLv3.*not a TLS protocol/],
    ["ssl.ciphersuites=TLS_FAKE_SUITE", "cipher", /TLS_FAKE_SUITE.*not a cipher suite/],
    ["secureClientPortAddress=127.0.0.1", "address", /secureClientPort is not/],
    ["enforce.auth.enabled=true", "schemes", /needs enforce.auth.schemes/],
    [
      "enforce.auth.enabled=true\nenforce.auth.schemes=kerberos",
      "provider",
      /"kerberos", which has no authentication provider/,
    ],
    ["authProvider.1=com.example.Custom", "class", /provider class Paddock does not have/],
  ];
  for (const [text, what, message] of invalid) {
    test(`a bad ${what} setting stops start-up with a message naming it`, () => {
      assert.throws(
        () => security(text),
        (e: unknown) => e instanceof ConfigError && message.test(e.message),
      );
    });
  }

  test("sessionRequireClientSASLAuth enforces sasl, and keys that do nothing in ZooKeeper only warn", () => {
    const s = security(
      "sessionRequireClientSASLAuth=true\nrequireClientAuthScheme=sasl\njaasLoginRenew=3600000",
    );
    assert.deepEqual(s.enforcedAuthSchemes, ["sasl"]);
    assert.equal(s.warnings.filter((w) => /has no effect/.test(w)).length, 2);
  });

  test("a password never appears in an error or a warning", () => {
    assert.throws(
      () => security("ssl.keyStore.password=hunter2\nssl.keyStore.password.x=1\nssl.clientAuth=bad"),
      (e: unknown) => e instanceof Error && !e.message.includes("hunter2"),
    );
    const s = security(
      "ssl.trustStore.password=hunter2\nssl.bogusKey=1\nSASLAuthenticationProvider.superPassword=hunter2",
    );
    assert.ok(
      s.warnings.every((w) => !w.includes("hunter2")),
      s.warnings.join("\n"),
    );
  });
});

describe("key stores", { skip: debianSkipReason(["openssl"]) }, () => {
  test("PEM and PKCS#12 key and trust stores load; JKS is refused with the keytool command", () => {
    const ca = createCertificateAuthority();
    try {
      const server = issueServerCertificate(ca);
      const p12 = pkcs12Of(ca, server, "server", "secret");
      const base = `secureClientPort=2281\nssl.trustStore.location=${ca.caCert}\nssl.trustStore.type=PEM\n`;
      const pem = security(`${base}ssl.keyStore.location=${server.keyStorePem}`).clientTls!;
      assert.deepEqual(loadTlsMaterial(pem, "server").files, [server.keyStorePem, ca.caCert]);
      const pkcs12 = security(`${base}ssl.keyStore.location=${p12}\nssl.keyStore.password=secret`).clientTls!;
      assert.ok(loadTlsMaterial(pkcs12, "server").options.pfx);
      const wrong = security(`${base}ssl.keyStore.location=${p12}\nssl.keyStore.password=wrong`).clientTls!;
      assert.throws(() => loadTlsMaterial(wrong, "server"), TlsConfigError);
      const jks = join(ca.dir, "server.jks");
      writeFileSync(jks, Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]));
      const java = security(`${base}ssl.keyStore.location=${jks}`).clientTls!;
      assert.throws(
        () => loadTlsMaterial(java, "server"),
        (e: unknown) =>
          e instanceof TlsConfigError && /keytool -importkeystore -srckeystore .*server\.jks/.test(e.message),
      );
      // PKCS#12 trust stores of certificates only, as OpenSSL and keytool write them.
      const caFingerprint = new X509Certificate(readFileSync(ca.caCert)).fingerprint256;
      const opensslTrust = join(ca.dir, "trust-openssl.p12");
      openssl(
        ["pkcs12", "-export", "-nokeys", "-in", ca.caCert, "-out", opensslTrust, "-passout", "pass:secret"],
        ca.dir,
      );
      const keytoolTrust = join(ca.dir, "trust-keytool.p12");
      const keytool = spawnSync("keytool", [
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        ca.caCert,
        "-keystore",
        keytoolTrust,
        "-storetype",
        "PKCS12",
        "-storepass",
        "secret",
      ]);
      const stores = keytool.status === 0 ? [opensslTrust, keytoolTrust] : [opensslTrust];
      for (const store of stores) {
        const text = `secureClientPort=2281\nssl.keyStore.location=${server.keyStorePem}\nssl.trustStore.location=${store}\n`;
        const loaded = loadTlsMaterial(
          security(`${text}ssl.trustStore.password=secret`).clientTls!,
          "server",
        );
        assert.equal(new X509Certificate(loaded.options.ca as Buffer).fingerprint256, caFingerprint, store);
        assert.throws(
          () => loadTlsMaterial(security(`${text}ssl.trustStore.password=wrong`).clientTls!, "server"),
          (e: unknown) =>
            e instanceof TlsConfigError && /does not decrypt/.test(e.message) && !e.message.includes("wrong"),
        );
      }
      const noTrust = security(`secureClientPort=2281\nssl.keyStore.location=${server.keyStorePem}`)
        .clientTls!;
      assert.throws(() => loadTlsMaterial(noTrust, "server"), /ssl.trustStore.location is not set/);
    } finally {
      ca.remove();
    }
  });
});
