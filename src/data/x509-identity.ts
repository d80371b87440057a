// The x509 identity ZooKeeper gives a TLS client: its certificate's subject as Java's
// X500Principal.getName() prints it (RFC 2253), byte for byte, read straight from the certificate's
// DER because neither Node's subject object nor OpenSSL's one-line form keeps Java's order, keywords
// and escaping. Also the rule for which `x509:` ACL expressions are well-formed distinguished names.

import {
  CertificateDecodeError,
  children,
  type DerElement,
  decodeOid,
  expect,
  OBJECT_IDENTIFIER,
  readElement,
  SEQUENCE,
  SET,
} from "./der.js";

export { CertificateDecodeError };

/** The attribute types Java prints by keyword in RFC 2253 form; every other type prints as its OID. */
const RFC2253_KEYWORDS: ReadonlyMap<string, string> = new Map([
  ["2.5.4.3", "CN"],
  ["2.5.4.6", "C"],
  ["2.5.4.7", "L"],
  ["2.5.4.8", "ST"],
  ["2.5.4.10", "O"],
  ["2.5.4.11", "OU"],
  ["2.5.4.9", "STREET"],
  ["0.9.2342.19200300.100.1.25", "DC"],
  ["0.9.2342.19200300.100.1.1", "UID"],
]);

/** Tags Java treats as directory strings (DerValue isDerString, non-canonical): Printable, T61, IA5, General, BMP, UTF8. */
const STRING_TAGS: ReadonlySet<number> = new Set([0x13, 0x14, 0x16, 0x1b, 0x1e, 0x0c]);

const ESCAPED = ',=+<>#;"\\';

function hex(der: Uint8Array, from: number, to: number): string {
  return Buffer.from(der.buffer, der.byteOffset + from, to - from).toString("hex");
}

/** AVA.toRFC2253String: keyword=escaped string, or OID=#hex of the whole value TLV. */
function formatAttribute(der: Uint8Array, ava: DerElement): string {
  const [typeElement, valueElement] = children(der, ava);
  const oid = decodeOid(der, expect(typeElement, OBJECT_IDENTIFIER, "an attribute type OID"));
  if (valueElement === undefined) throw new CertificateDecodeError("attribute without a value");
  const keyword = RFC2253_KEYWORDS.get(oid);
  if (keyword === undefined || !STRING_TAGS.has(valueElement.tag)) {
    return `${keyword ?? oid}=#${hex(der, valueElement.start, valueElement.end)}`;
  }
  // Java decodes the content bytes as UTF-8 whatever the string type says.
  const text = new TextDecoder("utf-8").decode(der.subarray(valueElement.contentStart, valueElement.end));
  let escaped = "";
  for (const c of text) {
    if (ESCAPED.includes(c)) escaped += `\\${c}`;
    else if (c === "\u0000") escaped += "\\00";
    else escaped += c;
  }
  // Leading and trailing spaces (and CRs) are escaped, looking at the already escaped text as Java does.
  const chars = [...escaped];
  let lead = 0;
  while (lead < chars.length && (chars[lead] === " " || chars[lead] === "\r")) lead++;
  let trail = chars.length - 1;
  while (trail >= 0 && (chars[trail] === " " || chars[trail] === "\r")) trail--;
  let value = "";
  for (let i = 0; i < chars.length; i++) value += i < lead || i > trail ? `\\${chars[i]}` : chars[i];
  return `${keyword}=${value}`;
}

/** The DER of the subject Name inside a certificate's TBSCertificate. */
function subjectOf(der: Uint8Array): DerElement {
  const certificate = expect(readElement(der, 0, der.length), SEQUENCE, "a certificate SEQUENCE");
  const tbs = expect(children(der, certificate)[0], SEQUENCE, "a TBSCertificate SEQUENCE");
  const fields = children(der, tbs);
  // [0] EXPLICIT version is optional (absent means v1).
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  // serialNumber, signature, issuer, validity, then subject.
  return expect(fields[offset + 4], SEQUENCE, "a subject Name SEQUENCE");
}

/**
 * The identity ZooKeeper's X509AuthenticationProvider records for a client certificate (DER bytes):
 * RDNs last-first joined by `,`, the AVAs of a multi-valued RDN in encoded order joined by `+`.
 */
export function x509IdentityOf(certificateDer: Uint8Array): string {
  const subject = subjectOf(certificateDer);
  const rdns = children(certificateDer, subject).map((rdn) =>
    children(certificateDer, expect(rdn, SET, "an RDN SET"))
      .map((ava) => formatAttribute(certificateDer, expect(ava, SEQUENCE, "an AttributeTypeAndValue")))
      .join("+"),
  );
  return rdns.reverse().join(",");
}

const KEYWORD = /^[A-Za-z][A-Za-z0-9-]*$/;
const OID = /^(?:[Oo][Ii][Dd]\.)?[0-9]+(?:\.[0-9]+)+$/;

/** Splits at unescaped occurrences of any of `separators`; undefined when an escape is cut short. */
function splitUnescaped(text: string, separators: string): string[] | undefined {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\") {
      if (i + 1 >= text.length) return undefined;
      current += c + text[i + 1];
      i++;
    } else if (c === '"') {
      quoted = !quoted;
      current += c;
    } else if (!quoted && separators.includes(c)) {
      parts.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  if (quoted) return undefined;
  parts.push(current);
  return parts;
}

/**
 * Whether an `x509:` ACL expression is a distinguished name (ZooKeeper: `new X500Principal(expr)`
 * parses). Matching stays exact string equality, so a well-formed DN written with other spacing is
 * accepted and never matches, as in ZooKeeper.
 */
export function isDistinguishedName(expr: string): boolean {
  if (expr.trim() === "") return false;
  const rdns = splitUnescaped(expr, ",;");
  if (rdns === undefined) return false;
  for (const rdn of rdns) {
    const avas = splitUnescaped(rdn, "+");
    if (avas === undefined) return false;
    for (const ava of avas) {
      const eq = ava.indexOf("=");
      if (eq < 0) return false;
      const type = ava.slice(0, eq).trim();
      if (!KEYWORD.test(type) && !OID.test(type)) return false;
      const value = ava.slice(eq + 1).trim();
      if (value.startsWith("#") && !/^#(?:[0-9a-fA-F]{2})+$/.test(value)) return false;
    }
  }
  return true;
}
