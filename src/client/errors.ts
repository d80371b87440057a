// The client's typed errors: one class per ZooKeeper error code, each carrying the code, its name
// and the path of the operation that failed, so callers can `catch (e) { if (e instanceof
// NoNodeError) ... }`. Errors that happen on the client side of the wire (connection loss, request
// timeout, a full queue, a closed client) say whether the server may have applied the operation,
// because that is the one fact a caller needs to decide whether a retry is safe.

import { ErrorCodes, type ErrorName, errorName } from "../protocol/constants.js";

/** Where a failed multi stopped: the index of the failing op and every op's result code. */
export interface TransactionFailure {
  /** Zero-based index of the first failing op. */
  readonly opIndex: number;
  /** Every op's code: 0 before the failure, the failing code, then RUNTIMEINCONSISTENCY (-2). */
  readonly opErrors: readonly number[];
}

/** Context attached to an error: the path, and for multi the failing op. */
export interface ZooKeeperErrorOptions {
  /** The client path of the failed operation. */
  readonly path?: string | undefined;
  /** For a failed multi: where it stopped. */
  readonly transaction?: TransactionFailure | undefined;
}

/** Base of every error a ZooKeeper server or this client reports with a ZooKeeper error code. */
export class ZooKeeperError extends Error {
  /** The wire code, e.g. -101. */
  readonly code: number;
  /** The Java constant name, e.g. "NONODE"; "UNKNOWN" for a code outside the table. */
  readonly codeName: ErrorName | "UNKNOWN";
  /** The client-side path of the operation, when it had one. */
  readonly path: string | undefined;
  /** Set when the error is the first failing op of a multi. */
  readonly transaction: TransactionFailure | undefined;

  /** Builds the message from the code's name and text, the path and an optional `detail`. */
  constructor(code: number, options: ZooKeeperErrorOptions = {}, detail?: string) {
    const name = errorName(code) ?? "UNKNOWN";
    const text = name === "UNKNOWN" ? `unknown error code ${code}` : ErrorCodes[name].message;
    super(
      `${name}: ${text}${options.path === undefined ? "" : ` for ${options.path}`}${detail ? ` (${detail})` : ""}`,
    );
    this.name = new.target.name;
    this.code = code;
    this.codeName = name;
    this.path = options.path;
    this.transaction = options.transaction;
  }
}

/** An error the server sent in a reply header or a multi result. */
export class ServerError extends ZooKeeperError {}

