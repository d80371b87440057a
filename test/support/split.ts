// Splits a byte stream at given cut positions, for decoder tests that must see every way TCP can
// split a stream into reads.

/** Splits `stream` at the given (unsorted, possibly repeated, any size) cut positions. */
export function splitAt(stream: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(stream.subarray(start, point));
    start = point;
  }
  chunks.push(stream.subarray(start));
  return chunks;
}
