/**
 * Every route, kernel or extension, is a RouteDefinition: an OpenAPI route config
 * (`createRoute`), who may call it (`access`), optionally how it appears as an MCP
 * tool, and its handler. The kernel, not the author, turns definitions into mounted
 * routes, so authentication, workspace membership, the enablement gate, roles,
 * idempotency and the error envelope are applied the same way everywhere, and a route
 * is public only when its definition says so.
 */
import { type RouteConfig, type RouteHandler, z } from '@hono/zod-openapi';
import type { Context, TypedResponse } from 'hono';
import type { KernelEnv, Role } from './context.ts';

export type Access =
  /** No API key: listed in the OpenAPI document with `security: []`. */
  | { auth: 'public' }
  /** Any authenticated actor; not tied to a workspace. */
  | { auth: 'actor' }
  /**
   * A member of the workspace with at least `role`. The workspace comes from the
   * `X-Workspace-Id` header, or from the path parameter named in `workspaceParam`.
   */
  | {
      auth: 'workspace';
      role: Role;
      workspaceParam?: string;
      /**
       * For GET routes that stream (Server-Sent Events): also accept `?ticket=` from
       * POST /api/events/stream-tickets in place of the Authorization and
       * X-Workspace-Id headers, which browsers' EventSource cannot send.
       */
      streamTicket?: boolean;
    };

export interface ToolAnnotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface ToolSpec {
  /** lowercase snake_case; third-party extensions' tools are prefixed with their id by the kernel. */
  name: string;
  /** Written for a language model: what it does, when to use it, what it returns. */
  description: string;
  annotations?: ToolAnnotations;
}

/**
 * How the kernel treats this route's request body. Accepted content types are the
 * keys of `route.request.body.content` (anything else is 415); see request-body.ts.
 */
export interface RoutePolicy {
  /** Largest body in bytes (default: the installation's MASKIN_BODY_LIMIT). Over it: 413. */
  bodyLimit?: number;
  /**
   * Whether `Idempotency-Key` applies (default true). Always off for a route whose
   * body is not JSON: the key's ledger hashes the whole body, which a stream cannot afford.
   */
  idempotency?: boolean;
  /**
   * Keep the exact bytes of a JSON body before it is parsed, for `rawBody(c)` (signature
   * checks). Not needed for non-JSON bodies, which are never parsed by the kernel.
   */
  rawBody?: boolean;
  /**
   * The success response carries a secret (an API key, a ticket, any credential). The
   * kernel then never stores it (an `Idempotency-Key` replay answers 409 instead of the
   * body: see kernel/http/idempotency.ts) and sends it with `Cache-Control: no-store`.
   */
  secretResponse?: boolean;
}

export interface RouteDefinition<R extends RouteConfig = RouteConfig> {
  route: R;
  access: Access;
  tool?: ToolSpec;
  policy?: RoutePolicy;
  handler: RouteHandler<R, KernelEnv>;
}

export function defineRoute<R extends RouteConfig>(definition: RouteDefinition<R>): RouteDefinition {
  return definition as unknown as RouteDefinition;
}

const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

/** A JSON request body (required: a missing or non-JSON body is a 400). */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: true, description, content: { 'application/json': { schema } } } as const;
}

/** A JSON response for the OpenAPI document. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } } as const;
}

/**
 * Answers JSON that is already text (for example built by PostgreSQL, so Node neither
 * maps rows nor stringifies them) the way `c.json` answers a value. The route's
 * response schema still documents it; the caller vouches that the text matches it (a
 * test should compare the two), as nothing parses it on the way out.
 */
export function jsonText<Status extends 200 | 201>(
  c: Context,
  text: string,
  status: Status = 200 as Status,
): TypedResponse<any, Status, 'json'> {
  return c.body(text, status, { 'content-type': 'application/json' }) as unknown as TypedResponse<
    any,
    Status,
    'json'
  >;
}

/** The error responses every protected route can give, for the OpenAPI document. */
export const errorResponses = {
  400: jsonResponse(errorSchema, 'Invalid request (VALIDATION_ERROR)'),
  401: jsonResponse(errorSchema, 'Missing or invalid API key'),
  403: jsonResponse(errorSchema, 'The caller lacks the required role'),
  404: jsonResponse(errorSchema, 'Not found, or not visible to the caller'),
  409: jsonResponse(errorSchema, 'Conflict with the current state'),
} as const;

/** Query parameters of every list route. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: 'Page size, 1-200' }),
  cursor: z.string().max(500).optional().openapi({ description: 'next_cursor from the previous page' }),
});

/** The list envelope: `{ items, next_cursor }`. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable() });
}