/** SYSTEMERROR (-1): a range marker; servers do not send it. */
export class SystemError extends ServerError {}
/** RUNTIMEINCONSISTENCY (-2): in a failed multi, an op after the failing one. */
export class RuntimeInconsistencyError extends ServerError {}
/** DATAINCONSISTENCY (-3): the server found its data inconsistent. */
export class DataInconsistencyError extends ServerError {}
/** MARSHALLINGERROR (-5): the server could not decode the request. */
export class MarshallingError extends ServerError {}
/** UNIMPLEMENTED (-6): the server does not support the operation (e.g. TTL nodes disabled). */
export class UnimplementedError extends ServerError {}
/** BADARGUMENTS (-8): a bad path, flag or TTL. */
export class BadArgumentsError extends ServerError {}
/** UNKNOWNSESSION (-12): the session is unknown to the server. */
export class UnknownSessionError extends ServerError {}
/** NEWCONFIGNOQUORUM (-13): a reconfig whose new configuration has no quorum. */
export class NewConfigNoQuorumError extends ServerError {}
/** RECONFIGINPROGRESS (-14): another reconfig is in progress. */
export class ReconfigInProgressError extends ServerError {}
/** APIERROR (-100): a range marker; servers do not send it. */
export class ApiError extends ServerError {}
/** NONODE (-101): the node (or, for create, its parent) does not exist. */
export class NoNodeError extends ServerError {}
/** NOAUTH (-102): the ACL does not allow the operation for this session. */
export class NoAuthError extends ServerError {}
/** BADVERSION (-103): the expected version did not match. */
export class BadVersionError extends ServerError {}
/** NOCHILDRENFOREPHEMERALS (-108): ephemeral nodes cannot have children. */
export class NoChildrenForEphemeralsError extends ServerError {}
/** NODEEXISTS (-110): the node already exists. */
export class NodeExistsError extends ServerError {}
/** NOTEMPTY (-111): the node has children. */
export class NotEmptyError extends ServerError {}
/** SESSIONEXPIRED (-112): the session is gone; this client will not resume it. */
export class SessionExpiredError extends ServerError {}
/** INVALIDCALLBACK (-113): a client-side code kept for completeness. */
export class InvalidCallbackError extends ServerError {}
/** INVALIDACL (-114): the ACL is empty or malformed. */
export class InvalidAclError extends ServerError {}
/** AUTHFAILED (-115): the server refused the credentials; the client stops. */
export class AuthFailedError extends ServerError {}
/** SESSIONMOVED (-118): another connection owns the session. */
export class SessionMovedError extends ServerError {}
/** NOTREADONLY (-119): a write sent to a read-only server. */
export class NotReadOnlyError extends ServerError {}
/** EPHEMERALONLOCALSESSION (-120): an ephemeral node on a local session. */
export class EphemeralOnLocalSessionError extends ServerError {}
/** NOWATCHER (-121): no such watch to remove. */
export class NoWatcherError extends ServerError {}
/** RECONFIGDISABLED (-123): reconfig is disabled on the server. */
export class ReconfigDisabledError extends ServerError {}
/** SESSIONCLOSEDREQUIRESASLAUTH (-124): the server requires SASL authentication. */
export class SessionClosedRequireSaslAuthError extends ServerError {}
/** QUOTAEXCEEDED (-125): a hard quota refused the write. */
export class QuotaExceededError extends ServerError {}
/** THROTTLEDOP (-127): the server is overloaded; retry with backoff. */
export class ThrottledOpError extends ServerError {}
/** A code this client does not know; `code` holds the number. */
export class UnknownCodeError extends ServerError {}

/**
 * The connection dropped, or the server could not be reached, before the reply came. When
 * `mayHaveBeenApplied` is true the request was written to a socket and a write may have taken
 * effect; when false it never left this process and is safe to retry.
 */
export class ConnectionLossError extends ZooKeeperError {
  /** Code CONNECTIONLOSS (-4). */
  constructor(
    /** True when the request reached a socket, so a write may have taken effect. */
    readonly mayHaveBeenApplied: boolean,
    options: ZooKeeperErrorOptions = {},
    detail?: string,
  ) {
    super(ErrorCodes.CONNECTIONLOSS.code, options, detail);
  }
}

/** No reply within `requestTimeoutMs`; `mayHaveBeenApplied` is false if it was never written. */
export class RequestTimeoutError extends ZooKeeperError {
  /** Code REQUESTTIMEOUT (-122); `timeoutMs` is the limit that passed, in milliseconds. */
  constructor(
    timeoutMs: number,
    /** True when the request reached a socket, so a write may have taken effect. */
    readonly mayHaveBeenApplied: boolean,
    options: ZooKeeperErrorOptions = {},
  ) {
    super(ErrorCodes.REQUESTTIMEOUT.code, options, `no reply within ${timeoutMs} ms`);
  }
}

/** A waiting operation (a lock acquire, a barrier) gave up after its own deadline. */
export class OperationTimeoutError extends ZooKeeperError {
  /** Code OPERATIONTIMEOUT (-7); `timeoutMs` is the caller's deadline, in milliseconds. */
  constructor(timeoutMs: number, options: ZooKeeperErrorOptions = {}) {
    super(ErrorCodes.OPERATIONTIMEOUT.code, options, `gave up after ${timeoutMs} ms`);
  }
}

