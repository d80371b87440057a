// Proves the x509 identity is Java's X500Principal.getName() byte for byte: certificates are made
// with openssl at test time with the subjects the security reference recorded from a live ZooKeeper
// 3.8 (its getACL output), and each must print exactly as ZooKeeper printed it.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { isDistinguishedName, x509IdentityOf } from "../../../src/data/x509-identity.js";
import {
  type CertificateAuthority,
  createCertificateAuthority,
  derOf,
  issueCertificate,
} from "../../support/certificates.js";
import { debianSkipReason } from "../../support/debian.js";

const skip = debianSkipReason(["openssl"]);

describe("x509 identity of a client certificate", { skip }, () => {
  let ca: CertificateAuthority;
  before(() => {
    ca = createCertificateAuthority();
  });
  after(() => ca.remove());

  const identity = (name: string, subject: string, multivalueRdn = false) =>
    x509IdentityOf(derOf(issueCertificate(ca, name, { subject, multivalueRdn }).cert));

  test("a plain subject prints last RDN first with keywords and no spaces", () => {
    assert.equal(identity("bob", "/O=Paddock/OU=clients/CN=bob"), "CN=bob,OU=clients,O=Paddock");
  });

  test("a multi-valued RDN keeps its encoded order, joined by +", () => {
    assert.equal(identity("carol", "/O=Acme/OU=Eng+UID=42/CN=carol", true), "CN=carol,OU=Eng+UID=42,O=Acme");
  });

  test("special characters, spaces, non-keyword types and non-ASCII print as Java prints them", () => {
    const subject =
      '/C=US/ST=California/O=Acme, Inc./OU=Eng/OU=ZK;x/CN= alice "the admin" <a\\+b>#' +
      "/emailAddress=alice@example.com/DC=example/L=Zürich";
    assert.equal(
      identity("alice", subject),
      "L=Zürich,DC=example,1.2.840.113549.1.9.1=#1611616c696365406578616d706c652e636f6d," +
        'CN=\\ alice \\"the admin\\" \\<a\\+b\\>\\#,OU=ZK\\;x,OU=Eng,O=Acme\\, Inc.,ST=California,C=US',
    );
  });

  test("equals, backslash, semicolon, comma, hash and a trailing space are escaped", () => {
    assert.equal(identity("odd", "/CN=a\\=b\\\\c;d , #x "), "CN=a\\=b\\\\c\\;d \\, \\#x\\ ");
  });

  test("a truncated certificate is refused with a decode error, not a wrong identity", () => {
    const der = derOf(issueCertificate(ca, "cut", { subject: "/CN=cut" }).cert);
    assert.throws(() => x509IdentityOf(der.subarray(0, 40)), /DER|expected/);
  });
});

describe("x509 ACL expressions", () => {
  test("distinguished names are valid, with or without spaces", () => {
    assert.ok(isDistinguishedName("CN=bob,OU=clients,O=Paddock"));
    assert.ok(isDistinguishedName("CN=bob, OU=clients, O=Paddock"));
    assert.ok(isDistinguishedName("CN=carol,OU=Eng+UID=42,O=Acme"));
    assert.ok(isDistinguishedName("1.2.840.113549.1.9.1=#1611616c696365"));
    assert.ok(isDistinguishedName("CN=a\\,b"));
  });

  test("text that is not a distinguished name is invalid", () => {
    assert.equal(isDistinguishedName("bob"), false);
    assert.equal(isDistinguishedName(""), false);
    assert.equal(isDistinguishedName("CN=bob,"), false);
    assert.equal(isDistinguishedName("9N=bob"), false);
    assert.equal(isDistinguishedName("CN=a\\"), false);
  });
});
