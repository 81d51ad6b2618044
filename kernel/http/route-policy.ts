/**
 * A route's HTTP policy (`policy` in its definition) turned into pipeline steps: its
 * body limit, the media types it accepts (the keys of `request.body.content`), the
 * exact bytes kept for `rawBody(c)`, and whether `Idempotency-Key` applies.
 *
 * Idempotency hashes and stores the whole request body, so it only ever applies to
 * routes whose every accepted body is JSON: for a streamed or binary body it is off,
 * whatever the definition says (saying `idempotency: true` there is a boot error).
 */
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { KernelEnv } from '../contract/context.ts';
import { ApiError } from '../contract/errors.ts';
import {
  declaredMediaTypes,
  hasOnlyJsonBodies,
  isJsonMediaType,
  matchesMediaType,
  mediaTypeOf,
  rawBody,
} from '../contract/request-body.ts';
import type { RouteDefinition } from '../contract/route.ts';
import { bodyLimitMiddleware } from './body-limit.ts';

export function idempotencyApplies(definition: RouteDefinition): boolean {
  return definition.policy?.idempotency !== false && hasOnlyJsonBodies(definition);
}

/** What is wrong with a definition's policy, as sentences (empty: nothing). */
export function routePolicyProblems(definition: RouteDefinition): string[] {
  const { policy, route } = definition;
  const name = `${route.method.toUpperCase()} ${route.path}`;
  const types = declaredMediaTypes(definition);
  const problems: string[] = [];
  const limit = policy?.bodyLimit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    problems.push(`route ${name} has policy.bodyLimit ${limit}; it must be a positive whole number of bytes`);
  }
  if (policy?.idempotency === true && !hasOnlyJsonBodies(definition)) {
    problems.push(
      `route ${name} asks for idempotency but accepts ${types.filter((t) => !isJsonMediaType(t)).join(', ')}; ` +
        'Idempotency-Key hashes the whole body, so it is only for JSON bodies: remove policy.idempotency',
    );
  }
  if (policy?.rawBody && types.length === 0) {
    problems.push(`route ${name} has policy.rawBody but declares no request body`);
  }
  const multipart = route.request?.body?.content?.['multipart/form-data'];
  if (multipart && 'schema' in multipart && multipart.schema instanceof z.ZodType) {
    problems.push(
      `route ${name} declares its multipart/form-data body with a zod schema, which would parse and buffer ` +
        'the whole upload; declare it with multipartBody(...) and read it with readMultipart(c)',
    );
  }
  return problems;
}

function requireMediaType(types: string[]): MiddlewareHandler<KernelEnv> {
  const onlyJson = types.every(isJsonMediaType);
  const message = onlyJson
    ? 'Send the request body as JSON with Content-Type: application/json'
    : `This route accepts Content-Type ${types.join(' or ')}`;
  return async (c, next) => {
    const actual = mediaTypeOf(c.req.header('content-type'));
    if (!actual || !types.some((declared) => matchesMediaType(declared, actual))) {
      throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', actual ? `${message}; got ${actual}` : message);
    }
    await next();
  };
}

/** Keeps the exact bytes of a JSON body before the validator parses it. */
const keepRawBody: MiddlewareHandler<KernelEnv> = async (c, next) => {
  await rawBody(c);
  await next();
};

/**
 * The route's body limit: first in its pipeline, like the installation's limit it may
 * replace, so an oversized body is refused before any database round trip (the 413
 * says nothing about the caller or the workspace).
 */
export function bodyLimitStep(definition: RouteDefinition, installationLimit: number) {
  return bodyLimitMiddleware(
    definition.policy?.bodyLimit ?? installationLimit,
    hasOnlyJsonBodies(definition) ? 'buffered' : 'streamed',
  );
}

/** After access checks: the media type (415), then the exact bytes when the route keeps them. */
export function bodyContentSteps(definition: RouteDefinition): MiddlewareHandler<KernelEnv>[] {
  const steps: MiddlewareHandler<KernelEnv>[] = [];
  const types = declaredMediaTypes(definition);
  if (types.length > 0) steps.push(requireMediaType(types));
  if (definition.policy?.rawBody) steps.push(keepRawBody);
  return steps;
}
