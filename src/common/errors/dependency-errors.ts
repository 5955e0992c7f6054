import { AppError } from './app-error';

/** What node-postgres, PGlite and Node's sockets put on their errors. */
interface DriverError {
  name?: string;
  message?: string;
  /** SQLSTATE for a server answer, errno name (ECONNREFUSED…) for a socket */
  code?: unknown;
  severity?: unknown;
  /** TypeORM's QueryFailedError wraps the driver's */
  driverError?: unknown;
}

/** SQLSTATEs that mean the server is going away or cannot take us now: retry later. */
const UNAVAILABLE_STATES = /^(08...|57P0[1-3]|53...)$/;
/** Bad values that reached a statement (a number beyond its column, malformed text…). */
const BAD_VALUE_STATES = /^(22003|22P02|22008|22007|22001|22021|2201[0-9A-Z])$/;
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** node-postgres and ioredis say "the connection is gone" in words, not codes. */
const GONE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed|Stream isn't writeable|Reached the max retries per request limit)/;

const isSqlState = (code: unknown): code is string =>
  typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);

/**
 * Maps an error of PostgreSQL, Redis or their sockets into the error model: a dependency that
 * is down or restarting is `503 UNAVAILABLE` (the client may retry), a value the database
 * refused is `400`, a reference to a row that does not exist is `404`. Anything else: null.
 */
export function fromDependencyError(exception: unknown): AppError | null {
  if (!exception || typeof exception !== 'object') return null;
  const err = exception as DriverError;
  if (err.driverError && typeof err.driverError === 'object') {
    const inner = fromDependencyError(err.driverError);
    if (inner) return inner;
  }
  const code = err.code;
  if (isSqlState(code) && err.severity !== undefined) {
    if (UNAVAILABLE_STATES.test(code))
      return new AppError('UNAVAILABLE', undefined, { cause: err });
    if (BAD_VALUE_STATES.test(code)) {
      return AppError.validation({ body: ['a value is out of range or malformed'] });
    }
    if (code === '23503') return new AppError('NOT_FOUND', undefined, { cause: err });
    return null;
  }
  if (
    (typeof code === 'string' && SOCKET_CODES.has(code)) ||
    err.name === 'MaxRetriesPerRequestError' ||
    GONE.test(err.message ?? '')
  ) {
    return new AppError('UNAVAILABLE', undefined, { cause: err });
  }
  return null;
}
