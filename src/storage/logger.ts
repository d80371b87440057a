// How storage reports what it did without depending on a logging library: the server passes pino's
// methods, tests collect the lines. Warnings are for operators (a cut tail, forceSync=no).

export interface StorageLogger {
  info(message: string): void;
  warn(message: string): void;
}
