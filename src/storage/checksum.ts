// The checksum every record and file header carries. CRC-32 from zlib runs natively and catches every
// burst error up to 32 bits, which is the damage disks and torn writes produce.

import { crc32 } from "node:zlib";

export function checksum(data: Uint8Array, start = 0, end = data.length): number {
  return crc32(data.subarray(start, end)) >>> 0;
}
