// A small reader of DER (the X.690 encoding certificates and PKCS#12 files use): elements with
// their tags and bounds, children of a constructed element, object identifiers. Enough to find
// fields by position; it checks every length against its parent, so a truncated input fails.

/** One DER element: tag byte, content bounds, and where the whole TLV ends. */
export interface DerElement {
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

export class CertificateDecodeError extends Error {
  override readonly name = "CertificateDecodeError";
}

export function readElement(der: Uint8Array, at: number, limit: number): DerElement {
  if (at + 2 > limit) throw new CertificateDecodeError(`DER element at byte ${at} runs past its parent`);
  const tag = der[at]!;
  if ((tag & 0x1f) === 0x1f) throw new CertificateDecodeError(`multi-byte DER tag at byte ${at}`);
  let length = der[at + 1]!;
  let contentStart = at + 2;
  if (length & 0x80) {
    const lengthBytes = length & 0x7f;
    if (lengthBytes === 0 || lengthBytes > 4 || contentStart + lengthBytes > limit) {
      throw new CertificateDecodeError(`bad DER length at byte ${at}`);
    }
    length = 0;
    for (let i = 0; i < lengthBytes; i++) length = length * 256 + der[contentStart + i]!;
    contentStart += lengthBytes;
  }
  const end = contentStart + length;
  if (end > limit) throw new CertificateDecodeError(`DER element at byte ${at} runs past its parent`);
  return { tag, start: at, contentStart, end };
}

export function children(der: Uint8Array, parent: DerElement): DerElement[] {
  const out: DerElement[] = [];
  for (let at = parent.contentStart; at < parent.end; ) {
    const element = readElement(der, at, parent.end);
    out.push(element);
    at = element.end;
  }
  return out;
}

export const SEQUENCE = 0x30;
export const SET = 0x31;
export const OBJECT_IDENTIFIER = 0x06;
export const OCTET_STRING = 0x04;
export const INTEGER = 0x02;

export function expect(element: DerElement | undefined, tag: number, what: string): DerElement {
  if (element === undefined || element.tag !== tag) throw new CertificateDecodeError(`expected ${what}`);
  return element;
}

export function decodeOid(der: Uint8Array, element: DerElement): string {
  const parts: number[] = [];
  let value = 0;
  for (let i = element.contentStart; i < element.end; i++) {
    const byte = der[i]!;
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      if (parts.length === 0) {
        const first = value < 40 ? 0 : value < 80 ? 1 : 2;
        parts.push(first, value - first * 40);
      } else {
        parts.push(value);
      }
      value = 0;
    }
  }
  return parts.join(".");
}
