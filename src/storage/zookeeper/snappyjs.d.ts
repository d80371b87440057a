// snappyjs ships no types; this is the one function the import uses.
declare module "snappyjs" {
  /** Raw Snappy decompression; throws on a malformed stream or an output above maxLength. */
  export function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
}
