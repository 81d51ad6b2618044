/**
 * Request body limits that never buffer more than the limit, and never buffer a
 * streamed body at all.
 *
 * A body with a Content-Length over the limit is refused before a byte of it is read
 * (Node's parser never delivers more than Content-Length, so a declared length within
 * the limit needs no counting). A body without one (chunked) is counted as it is read,
 * and the read fails with 413 at the first chunk that would pass the limit, before
 * that chunk is handed on: nobody ever holds more than `limit` bytes of it.
 *
 * Two ways to count, by what will consume the body:
 * - buffered (`bufferRequestBody`): JSON and anything the kernel parses. The body is
 *   read up front, so a 413 is thrown here rather than surfacing inside a parser that
 *   would turn it into "malformed JSON";
 * - streamed (`limitRequestBody`): uploads and raw bodies. The body stays a stream
 *   that errors with 413 when the handler pulls past the limit, so nothing is read
 *   ahead of what the handler asks for.
 *
 * Every 413 carries `Connection: close`: the server answers while the client may still
 * be sending, and closing the connection is how it stops reading the rest instead of
 * draining it to keep the connection alive.
 *
 * The root app applies the installation's limit (MASKIN_BODY_LIMIT), buffered, to every
 * request except those whose route owns its limit (it declares `policy.bodyLimit` or a
 * non-JSON body: RouteBodyLimits); every route built from a definition applies its own
 * limit again, so a request that the root let through because of a look-alike path is
 * still bounded. `appliedLimit` remembers the tightest limit already on a request so
 * that second pass is free when it would change nothing.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { KernelEnv } from '../contract/context.ts';
import { ApiError } from '../contract/errors.ts';
import { hasOnlyJsonBodies } from '../contract/request-body.ts';
import type { RouteDefinition } from '../contract/route.ts';
import { realRequest } from './in-process-request.ts';
import { joinPath } from './operations.ts';
import { proceed } from './proceed.ts';

const appliedLimit = new WeakMap<Request, number>();

export function payloadTooLarge(limit: number): ApiError {
  return new ApiError(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${limit} bytes`, undefined, {
    Connection: 'close',
  });
}

/** The Content-Length a body will have, when the client declared one (and no chunked encoding). */
export function declaredLength(request: Request): number | undefined {
  if (request.headers.has('transfer-encoding')) return undefined;
  const header = request.headers.get('content-length');
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header);
}

/** A stream that passes `source` through and errors with 413 before passing `limit`. */
function countingStream(source: ReadableStream<Uint8Array>, limit: number): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let seen = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        controller.close();
        return;
      }
      seen += value.byteLength;
      if (seen > limit) {
        reader.cancel().catch(() => {});
        controller.error(payloadTooLarge(limit));
        return;
      }
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** Bounds the body of the request in `c` by `limit`; throws 413 when it declares more. */
/** Whether the body still needs counting: false when absent, already bounded, or declared within `limit`. */
/** GET and HEAD carry no body: nothing to limit. */
const bodiless = (request: Request) => request.method === 'GET' || request.method === 'HEAD';

function needsCounting(request: Request, limit: number): boolean {
  // Asking `request.body` of @hono/node-server's light request builds the full web
  // Request behind it (a web stream over the socket), a cost every read would pay, and
  // its own text()/json() read the socket directly only while that Request was never
  // built: so a declared length is judged from the headers alone, and `body` is asked
  // only of a chunked request, which is counted.
  if (bodiless(request)) return false;
  const already = appliedLimit.get(request);
  if (already !== undefined && already <= limit) return false;
  const declared = declaredLength(request);
  if (declared === undefined) return request.body !== null;
  if (declared > limit) throw payloadTooLarge(limit);
  appliedLimit.set(request, limit);
  return false;
}

/** Bounds the body of the request in `c` by `limit`, as a stream; throws 413 when it declares more. */
export function limitRequestBody(c: Context<KernelEnv>, limit: number): void {
  const request = c.req.raw;
  if (!needsCounting(request, limit) || !request.body) return;
  const limited = new Request(realRequest(request), {
    body: countingStream(request.body, limit),
    duplex: 'half',
  } as RequestInit);
  appliedLimit.set(limited, limit);
  c.req.raw = limited;
}

/**
 * Reads the body of the request in `c` now, up to `limit` bytes (413 past it). A
 * promise only when there is a body to count: a declared length within the limit is
 * judged on the spot, and the step then adds no async frame (proceed.ts).
 */
export function bufferRequestBody(c: Context<KernelEnv>, limit: number): Promise<void> | undefined {
  const request = c.req.raw;
  if (!needsCounting(request, limit) || !request.body) return undefined;
  return buffer(c, request.body, limit);
}

async function buffer(c: Context<KernelEnv>, body: ReadableStream<Uint8Array>, limit: number): Promise<void> {
  const bytes = new Uint8Array(await new Response(countingStream(body, limit)).arrayBuffer());
  const buffered = new Request(realRequest(c.req.raw), { body: bytes });
  appliedLimit.set(buffered, limit);
  c.req.raw = buffered;
}

export function bodyLimitMiddleware(
  limit: number,
  mode: 'buffered' | 'streamed',
): MiddlewareHandler<KernelEnv> {
  return (c, next) => {
    if (bodiless(c.req.raw)) return proceed(next);
    if (mode === 'buffered') return proceed(next, bufferRequestBody(c, limit));
    limitRequestBody(c, limit);
    return proceed(next);
  };
}

/**
 * The routes that own their body limit (a declared `policy.bodyLimit`, or a body that
 * is streamed), by method and full path: the root app lets their requests through to
 * the route's own limit.
 */
export class RouteBodyLimits {
  private readonly routes: { method: string; pattern: RegExp }[] = [];

  constructor(readonly installationLimit: number) {}

  add(method: string, openApiPath: string): void {
    const pattern = openApiPath
      .split('/')
      .map((segment) =>
        /^\{[^}]+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&'),
      )
      .join('/');
    this.routes.push({ method: method.toUpperCase(), pattern: new RegExp(`^${pattern}/?$`) });
  }

  /** Records the mounted routes (under `base`) that own their body limit. */
  addRoutes(base: string, definitions: readonly RouteDefinition[]): void {
    for (const definition of definitions) {
      if (definition.policy?.bodyLimit !== undefined || !hasOnlyJsonBodies(definition)) {
        this.add(definition.route.method, joinPath(base, definition.route.path));
      }
    }
  }

  ownsLimit(method: string, path: string): boolean {
    return this.routes.some((route) => route.method === method && route.pattern.test(path));
  }

  /** Root middleware: the installation's limit, unless the route owns its limit. */
  middleware(): MiddlewareHandler<KernelEnv> {
    return (c, next) => {
      if (bodiless(c.req.raw) || this.ownsLimit(c.req.method, c.req.path)) return proceed(next);
      return proceed(next, bufferRequestBody(c, this.installationLimit));
    };
  }
}
