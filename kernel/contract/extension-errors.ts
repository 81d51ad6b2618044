/**
 * Error codes of an extension's own: declared in the manifest's `errors` with their
 * HTTP status (the kernel checks them at boot and lists them in OpenAPI), thrown with
 * `extensionError`, which accepts only declared codes, so a typo is a type error and
 * the status always matches the documentation.
 *
 *   const errors = {
 *     QUOTA_EXCEEDED: { status: 429, description: 'The workspace used its daily digests' },
 *   } as const satisfies ExtensionErrors;
 *   // manifest: { ..., errors }
 *   throw extensionError({ errors }, 'QUOTA_EXCEEDED', 'Only 10 digests a day');
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError, type ErrorDetail } from './errors.ts';

export interface ExtensionErrorSpec {
  status: number;
  description: string;
}

export type ExtensionErrors = Record<string, ExtensionErrorSpec>;

export function extensionError<const Errors extends ExtensionErrors>(
  declared: { errors?: Errors },
  code: Extract<keyof Errors, string>,
  message: string,
  details?: ErrorDetail[],
): ApiError {
  const spec = declared.errors?.[code];
  if (!spec) {
    throw new Error(`extensionError: "${code}" is not declared in the manifest's errors`);
  }
  return new ApiError(spec.status as ContentfulStatusCode, code, message, details);
}
