// The checksum every record and file header carries: CRC-32 (zlib's polynomial), which catches every
// burst error up to 32 bits, the damage disks and torn writes produce. zlib computes it natively, but
// each call costs a view and a native transition; for the short ranges of a log record (a 16-byte
// header, a payload of a few hundred bytes) the table-driven loop here is about twice as fast.

import { crc32 } from "node:zlib";

/** Up to this many bytes the loop beats zlib; above, zlib's wider native loop wins. */
const SHORT_BYTES_MAX = 256;

/** Slicing-by-8: table k maps a byte to the CRC of that byte followed by k zero bytes. */
function nextTable(t0: Int32Array, previous: Int32Array): Int32Array {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) t[n] = t0[previous[n]! & 0xff]! ^ (previous[n]! >>> 8);
  return t;
}

const T0 = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  T0[n] = c;
}
const T1 = nextTable(T0, T0);
const T2 = nextTable(T0, T1);
const T3 = nextTable(T0, T2);
const T4 = nextTable(T0, T3);
const T5 = nextTable(T0, T4);
const T6 = nextTable(T0, T5);
const T7 = nextTable(T0, T6);

function shortCrc32(b: Uint8Array, start: number, end: number): number {
  let c = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    c ^= b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
    c =
      T7[c & 0xff]! ^
      T6[(c >>> 8) & 0xff]! ^
      T5[(c >>> 16) & 0xff]! ^
      T4[c >>> 24]! ^
      T3[b[i + 4]!]! ^
      T2[b[i + 5]!]! ^
      T1[b[i + 6]!]! ^
      T0[b[i + 7]!]!;
  }
  for (; i < end; i++) c = T0[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

export function checksum(data: Uint8Array, start = 0, end = data.length): number {
  if (end - start <= SHORT_BYTES_MAX) return shortCrc32(data, start, end);
  return crc32(data.subarray(start, end)) >>> 0;
}
