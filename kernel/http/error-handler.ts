/**
 * Maps anything thrown during a request to the one error envelope. Database
 * constraint violations are the client's fault (a duplicate, a dangling reference,
 * a value out of range) and become 409/400 rather than 500s.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ZodError } from 'zod';
import type { KernelEnv } from '../contract/context.ts';
import { ApiError, type ErrorDetail } from '../contract/errors.ts';

type Issue = ZodError['issues'][number];

/**
 * A failed union (e.g. "one object or an array of them") reports only "invalid input"
 * at the root. When exactly the branches that matched the input's shape failed deeper
 * down, report their issues instead, so the client learns which field is wrong.
 */
function flattenIssue(issue: Issue, prefix: PropertyKey[] = []): ErrorDetail[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && Array.isArray(issue.errors)) {
    const deeper = issue.errors.filter(
      (branch) => branch.length > 0 && branch.every((i) => i.path.length > 0),
    );
    if (deeper.length === 1) return deeper[0]!.flatMap((inner) => flattenIssue(inner as Issue, path));
  }
  return [{ path: path.map(String).join('.'), message: issue.message }];
}

export function zodIssuesToDetails(error: ZodError): ErrorDetail[] {
  return error.issues.flatMap((issue) => flattenIssue(issue));
}

interface PostgresError {
  code?: string;
  constraint_name?: string;
  constraint?: string;
  detail?: string;
}

/**
 * Errors that mean the database cannot be reached right now (the client of postgres.js,
 * Node's sockets, PostgreSQL's connection-exception class 08 and its shutdown and
 * too-many-connections codes): the request may succeed later, so 503 with Retry-After
 * rather than 500 INTERNAL (issue 10, finding 9).
 */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

function databaseUnreachable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code)))
      return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function fromPostgres(error: unknown): ApiError | undefined {
  if (databaseUnreachable(error)) {
    return new ApiError(
      503,
      'UNAVAILABLE',
      'The database is unreachable right now; retry after a few seconds',
      undefined,
      { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
    );
  }
  const cause = (error as { cause?: unknown }).cause ?? error;
  const code = (cause as PostgresError).code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return undefined;
  const constraint = (cause as PostgresError).constraint_name ?? (cause as PostgresError).constraint;
  const suffix = constraint ? ` (${constraint})` : '';
  switch (code) {
    case '23505':
      return new ApiError(409, 'CONFLICT', `A record with these values already exists${suffix}`);
    case '23503':
      return new ApiError(
        409,
        'CONFLICT',
        `The request refers to a record that does not exist or is still referenced${suffix}`,
      );
    case '23502':
    case '23514':
    // 22021: a NUL (or invalid) byte in text; 22P05: \u0000 in a jsonb string. Zod's
    // strings accept both, and neither can be stored: the client's input, not our bug.
    case '22021':
    case '22P05':
    case '22P02':
    case '22001':
    case '22003':
    case '22007':
    case '22008':
    case '22023':
      return new ApiError(400, 'VALIDATION_ERROR', `A value is invalid for its field${suffix}`);
    // program_limit_exceeded: in practice a value too large to index (a btree entry
    // over ~2.7 kB), e.g. a path of several kB in the idempotency ledger's key.
    case '54000':
      return new ApiError(400, 'VALIDATION_ERROR', `A value is too large${suffix}`);
    case '40001':
    case '40P01':
      return new ApiError(
        409,
        'CONFLICT',
        'The request conflicted with a concurrent change; retry it',
        undefined,
        {
          'Retry-After': '1',
        },
      );
    default:
      return undefined;
  }
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ZodError) {
    return new ApiError(400, 'VALIDATION_ERROR', 'Request validation failed', zodIssuesToDetails(error));
  }
  if (error instanceof HTTPException) {
    if (error.status === 413) return new ApiError(413, 'PAYLOAD_TOO_LARGE', 'Request body is too large');
    if (error.status === 400) {
      const message = /json/i.test(error.message) ? 'Malformed JSON in request body' : error.message;
      return new ApiError(400, 'VALIDATION_ERROR', message);
    }
    if (error.status === 401) return new ApiError(401, 'UNAUTHORIZED', error.message || 'Unauthorized');
    return new ApiError(
      error.status === 404 ? 404 : 500,
      error.status === 404 ? 'NOT_FOUND' : 'INTERNAL',
      error.message,
    );
  }
  if (error instanceof SyntaxError)
    return new ApiError(400, 'VALIDATION_ERROR', 'Malformed JSON in request body');
  return fromPostgres(error) ?? new ApiError(500, 'INTERNAL', 'Internal server error');
}

export function handleError(error: Error, c: Context<KernelEnv>): Response {
  const apiError = toApiError(error);
  const logger = c.get('logger');
  if (apiError.status >= 500) logger?.error({ err: error }, 'request failed');
  else logger?.debug({ code: apiError.code, message: apiError.message }, 'request rejected');
  for (const [name, value] of Object.entries(apiError.headers ?? {})) c.header(name, value);
  return c.json(apiError.toEnvelope(), apiError.status);
}
