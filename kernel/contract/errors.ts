/**
 * The one error envelope. Anything thrown as an ApiError reaches the client as
 * `{"error": {"code", "message", "details"?}}` with its status; anything else becomes
 * a 500 INTERNAL without the stack (the stack goes to the log, with the request id).
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The codes the kernel itself answers with; extensions may not redeclare them. */
export const KERNEL_ERROR_CODES = [
  'VALIDATION_ERROR',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'EXTENSION_NOT_ENABLED',
  'METHOD_NOT_ALLOWED',
  'CONFLICT',
  'PRECONDITION_FAILED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'IDEMPOTENCY_KEY_REUSED',
  'RATE_LIMITED',
  'INTERNAL',
  'EXTENSION_FAILED',
  'UNAVAILABLE',
] as const;

export type KernelErrorCode = (typeof KERNEL_ERROR_CODES)[number];

/**
 * A kernel code, or one an extension declares in its manifest's `errors` (throw those
 * with `extensionError`, which only accepts declared codes).
 */
export type ErrorCode = KernelErrorCode | (string & {});

export interface ErrorDetail {
  path: string;
  message: string;
}

export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; details?: ErrorDetail[] };
}

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  toEnvelope(): ErrorEnvelope {
    return {
      error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) },
    };
  }
}

export const validationError = (message: string, details?: ErrorDetail[]) =>
  new ApiError(400, 'VALIDATION_ERROR', message, details);
export const unauthorized = (message = 'A valid API key is required: Authorization: Bearer ank_...') =>
  new ApiError(401, 'UNAUTHORIZED', message);
export const forbidden = (message: string) => new ApiError(403, 'FORBIDDEN', message);
export const notFound = (message: string) => new ApiError(404, 'NOT_FOUND', message);
export const conflict = (message: string, details?: ErrorDetail[]) =>
  new ApiError(409, 'CONFLICT', message, details);
export const preconditionFailed = (message: string) => new ApiError(412, 'PRECONDITION_FAILED', message);
