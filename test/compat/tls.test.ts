// Client TLS as ZooKeeper operators configure it, judged through clients we did not write: kazoo
// (use_ssl with a client certificate) and zkCli.sh with the Netty socket and PEM stores, against a
// secureClientPort with ssl.clientAuth left at its default (need). Certificates are made with
// openssl for the run. The same file runs against Apache ZooKeeper 3.8 (PADDOCK_COMPAT_TARGET=zookeeper),
// which needs its Netty factory and x509 provider named; Paddock accepts those lines.

import assert from "node:assert/strict";
import { copyFileSync, readFileSync, renameSync } from "node:fs";
import { type Socket, connect as tcpConnect } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { connect as tlsConnect } from "node:tls";
import {
  type CertificateAuthority,
  createCertificateAuthority,
  type IssuedCertificate,
  issueCertificate,
  issueServerCertificate,
  selfSignedCertificate,
} from "../support/certificates.js";
import { debianSkipReason } from "../support/debian.js";
import { fourLetterWord } from "../support/four-letter-word.js";
import { runKazooSecurity as kazoo } from "../support/kazoo.js";
import { freeLoopbackPort } from "../support/ports.js";
import { describeRun, run } from "../support/run.js";
import { startTarget, type Target, targetKind, targetPackages } from "../support/targets.js";

const skip = debianSkipReason([...targetPackages(), "zookeeper", "python3-kazoo", "openssl"]);
const nettyClientClasspath = [
  "zookeeper.jar",
  "zookeeper-jute.jar",
  "slf4j-api.jar",
  "netty-resolver.jar",
  "netty-transport.jar",
  "netty-transport-native-unix-common.jar",
  "netty-handler.jar",
  "netty-buffer.jar",
  "netty-codec.jar",
  "netty-common.jar",
]
  .map((jar) => `/usr/share/java/${jar}`)
  .join(":");
const bobId = "CN=bob,OU=clients,O=Paddock";

function tlsConfig(server: IssuedCertificate, ca: CertificateAuthority): Record<string, string> {
  return {
    serverCnxnFactory: "org.apache.zookeeper.server.NettyServerCnxnFactory",
    "authProvider.x509": "org.apache.zookeeper.server.auth.X509AuthenticationProvider",
    "ssl.keyStore.location": server.keyStorePem,
    "ssl.keyStore.type": "PEM",
    "ssl.trustStore.location": ca.caCert,
    "ssl.trustStore.type": "PEM",
  };
}

function kazooTls(ca: CertificateAuthority, client: IssuedCertificate | undefined): Record<string, unknown> {
  return {
    use_ssl: true,
    ca: ca.caCert,
    ...(client === undefined ? {} : { certfile: client.cert, keyfile: client.key }),
  };
}

/** Resolves once the server has closed `socket` (or it errored); rejects after `timeoutMs`. */
function closedWithin(socket: Socket, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) {
      resolve();
      return;
    }
    const timer = setTimeout(() => reject(new Error(`socket still open after ${timeoutMs} ms`)), timeoutMs);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on("error", () => undefined);
    // Read (and drop) whatever comes, such as a TLS alert, so that the end of the stream is seen.
    socket.resume();
  });
}

function openTcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: "127.0.0.1", port }, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** The serial number of the certificate the server presents on a new TLS connection. */
function servedSerial(port: number, ca: CertificateAuthority, client: IssuedCertificate): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: "127.0.0.1",
      port,
      ca: [readFileSync(ca.caCert)],
      cert: readFileSync(client.cert),
      key: readFileSync(client.key),
      checkServerIdentity: () => undefined,
    });
    socket.once("secureConnect", () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.destroy();
      resolve(serial);
    });
    socket.once("error", reject);
  });
}

