// Makes throw-away certificates for the TLS tests with Debian's openssl CLI, in a fresh temporary
// directory: a CA, a server certificate for localhost/127.0.0.1, client certificates with chosen
// subjects, and the key store layouts ZooKeeper operators use (combined PEM, PKCS#12, encrypted
// PKCS#8). Nothing generated here is committed; every key lives only as long as the test.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface CertificateAuthority {
  readonly dir: string;
  /** CA certificate, PEM: ZooKeeper's PEM trust store layout. */
  readonly caCert: string;
  readonly caKey: string;
  remove(): void;
}

export interface IssuedCertificate {
  readonly cert: string;
  /** PKCS#8 private key, unencrypted. */
  readonly key: string;
  /** Key then certificate in one file: ZooKeeper's PEM key store layout. */
  readonly keyStorePem: string;
}

export function openssl(args: string[], cwd: string): string {
  const run = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${run.stderr}`);
  return run.stdout;
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

export function createCertificateAuthority(subject = "/CN=Paddock Test CA"): CertificateAuthority {
  const dir = mkdtempSync(join(tmpdir(), "paddock-certs-"));
  openssl(
    ["req", "-x509", ...EC, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", subject],
    dir,
  );
  return {
    dir,
    caCert: join(dir, "ca.crt"),
    caKey: join(dir, "ca.key"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface IssueOptions {
  /** openssl -subj form, e.g. /O=Paddock/OU=clients/CN=bob. */
  readonly subject: string;
  /** extension lines for the certificate, e.g. subjectAltName=DNS:localhost,IP:127.0.0.1. */
  readonly extensions?: readonly string[];
  readonly multivalueRdn?: boolean;
}

export function issueCertificate(
  ca: CertificateAuthority,
  name: string,
  options: IssueOptions,
): IssuedCertificate {
  const dir = ca.dir;
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(
    extFile,
    `${(options.extensions ?? ["extendedKeyUsage=serverAuth,clientAuth"]).join("\n")}\n`,
  );
  openssl(
    [
      "req",
      ...EC,
      "-utf8",
      ...(options.multivalueRdn ? ["-multivalue-rdn"] : []),
      "-keyout",
      key,
      "-out",
      join(dir, `${name}.csr`),
      "-subj",
      options.subject,
    ],
    dir,
  );
  openssl(
    [
      "x509",
      "-req",
      "-in",
      join(dir, `${name}.csr`),
      "-CA",
      ca.caCert,
      "-CAkey",
      ca.caKey,
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      extFile,
      "-out",
      cert,
    ],
    dir,
  );
  const keyStorePem = join(dir, `${name}-keystore.pem`);
  writeFileSync(keyStorePem, readFileSync(key, "utf8") + readFileSync(cert, "utf8"));
  return { cert, key, keyStorePem };
}

/** The server certificate every TLS test uses: valid for localhost and 127.0.0.1. */
export function issueServerCertificate(ca: CertificateAuthority, name = "server"): IssuedCertificate {
  return issueCertificate(ca, name, {
    subject: "/CN=localhost",
    extensions: ["subjectAltName=DNS:localhost,IP:127.0.0.1", "extendedKeyUsage=serverAuth,clientAuth"],
  });
}

/** A PKCS#12 bundle of a certificate, its key and the CA, protected by `password`. */
export function pkcs12Of(
  ca: CertificateAuthority,
  issued: IssuedCertificate,
  name: string,
  password: string,
): string {
  const out = join(ca.dir, `${name}.p12`);
  openssl(
    [
      "pkcs12",
      "-export",
      "-in",
      issued.cert,
      "-inkey",
      issued.key,
      "-certfile",
      ca.caCert,
      "-out",
      out,
      "-passout",
      `pass:${password}`,
    ],
    ca.dir,
  );
  return out;
}

/** A self-signed certificate no test CA vouches for. */
export function selfSignedCertificate(dir: string, name: string, subject: string): IssuedCertificate {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  openssl(["req", "-x509", ...EC, "-keyout", key, "-out", cert, "-days", "2", "-subj", subject], dir);
  const keyStorePem = join(dir, `${name}-keystore.pem`);
  writeFileSync(keyStorePem, readFileSync(key, "utf8") + readFileSync(cert, "utf8"));
  return { cert, key, keyStorePem };
}

/** The DER bytes of a PEM certificate file. */
export function derOf(certPath: string): Buffer {
  const pem = readFileSync(certPath, "utf8");
  const body = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem)?.[1] ?? "";
  return Buffer.from(body.replace(/\s+/g, ""), "base64");
}
