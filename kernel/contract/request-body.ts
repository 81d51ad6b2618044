/**
 * Request bodies that are not JSON, for route handlers and route definitions.
 *
 * A route accepts exactly the media types that are keys of `route.request.body.content`
 * (anything else is 415 UNSUPPORTED_MEDIA_TYPE). JSON bodies are parsed and validated
 * by the kernel as always; every other body is left unread for the handler, already
 * bounded by the route's `policy.bodyLimit` (see kernel/http/body-limit.ts):
 *
 * - `bodyStream(c)`: the body as a web stream, read as the handler pulls it;
 * - `rawBody(c)`: the exact bytes as a Buffer (signature checks). For a JSON route,
 *   declare `policy: { rawBody: true }` so the kernel keeps the bytes before parsing;
 * - `readMultipart(c)` (multipart.ts): the parts of a multipart/form-data upload, files
 *   as streams, without buffering them.
 *
 * `multipartBody` and `binaryBody` declare such bodies for the OpenAPI document with
 * plain JSON Schema (a file is `type: string, format: binary`). They are not zod schemas
 * on purpose: a zod schema under multipart/form-data would make the router parse (and
 * buffer) the whole form to validate it.
 */
import type { Context } from 'hono';
import type { KernelEnv } from './context.ts';
import type { RouteDefinition } from './route.ts';

export const JSON_MEDIA_TYPE = /^application\/([a-z0-9.+-]*\+)?json$/i;

/** The media type of a Content-Type header: lowercased, parameters dropped. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

export function isJsonMediaType(mediaType: string): boolean {
  return JSON_MEDIA_TYPE.test(mediaType);
}

/** Whether a request of media type `actual` matches the declared key (`type/*`, `*\/*` allowed). */
export function matchesMediaType(declared: string, actual: string): boolean {
  const wanted = declared.toLowerCase();
  if (isJsonMediaType(wanted)) return isJsonMediaType(actual);
  if (wanted === '*/*') return true;
  if (wanted.endsWith('/*')) return actual.startsWith(wanted.slice(0, -1));
  return wanted === actual;
}

/** The media types a route's body may have (none: it takes no body). */
export function declaredMediaTypes(definition: RouteDefinition): string[] {
  return Object.keys(definition.route.request?.body?.content ?? {});
}

export function hasOnlyJsonBodies(definition: RouteDefinition): boolean {
  return declaredMediaTypes(definition).every(isJsonMediaType);
}

type HandlerContext = Context<KernelEnv, any, any>;

export interface FilePartSpec {
  description: string;
  /** Media types the file may have (documented as the part's encoding). */
  contentTypes?: string[];
  required?: boolean;
}

export interface FieldPartSpec {
  description: string;
  required?: boolean;
}

/** A multipart/form-data request body for a route definition (documentation only). */
export function multipartBody(spec: {
  description?: string;
  files: Record<string, FilePartSpec>;
  fields?: Record<string, FieldPartSpec>;
}) {
  const properties: Record<string, Record<string, unknown>> = {};
  const required: string[] = [];
  const encoding: Record<string, { contentType: string }> = {};
  for (const [name, file] of Object.entries(spec.files)) {
    properties[name] = { type: 'string', format: 'binary', description: file.description };
    if (file.contentTypes?.length) encoding[name] = { contentType: file.contentTypes.join(', ') };
    if (file.required !== false) required.push(name);
  }
  for (const [name, field] of Object.entries(spec.fields ?? {})) {
    properties[name] = { type: 'string', description: field.description };
    if (field.required) required.push(name);
  }
  return {
    required: true,
    description: spec.description,
    content: {
      'multipart/form-data': {
        schema: { type: 'object' as const, properties, ...(required.length ? { required } : {}) },
        ...(Object.keys(encoding).length ? { encoding } : {}),
      },
    },
  };
}

/** A raw body of one media type (default application/octet-stream), read as a stream. */
export function binaryBody(options: { mediaType?: string; description?: string } = {}) {
  const mediaType = options.mediaType ?? 'application/octet-stream';
  return {
    required: true,
    description: options.description,
    content: {
      [mediaType]: { schema: { type: 'string' as const, format: 'binary', contentMediaType: mediaType } },
    },
  };
}

const bodyUnreadable = (what: string) =>
  new Error(
    `${what} was called after the request body had been read or parsed; for a JSON route that needs the exact bytes, declare policy: { rawBody: true }`,
  );

const rawBodies = new WeakMap<object, Promise<Buffer>>();

function bodyWasRead(c: HandlerContext): boolean {
  return c.req.raw.bodyUsed || Object.keys(c.req.bodyCache).length > 0;
}

/**
 * The exact bytes of the request body, bounded by the route's body limit (over it:
 * 413). Reading it twice returns the same bytes.
 */
export function rawBody(c: HandlerContext): Promise<Buffer> {
  const captured = rawBodies.get(c.req);
  if (captured) return captured;
  if (bodyWasRead(c)) throw bodyUnreadable('rawBody(c)');
  const bytes = c.req.arrayBuffer().then((buffer) => Buffer.from(buffer));
  rawBodies.set(c.req, bytes);
  return bytes;
}

/** The request body as a stream, bounded by the route's body limit (it errors with 413 past it). */
export function bodyStream(c: HandlerContext): ReadableStream<Uint8Array> {
  if (bodyWasRead(c)) throw bodyUnreadable('bodyStream(c)');
  return (
    c.req.raw.body ??
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.close();
      },
    })
  );
}
