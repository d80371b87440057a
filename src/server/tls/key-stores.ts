// Reads the key and trust stores an ssl.* block names into Node's secure-context options, in the
// layouts ZooKeeper reads: a PEM key store is one file holding the private key and its certificate
// chain, a PEM trust store a file of CA certificates, PKCS#12 a password-protected bundle (a trust
// store of certificates alone is unpacked by pkcs12-trust-store.ts, as Node cannot load one). Java
// KeyStores (JKS, BCFKS) have no reader in Node: they are refused with the keytool command that
// converts them. Every failure names the key, the file and what to do.

import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { createSecureContext, type SecureContextOptions } from "node:tls";
import { pemOfCertificates, pkcs12Certificates } from "./pkcs12-trust-store.js";
import type { StoreSettings, StoreType, TlsSettings } from "./tls-settings.js";

export class TlsConfigError extends Error {
  readonly code = "PDK_TLS_CONFIG";

  constructor(detail: string) {
    super(`PDK_TLS_CONFIG: ${detail}`);
    this.name = "TlsConfigError";
  }
}

export interface TlsMaterial {
  /** Key, certificate chain and trusted CAs, ready for tls.createServer or tls.connect. */
  readonly options: SecureContextOptions;
  /** The files read, which certificate reloading watches. */
  readonly files: readonly string[];
}

const BY_EXTENSION: Readonly<Record<string, StoreType>> = {
  ".pem": "PEM",
  ".p12": "PKCS12",
  ".jks": "JKS",
  ".bcfks": "BCFKS",
};

/** A JKS file starts with 0xFEEDFEED (JCEKS with 0xCECECECE). */
function looksLikeJavaKeyStore(bytes: Buffer): boolean {
  if (bytes.length < 4) return false;
  const magic = bytes.readUInt32BE(0);
  return magic === 0xfeedfeed || magic === 0xcececece;
}

function readStore(store: StoreSettings): { bytes: Buffer; type: StoreType; password: string } {
  const location = store.location!;
  let bytes: Buffer;
  try {
    bytes = readFileSync(location);
  } catch (error) {
    throw new TlsConfigError(`${store.key}=${location} cannot be read (${(error as Error).message})`);
  }
  let type = store.type ?? BY_EXTENSION[extname(location).toLowerCase()];
  if (type === undefined) {
    throw new TlsConfigError(
      `${store.key}=${location}: unable to auto-detect the store type from the file name; ` +
        `set ${store.key.replace(/location$/, "type")} to PEM or PKCS12`,
    );
  }
  if (looksLikeJavaKeyStore(bytes)) type = "JKS";
  if (type === "JKS" || type === "BCFKS") {
    const p12 = `${basename(location, extname(location))}.p12`;
    throw new TlsConfigError(
      `${store.key}=${location} is a ${type} key store, which Paddock cannot read; convert it with ` +
        `keytool -importkeystore -srckeystore ${location} -srcstoretype ${type} -destkeystore ${p12} ` +
        "-deststoretype PKCS12 and point the key at the .p12 file",
    );
  }
  let password = store.password;
  if (store.passwordPath !== undefined) {
    try {
      password = readFileSync(store.passwordPath, "utf8").replace(/\r?\n$/, "");
    } catch (error) {
      throw new TlsConfigError(
        `${store.key.replace(/location$/, "passwordPath")}=${store.passwordPath} cannot be read (${(error as Error).message})`,
      );
    }
  }
  return { bytes, type, password };
}

function keyOptions(store: StoreSettings): SecureContextOptions {
  const { bytes, type, password } = readStore(store);
  const passphrase = password === "" ? undefined : password;
  if (type === "PKCS12") return { pfx: bytes, passphrase };
  const pem = bytes.toString("latin1");
  if (!/-----BEGIN (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----/.test(pem)) {
    throw new TlsConfigError(
      `${store.key}=${store.location} holds no private key; a PEM key store is the key and its ` +
        "certificate chain in one file (cat server.key server.crt > server-keystore.pem)",
    );
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
    throw new TlsConfigError(`${store.key}=${store.location} holds no certificate after its private key`);
  }
  // The one file serves as both: Node takes the key from `key` and the chain from `cert`.
  return { key: bytes, cert: bytes, passphrase };
}

function trustOptions(store: StoreSettings): SecureContextOptions {
  const { bytes, type, password } = readStore(store);
  if (type === "PKCS12") {
    let certificates: Buffer[];
    try {
      certificates = pkcs12Certificates(bytes, password);
    } catch (error) {
      throw new TlsConfigError(
        `${store.key}=${store.location} cannot be read as a PKCS#12 trust store: ${(error as Error).message}; ` +
          `export its certificates with openssl pkcs12 -in ${store.location} -nokeys -out truststore.pem ` +
          "and point the key at the PEM file (type PEM)",
      );
    }
    if (certificates.length === 0)
      throw new TlsConfigError(`${store.key}=${store.location} holds no certificate`);
    return { ca: Buffer.from(pemOfCertificates(certificates)) };
  }
  if (!bytes.toString("latin1").includes("-----BEGIN CERTIFICATE-----")) {
    throw new TlsConfigError(`${store.key}=${store.location} holds no PEM certificate`);
  }
  return { ca: bytes };
}

/**
 * Loads the stores for a server (`role` "server": key store required, trust store required unless
 * clientAuth=none) or a client of another server (key store optional, trust store defaults to the
 * system's CAs). The result is checked by building a context once, so a wrong password or a key
 * that does not match its certificate fails here, at start-up or reload, not at the first handshake.
 */
export function loadTlsMaterial(settings: TlsSettings, role: "server" | "client"): TlsMaterial {
  const files: string[] = [];
  let options: SecureContextOptions = {
    minVersion: settings.minVersion,
    maxVersion: settings.maxVersion,
    ...(settings.ciphers !== undefined ? { ciphers: settings.ciphers } : {}),
  };
  if (settings.keyStore.location === undefined) {
    if (role === "server") {
      throw new TlsConfigError(
        `${settings.keyStore.key} is not set; a TLS server needs a key store (its private key and certificate)`,
      );
    }
  } else {
    options = { ...options, ...keyOptions(settings.keyStore) };
    files.push(settings.keyStore.location);
  }
  if (settings.trustStore.location === undefined) {
    if (role === "server" && settings.clientAuth !== "none") {
      throw new TlsConfigError(
        `${settings.trustStore.key} is not set; with ${settings.prefix}clientAuth=${settings.clientAuth} ` +
          "client certificates are checked against it (set it, or set clientAuth=none)",
      );
    }
  } else {
    options = { ...options, ...trustOptions(settings.trustStore) };
    files.push(settings.trustStore.location);
  }
  if (settings.crl && options.ca !== undefined) {
    // OpenSSL reads CRLs given as PEM; ZooKeeper's ssl.crl means "check the ones in the trust store".
    const crl = options.ca.toString().match(/-----BEGIN X509 CRL-----[\s\S]*?-----END X509 CRL-----/g);
    if (crl !== null) options = { ...options, crl };
  }
  try {
    createSecureContext(options);
  } catch (error) {
    const message = (error as Error).message;
    const hint = /bad decrypt|mac verify|PFX|passphrase/i.test(message)
      ? ` (is ${settings.keyStore.key.replace(/location$/, "password")} right?)`
      : "";
    throw new TlsConfigError(`the ${settings.prefix}* stores do not make a TLS context: ${message}${hint}`);
  }
  return { options, files };
}
