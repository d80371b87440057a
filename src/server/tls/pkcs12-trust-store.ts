// The CA certificates inside a PKCS#12 trust store, the kind `keytool -importcert -storetype
// PKCS12` and `openssl pkcs12 -export -nokeys` write. Node loads a PKCS#12 file only together with
// a private key, so a trust store of certificates alone is unpacked here: the authenticated safe's
// contents, plain or PBES2-encrypted (PBKDF2 with HMAC-SHA1/SHA-2, AES-CBC, what OpenSSL 3 and
// JDK 12+ write), and their certificate bags. The older RC2/3DES encryptions are refused with the
// command that re-exports the file. The MAC is not checked: a wrong password fails decryption.

import { createDecipheriv, pbkdf2Sync } from "node:crypto";
import {
  children,
  type DerElement,
  decodeOid,
  expect,
  INTEGER,
  OBJECT_IDENTIFIER,
  OCTET_STRING,
  readElement,
  SEQUENCE,
} from "../../data/der.js";

const OID = {
  data: "1.2.840.113549.1.7.1",
  encryptedData: "1.2.840.113549.1.7.6",
  certBag: "1.2.840.113549.1.12.10.1.3",
  x509Certificate: "1.2.840.113549.1.9.22.1",
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
} as const;

const PRF_DIGESTS: Readonly<Record<string, string>> = {
  "1.2.840.113549.2.7": "sha1",
  "1.2.840.113549.2.8": "sha224",
  "1.2.840.113549.2.9": "sha256",
  "1.2.840.113549.2.10": "sha384",
  "1.2.840.113549.2.11": "sha512",
};

const CIPHERS: Readonly<Record<string, { name: string; keyBytes: number }>> = {
  "2.16.840.1.101.3.4.1.2": { name: "aes-128-cbc", keyBytes: 16 },
  "2.16.840.1.101.3.4.1.22": { name: "aes-192-cbc", keyBytes: 24 },
  "2.16.840.1.101.3.4.1.42": { name: "aes-256-cbc", keyBytes: 32 },
};

export class Pkcs12Error extends Error {
  override readonly name = "Pkcs12Error";
}

function content(der: Uint8Array, element: DerElement): Buffer {
  return Buffer.from(der.subarray(element.contentStart, element.end));
}

/** The bytes of an OCTET STRING, also in its constructed (BER, chunked) form. */
function octets(der: Uint8Array, element: DerElement): Buffer {
  if ((element.tag & 0x20) === 0) return content(der, element);
  return Buffer.concat(children(der, element).map((part) => octets(der, part)));
}

function root(bytes: Uint8Array): DerElement {
  return expect(readElement(bytes, 0, bytes.length), SEQUENCE, "a SEQUENCE");
}

function decryptPbes2(der: Uint8Array, algorithm: DerElement, encrypted: Buffer, password: string): Buffer {
  const [, params] = children(der, algorithm);
  const [kdf, scheme] = children(der, expect(params, SEQUENCE, "PBES2 parameters"));
  const [kdfOid, kdfParams] = children(der, expect(kdf, SEQUENCE, "a key derivation function"));
  if (decodeOid(der, expect(kdfOid, OBJECT_IDENTIFIER, "a KDF OID")) !== OID.pbkdf2) {
    throw new Pkcs12Error("the PBES2 key derivation is not PBKDF2");
  }
  const fields = children(der, expect(kdfParams, SEQUENCE, "PBKDF2 parameters"));
  const salt = content(der, expect(fields[0], OCTET_STRING, "a PBKDF2 salt"));
  const iterations = Number.parseInt(
    content(der, expect(fields[1], INTEGER, "a PBKDF2 iteration count")).toString("hex"),
    16,
  );
  const prfElement = fields.slice(2).find((f) => f.tag === SEQUENCE);
  const prfOid =
    prfElement === undefined ? "1.2.840.113549.2.7" : decodeOid(der, children(der, prfElement)[0]!);
  const digest = PRF_DIGESTS[prfOid];
  const [cipherOid, iv] = children(der, expect(scheme, SEQUENCE, "an encryption scheme"));
  const cipher = CIPHERS[decodeOid(der, expect(cipherOid, OBJECT_IDENTIFIER, "a cipher OID"))];
  if (digest === undefined || cipher === undefined)
    throw new Pkcs12Error("its PBES2 PRF or cipher is not supported");
  const key = pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, cipher.keyBytes, digest);
  const decipher = createDecipheriv(cipher.name, key, content(der, expect(iv, OCTET_STRING, "an IV")));
  try {
    return Buffer.concat([decipher.update(encrypted), decipher.final()]);
  } catch {
    throw new Pkcs12Error("it does not decrypt with the configured password");
  }
}