describe("client TLS on secureClientPort", { skip }, () => {
  let ca: CertificateAuthority;
  let server: IssuedCertificate;
  let bob: IssuedCertificate;
  let target: Target | undefined;
  let securePort = 0;

  before(async () => {
    ca = createCertificateAuthority();
    server = issueServerCertificate(ca);
    bob = issueCertificate(ca, "bob", { subject: "/O=Paddock/OU=clients/CN=bob" });
    securePort = await freeLoopbackPort();
    target = await startTarget({
      extraConfig: { ...tlsConfig(server, ca), secureClientPort: String(securePort) },
    });
  });

  after(async () => {
    await target?.stop();
    ca?.remove();
  });

  test("kazoo with a trusted client certificate connects and its identity is the certificate's x509 DN", async () => {
    const facts = await kazoo(`127.0.0.1:${securePort}`, { ...kazooTls(ca, bob), create_auth: "/tls-bob" });
    assert.equal(facts.get("start"), "ok");
    assert.deepEqual(facts.get("acl"), [`x509:${bobId}:31`]);
  });

  test("zkCli (ZooKeeperMain) over the Netty socket with PEM stores creates a node whose auth ACL is the x509 DN", async () => {
    // Debian's zkCli.sh puts only zookeeper.jar on the class path, without the Netty jars the TLS
    // socket needs, so its main class runs here with the class path zkCli.sh would need.
    const result = await run(
      "java",
      [
        "-cp",
        nettyClientClasspath,
        "-Dzookeeper.client.secure=true",
        "-Dzookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty",
        `-Dzookeeper.ssl.keyStore.location=${bob.keyStorePem}`,
        "-Dzookeeper.ssl.keyStore.type=PEM",
        `-Dzookeeper.ssl.trustStore.location=${ca.caCert}`,
        "-Dzookeeper.ssl.trustStore.type=PEM",
        "org.apache.zookeeper.ZooKeeperMain",
        "-server",
        `127.0.0.1:${securePort}`,
      ],
      {
        input: "create /tls-zkcli hello auth::cdrwa\ngetAcl /tls-zkcli\nget /tls-zkcli\nquit\n",
        timeoutMs: 90_000,
      },
    );
    assert.match(result.stdout + result.stderr, /Created \/tls-zkcli/, describeRun(result));
    // zkCli prints the id URL-encoded.
    assert.match(
      result.stdout,
      new RegExp(`'x509,'${bobId.replaceAll(",", "%2C")}\\n: cdrwa`),
      describeRun(result),
    );
    assert.match(result.stdout, /^hello$/m, describeRun(result));
  });

  test("a plaintext client on the TLS-only port is refused", async () => {
    const facts = await kazoo(`127.0.0.1:${securePort}`, {});
    assert.notEqual(facts.get("start"), "ok");
  });

  test("a client without a certificate is refused: ssl.clientAuth defaults to need", async () => {
    const facts = await kazoo(`127.0.0.1:${securePort}`, kazooTls(ca, undefined));
    assert.notEqual(facts.get("start"), "ok");
  });

  test("a client whose certificate no trusted CA signed is refused", async () => {
    const eve = selfSignedCertificate(ca.dir, "eve", "/CN=eve");
    const facts = await kazoo(`127.0.0.1:${securePort}`, kazooTls(ca, eve));
    assert.notEqual(facts.get("start"), "ok");
  });

  test("garbage after a TLS record header closes that connection and the server keeps serving", async () => {
    const socket = await openTcp(securePort);
    // A handshake record whose message type (0xab) does not exist.
    socket.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 0xab, 0x00, 0x00, 0x00]));
    await closedWithin(socket, 15_000);
    assert.equal(await fourLetterWord(target!.port, "ruok"), "imok");
    const facts = await kazoo(`127.0.0.1:${securePort}`, kazooTls(ca, bob));
    assert.equal(facts.get("start"), "ok");
  });
});

describe("client.portUnification with ssl.clientAuth=want: TLS and plaintext on one port", { skip }, () => {
  let ca: CertificateAuthority;
  let target: Target | undefined;

  before(async () => {
    ca = createCertificateAuthority();
    const server = issueServerCertificate(ca);
    target = await startTarget({
      extraConfig: { ...tlsConfig(server, ca), "ssl.clientAuth": "want" },
      systemProperties: { "zookeeper.client.portUnification": "true" },
    });
  });

  after(async () => {
    await target?.stop();
    ca?.remove();
  });

  test("a plaintext kazoo and a TLS kazoo both work on the client port, each with its own identity", async () => {
    const bob = issueCertificate(ca, "bob", { subject: "/O=Paddock/OU=clients/CN=bob" });
    const secure = await kazoo(target!.connectString, { ...kazooTls(ca, bob), create_auth: "/unified-tls" });
    assert.equal(secure.get("start"), "ok");
    assert.deepEqual(secure.get("acl"), [`x509:${bobId}:31`]);
    const plain = await kazoo(target!.connectString, { get: "/unified-tls" });
    assert.equal(plain.get("start"), "ok");
    assert.equal(plain.get("get"), "NoAuthError");
    assert.equal(await fourLetterWord(target!.port, "ruok"), "imok");
  });

  test("with clientAuth=want a TLS client without a certificate connects, and one with an untrusted certificate is refused", async () => {
    const anonymous = await kazoo(target!.connectString, { ...kazooTls(ca, undefined), get: "/unified-tls" });
    assert.equal(anonymous.get("start"), "ok");
    assert.equal(anonymous.get("get"), "NoAuthError");
    const eve = selfSignedCertificate(ca.dir, "eve", "/CN=eve");
    const untrusted = await kazoo(target!.connectString, kazooTls(ca, eve));
    assert.notEqual(untrusted.get("start"), "ok");
  });
});