/** Problems of this client itself rather than of a ZooKeeper operation; `code` is stable. */
export class ClientError extends Error {
  /** The message is prefixed with the code, e.g. "PDK_QUEUE_FULL: ...". */
  constructor(
    /**
     * PDK_CLIENT_CLOSED: the client was closed or did not connect in time. PDK_QUEUE_FULL: a
     * request, watch or event bound was reached. PDK_BAD_CONNECT_STRING, PDK_BAD_ARGUMENT: the
     * caller passed something invalid. PDK_EVENTS_OVERFLOW: an iterator fell `eventsMax` events
     * behind. PDK_CONTENDED: a recipe lost too many optimistic attempts.
     */
    readonly code:
      | "PDK_CLIENT_CLOSED"
      | "PDK_QUEUE_FULL"
      | "PDK_BAD_CONNECT_STRING"
      | "PDK_BAD_ARGUMENT"
      | "PDK_EVENTS_OVERFLOW"
      | "PDK_CONTENDED",
    message: string,
    /** False for every ClientError: the request was refused before it reached a socket. */
    readonly mayHaveBeenApplied = false,
  ) {
    super(`${code}: ${message}`);
    this.name = "ClientError";
  }
}

type ServerErrorClass = new (code: number, options?: ZooKeeperErrorOptions) => ServerError;

const classes: ReadonlyMap<number, ServerErrorClass> = new Map<number, ServerErrorClass>([
  [ErrorCodes.SYSTEMERROR.code, SystemError],
  [ErrorCodes.RUNTIMEINCONSISTENCY.code, RuntimeInconsistencyError],
  [ErrorCodes.DATAINCONSISTENCY.code, DataInconsistencyError],
  [ErrorCodes.MARSHALLINGERROR.code, MarshallingError],
  [ErrorCodes.UNIMPLEMENTED.code, UnimplementedError],
  [ErrorCodes.BADARGUMENTS.code, BadArgumentsError],
  [ErrorCodes.UNKNOWNSESSION.code, UnknownSessionError],
  [ErrorCodes.NEWCONFIGNOQUORUM.code, NewConfigNoQuorumError],
  [ErrorCodes.RECONFIGINPROGRESS.code, ReconfigInProgressError],
  [ErrorCodes.APIERROR.code, ApiError],
  [ErrorCodes.NONODE.code, NoNodeError],
  [ErrorCodes.NOAUTH.code, NoAuthError],
  [ErrorCodes.BADVERSION.code, BadVersionError],
  [ErrorCodes.NOCHILDRENFOREPHEMERALS.code, NoChildrenForEphemeralsError],
  [ErrorCodes.NODEEXISTS.code, NodeExistsError],
  [ErrorCodes.NOTEMPTY.code, NotEmptyError],
  [ErrorCodes.SESSIONEXPIRED.code, SessionExpiredError],
  [ErrorCodes.INVALIDCALLBACK.code, InvalidCallbackError],
  [ErrorCodes.INVALIDACL.code, InvalidAclError],
  [ErrorCodes.AUTHFAILED.code, AuthFailedError],
  [ErrorCodes.SESSIONMOVED.code, SessionMovedError],
  [ErrorCodes.NOTREADONLY.code, NotReadOnlyError],
  [ErrorCodes.EPHEMERALONLOCALSESSION.code, EphemeralOnLocalSessionError],
  [ErrorCodes.NOWATCHER.code, NoWatcherError],
  [ErrorCodes.RECONFIGDISABLED.code, ReconfigDisabledError],
  [ErrorCodes.SESSIONCLOSEDREQUIRESASLAUTH.code, SessionClosedRequireSaslAuthError],
  [ErrorCodes.QUOTAEXCEEDED.code, QuotaExceededError],
  [ErrorCodes.THROTTLEDOP.code, ThrottledOpError],
]);

/** The typed error for a code a server sent. */
export function serverError(code: number, options: ZooKeeperErrorOptions = {}): ServerError {
  const Class = classes.get(code) ?? UnknownCodeError;
  return new Class(code, options);
}
