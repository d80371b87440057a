// Storage's operational errors and invariant checks. Every error carries a stable PDK_ code and says
// what the operator should do, because these are the messages a person reads when a server refuses to
// start or stops after a disk fault.

export type StorageErrorCode =
  /** A log segment is damaged somewhere a crash cannot explain. */
  | "PDK_LOG_CORRUPT"
  /** The consensus hard state (term and vote) is damaged; the server cannot safely take part. */
  | "PDK_STATE_CORRUPT"
  /** A snapshot is damaged; recovery falls back to an older one when it can. */
  | "PDK_SNAPSHOT_CORRUPT"
  /** The files on disk do not describe one continuous history (missing segment or snapshot). */
  | "PDK_STORAGE_GAP"
  /** A disk call failed while writing; nothing after the last successful sync was acknowledged. */
  | "PDK_DISK_FAILED"
  /** The log was closed or has failed; the server is shutting down. */
  | "PDK_LOG_CLOSED";

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = "StorageError";
  }
}

/** An always-on invariant check: a failure stops the process rather than writing or serving wrong data. */
export function invariant(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`invariant violated: ${what}`);
}

/** The errno code of a failed node:fs (or simulated) call, e.g. "ENOSPC", or "unknown". */
export function errnoOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "unknown";
}

/** Wraps a failed disk call so the message names the call, the file and the remedy. */
export function diskFailure(call: string, path: string, error: unknown): StorageError {
  const errno = errnoOf(error);
  const hint =
    errno === "ENOSPC"
      ? "the disk is full: free space"
      : errno === "EIO"
        ? "the disk reported an I/O error: check the device"
        : "check the disk and permissions";
  return new StorageError(
    "PDK_DISK_FAILED",
    `${call} on ${path} failed (${errno}); writes stop and no unsynced write was acknowledged. ` +
      `${hint}, then restart the server: it recovers from what reached the disk.`,
    { cause: error },
  );
}
