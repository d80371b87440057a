// Errors of reading ZooKeeper's files. The decoders know offsets, the file layer knows names: a
// ZkDecodeError becomes a ZkImportError naming both, with what to do.

/** Damage found by a decoder, at a byte offset of the bytes it was given. */
export class ZkDecodeError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${reason} (at byte ${offset})`);
  }
}

/** Why an import stops; `code` is stable (PDK_IMPORT_*), the message names the file and the way on. */
export class ZkImportError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** A decoder's error in `file`; `decompressed` when offsets count the file's uncompressed content. */
export function damaged(file: string, error: ZkDecodeError, decompressed = false): ZkImportError {
  const where = decompressed ? `byte ${error.offset} of its uncompressed content` : `byte ${error.offset}`;
  return new ZkImportError(
    "PDK_IMPORT_DAMAGED",
    `${file} is damaged at ${where}: ${error.reason}. Nothing was imported. ` +
      "Copy the data directory again from a healthy server, or move this file aside to import from an " +
      "older snapshot (ZooKeeper itself would refuse or skip it too).",
  );
}
