/**
 * An extension answers with the kernel's error codes or with the ones its manifest
 * declares: those are what OpenAPI documents and what clients branch on. A route that
 * throws an ApiError with any other code is a bug of the extension; it is logged once
 * per code (with the fix), and under MASKIN_STRICT_EXTENSIONS (on under `npm run dev`)
 * it becomes a 500 INTERNAL, so the author meets it before the clients do.
 */
import type { Logger } from 'pino';
import { ApiError, KERNEL_ERROR_CODES } from '../contract/errors.ts';
import type { ExtensionManifest } from '../contract/extension.ts';
import type { RouteDefinition } from '../contract/route.ts';

const kernelCodes = new Set<string>(KERNEL_ERROR_CODES);

export function guardErrorCodes(
  definitions: RouteDefinition[],
  manifest: ExtensionManifest,
  options: { logger: Logger; strict: boolean },
): RouteDefinition[] {
  const declared = new Set(Object.keys(manifest.errors ?? {}));
  const warned = new Set<string>();
  const check = (error: unknown): unknown => {
    if (!(error instanceof ApiError) || kernelCodes.has(error.code) || declared.has(error.code)) return error;
    const fix = `declare it in the manifest's errors of extension "${manifest.id}" (and throw it with extensionError)`;
    if (!warned.has(error.code)) {
      warned.add(error.code);
      options.logger.warn(
        { extension: manifest.id, code: error.code },
        `extension answered with an undeclared error code; ${fix}`,
      );
    }
    if (!options.strict) return error;
    return new ApiError(
      500,
      'INTERNAL',
      `Extension "${manifest.id}" answered with the undeclared error code "${error.code}"; ${fix}`,
    );
  };
  return definitions.map((definition) => ({
    ...definition,
    handler: (async (c: never, next: never) => {
      try {
        return await (definition.handler as (c: never, next: never) => unknown)(c, next);
      } catch (error) {
        throw check(error);
      }
    }) as RouteDefinition['handler'],
  }));
}
