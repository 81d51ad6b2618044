/**
 * The root application: cross-cutting middleware that every request passes through,
 * whatever mount it ends up in (request id, structured log line, CORS, body limit),
 * and the error and not-found handlers that produce the one envelope.
 */
import { randomUUID } from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { Logger } from 'pino';
import type { KernelConfig } from '../config.ts';
import type { KernelEnv } from '../contract/context.ts';
import { ApiError } from '../contract/errors.ts';
import { RouteBodyLimits } from './body-limit.ts';
import { newRouter } from './build-router.ts';
import { handleError } from './error-handler.ts';
import { closeRequestsMadeFor, type InProcessRequestLog, inProcessCallerOf } from './in-process-caller.ts';
import { chainSteps } from './step-chain.ts';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function setResponseHeader(response: Response, name: string, value: string): void {
  try {
    response.headers.set(name, value);
  } catch {
    // Immutable headers (a Response that came from fetch): leave it as it is.
  }
}

/**
 * The request id and nosniff on a response that goes out over the network.
 *
 * Straight onto the response's headers: c.header() on a finished response makes
 * @hono/node-server turn its light response into a full web Response and stream the
 * body back out of it, which cost health checks most of their time under load. A
 * stream that wrote its own head (RESPONSE_ALREADY_SENT, with the request id in it)
 * must become a non-cached response, or @hono/node-server writes a second head:
 * c.header() does exactly that, and streams are few. nosniff on every response: a
 * browser must never guess a type (an uploaded file or a JSON string rendered as HTML).
 */
function markResponse(c: Context<KernelEnv>, requestId: string): void {
  if (c.res.headers.get('x-hono-already-sent')) {
    c.header('X-Request-Id', requestId);
    c.header('X-Content-Type-Options', 'nosniff');
  } else {
    setResponseHeader(c.res, 'X-Request-Id', requestId);
    setResponseHeader(c.res, 'X-Content-Type-Options', 'nosniff');
  }
}

/**
 * `bodyLimits` holds the routes that declared a body limit larger than the
 * installation's; they are filled in while mounting, before the first request.
 * `laterSteps` run after the body limit, before any route (the address rate limit).
 * All of them are one router entry (step-chain.ts), like a route's own steps.
 */
export function createRootApp(
  config: KernelConfig,
  logger: Logger,
  bodyLimits = new RouteBodyLimits(config.bodyLimit),
  laterSteps: MiddlewareHandler<KernelEnv>[] = [],
): OpenAPIHono<KernelEnv> {
  const app = newRouter();
  const steps: MiddlewareHandler<KernelEnv>[] = [];

  steps.push(async (c, next) => {
    // A request made in process for another (an MCP tool call) logs under that one's id.
    const caller = inProcessCallerOf(c);
    const incoming = caller ? undefined : c.req.header('x-request-id');
    const requestId = caller?.requestId ?? (incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID());
    const requestLogger = caller?.logger ?? logger.child({ request_id: requestId });
    c.set('requestId', requestId);
    c.set('logger', requestLogger);
    c.set('auth', undefined);
    c.set('workspace', undefined);
    const started = performance.now();
    await next();
    // A request made in process answers its caller (an MCP tool, which reads its status
    // and body), never a browser: its response needs neither header, and leaving its
    // headers alone spares building them (a light response keeps them as a record).
    if (!caller) markResponse(c, requestId);
    const line: InProcessRequestLog = {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Math.round((performance.now() - started) * 100) / 100,
    };
    // One line per request that came over the network: a request made in process for
    // it (an MCP tool's route) is listed in that one's line. A log line is a write to
    // the log file, about 90 µs of CPU at one connection (docs/performance.md).
    if (caller?.made.open) {
      caller.made.entries.push(line);
      return;
    }
    const made = closeRequestsMadeFor(c);
    requestLogger.info(
      { ...line, actor_id: c.get('auth')?.actor.id, ...(made && { in_process_requests: made }) },
      'request',
    );
  });

  if (config.corsOrigins.length > 0) {
    const origins = config.corsOrigins;
    steps.push(
      cors({
        origin: origins.includes('*') ? '*' : origins,
        allowHeaders: [
          'Authorization',
          'Content-Type',
          'X-Workspace-Id',
          'Idempotency-Key',
          'If-Match',
          'Last-Event-ID',
        ],
        exposeHeaders: ['X-Request-Id', 'ETag', 'Retry-After', 'Idempotent-Replayed'],
        maxAge: 600,
      }),
    );
  }

  steps.push(bodyLimits.middleware(), ...laterSteps);
  app.use('*', ...chainSteps(steps, handleError));

  app.onError(handleError);
  app.notFound((c) =>
    c.json(new ApiError(404, 'NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`).toEnvelope(), 404),
  );
  return app;
}