/** SafeContents from an encryptedData ContentInfo's content. */
function decryptSafeContents(der: Uint8Array, encryptedData: DerElement, password: string): Buffer {
  const [, info] = children(der, expect(encryptedData, SEQUENCE, "EncryptedData"));
  const [, algorithm, encrypted] = children(der, expect(info, SEQUENCE, "EncryptedContentInfo"));
  const algorithmElement = expect(algorithm, SEQUENCE, "an encryption algorithm");
  const algorithmOid = decodeOid(
    der,
    expect(children(der, algorithmElement)[0], OBJECT_IDENTIFIER, "an algorithm OID"),
  );
  if (encrypted === undefined) throw new Pkcs12Error("encrypted content is missing");
  if (algorithmOid !== OID.pbes2) {
    throw new Pkcs12Error(`it uses the legacy encryption ${algorithmOid}`);
  }
  return decryptPbes2(der, algorithmElement, octets(der, encrypted), password);
}

function certificatesInSafeContents(safe: Buffer, out: Buffer[]): void {
  for (const bag of children(safe, root(safe))) {
    const [bagId, bagValue] = children(safe, expect(bag, SEQUENCE, "a SafeBag"));
    if (
      decodeOid(safe, expect(bagId, OBJECT_IDENTIFIER, "a bag id")) !== OID.certBag ||
      bagValue === undefined
    )
      continue;
    const certBag = expect(children(safe, bagValue)[0], SEQUENCE, "a CertBag");
    const [certId, certValue] = children(safe, certBag);
    if (
      decodeOid(safe, expect(certId, OBJECT_IDENTIFIER, "a cert id")) !== OID.x509Certificate ||
      certValue === undefined
    )
      continue;
    out.push(octets(safe, expect(children(safe, certValue)[0], OCTET_STRING, "a certificate")));
  }
}

/** The DER certificates of a PKCS#12 file; throws Pkcs12Error saying why it cannot be read. */
export function pkcs12Certificates(bytes: Buffer, password: string): Buffer[] {
  try {
    const [, authSafe] = children(bytes, root(bytes));
    const [typeOid, wrapped] = children(bytes, expect(authSafe, SEQUENCE, "an authSafe ContentInfo"));
    if (
      decodeOid(bytes, expect(typeOid, OBJECT_IDENTIFIER, "a content type")) !== OID.data ||
      wrapped === undefined
    ) {
      throw new Pkcs12Error("its authSafe is not plain data (public-key integrity mode is not supported)");
    }
    const safe = octets(bytes, children(bytes, wrapped)[0]!);
    const out: Buffer[] = [];
    for (const info of children(safe, root(safe))) {
      const [type, value] = children(safe, expect(info, SEQUENCE, "a ContentInfo"));
      if (value === undefined) continue;
      const oid = decodeOid(safe, expect(type, OBJECT_IDENTIFIER, "a content type"));
      const inner = children(safe, value)[0]!;
      if (oid === OID.data) certificatesInSafeContents(octets(safe, inner), out);
      else if (oid === OID.encryptedData) {
        const decrypted = decryptSafeContents(safe, inner, password);
        try {
          certificatesInSafeContents(decrypted, out);
        } catch {
          // A wrong key can still leave valid padding (1 in 256); what it decrypts to is then noise.
          throw new Pkcs12Error("it does not decrypt with the configured password");
        }
      }
    }
    return out;
  } catch (error) {
    if (error instanceof Pkcs12Error) throw error;
    throw new Pkcs12Error(`it is not a PKCS#12 file (${(error as Error).message})`);
  }
}

/** DER certificates as the PEM text Node's `ca` option takes. */
export function pemOfCertificates(certificates: readonly Buffer[]): string {
  return certificates
    .map(
      (der) =>
        `-----BEGIN CERTIFICATE-----\n${der.toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "")}\n-----END CERTIFICATE-----\n`,
    )
    .join("");
}