const paddockOnly =
  skip || (targetKind() !== "paddock" && "Paddock only: ZooKeeper 3.8.0 has no client.certReload");

describe("TLS certificate reload and handshake limits (Paddock)", { skip: paddockOnly }, () => {
  let ca: CertificateAuthority;
  let bob: IssuedCertificate;
  const targets: Target[] = [];
  let reloadPort = 0;
  let handshakeLimitPort = 0;
  let connectionLimitPort = 0;
  let keyStore = "";

  before(async () => {
    ca = createCertificateAuthority();
    const server = issueServerCertificate(ca);
    bob = issueCertificate(ca, "bob", { subject: "/O=Paddock/OU=clients/CN=bob" });
    keyStore = join(ca.dir, "live-keystore.pem");
    copyFileSync(server.keyStorePem, keyStore);
    reloadPort = await freeLoopbackPort();
    handshakeLimitPort = await freeLoopbackPort();
    connectionLimitPort = await freeLoopbackPort();
    const base = tlsConfig(server, ca);
    targets.push(
      await startTarget({
        extraConfig: {
          ...base,
          "ssl.keyStore.location": keyStore,
          secureClientPort: String(reloadPort),
          "client.certReload": "true",
        },
      }),
      await startTarget({
        extraConfig: {
          ...base,
          secureClientPort: String(handshakeLimitPort),
          maxClientCnxns: "0",
          "netty.server.outstandingHandshake.limit": "1",
        },
      }),
      await startTarget({
        extraConfig: { ...base, secureClientPort: String(connectionLimitPort), maxClientCnxns: "2" },
      }),
    );
  });

  after(async () => {
    for (const target of targets) await target.stop();
    ca?.remove();
  });

  test("a renewed server certificate is served to new connections without a restart", async () => {
    const before = await servedSerial(reloadPort, ca, bob);
    const renewed = issueServerCertificate(ca, "server-renewed");
    copyFileSync(renewed.keyStorePem, `${keyStore}.tmp`);
    // A rename, as certificate managers and Kubernetes secret updates replace files.
    renameSync(`${keyStore}.tmp`, keyStore);
    const deadline = Date.now() + 20_000;
    let now = before;
    while (now === before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      now = await servedSerial(reloadPort, ca, bob);
    }
    assert.notEqual(now, before, "the server still presents the old certificate");
    const facts = await kazoo(`127.0.0.1:${reloadPort}`, kazooTls(ca, bob));
    assert.equal(facts.get("start"), "ok");
  });

  test("a handshake that never starts holds the only handshake slot; the next socket is closed at once", async () => {
    const idle = await openTcp(handshakeLimitPort);
    idle.on("error", () => undefined);
    // The server must have taken the first socket before the second arrives; a ruok round trip on
    // the plain port orders the two.
    await fourLetterWord(targets[1]!.port, "ruok");
    const second = await openTcp(handshakeLimitPort);
    await closedWithin(second, 5_000);
    idle.destroy();
  });

  test("a handshake that starts and never finishes is closed by the handshake timeout", async () => {
    const stalled = await openTcp(reloadPort);
    // The first bytes of a ClientHello record, and then nothing.
    stalled.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x80, 0x01, 0x00, 0x00, 0x7c, 0x03, 0x03]));
    await closedWithin(stalled, 30_000);
  });

  test("maxClientCnxns counts sockets that have not shaken hands: the third is closed at once", async () => {
    const held: Socket[] = [];
    for (let i = 0; i < 2; i++) {
      const socket = await openTcp(connectionLimitPort);
      socket.on("error", () => undefined);
      held.push(socket);
    }
    await fourLetterWord(targets[2]!.port, "ruok");
    const third = await openTcp(connectionLimitPort);
    await closedWithin(third, 5_000);
    for (const socket of held) socket.destroy();
  });
});
