/**
 * Turns RouteDefinitions into an OpenAPIHono router with the kernel's request
 * pipeline in front of every handler, in this order:
 *
 *   body limit -> authenticate -> resolve workspace (membership) -> extension gate
 *   -> role -> content type -> raw bytes kept -> idempotency -> zod validation -> handler
 *
 * The order matters: an oversized body is refused before any database work, a
 * non-member learns nothing (404 before any other check), a disabled extension answers
 * EXTENSION_NOT_ENABLED whatever the caller's role, and idempotency replays only
 * requests that were allowed to run. The body steps come from the route's policy
 * (route-policy.ts).
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { ApiKeyVerifier } from '../auth/api-key-verifier.ts';
import type { BrowserSessions } from '../auth/browser-sessions.ts';
import type { StreamTickets } from '../auth/stream-tickets.ts';
import type { KernelEnv, Role } from '../contract/context.ts';
import { ApiError, forbidden, notFound, validationError } from '../contract/errors.ts';
import type { RouteDefinition } from '../contract/route.ts';
import type { Database } from '../db/database.ts';
import { zodIssuesToDetails } from './error-handler.ts';
import { idempotency } from './idempotency.ts';
import { bodyContentSteps, bodyLimitStep, idempotencyApplies, routePolicyProblems } from './route-policy.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ROLE_RANK: Record<Role, number> = { viewer: 1, member: 2, admin: 3, owner: 4 };

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[minimum];
}

export interface RouterDeps {
  database: Database;
  verifier: ApiKeyVerifier;
  /** Needed only by routes that declare `access.streamTicket`. */
  tickets?: StreamTickets;
  /** The installation's body limit, for routes that declare none (default: no per-route limit). */
  bodyLimit?: number;
  /** Extensions' auth providers, asked when a request has no Authorization header. */
  sessions?: BrowserSessions;
}

export function newRouter(): OpenAPIHono<KernelEnv> {
  return new OpenAPIHono<KernelEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new ApiError(
          400,
          'VALIDATION_ERROR',
          'Request validation failed',
          zodIssuesToDetails(result.error),
        );
      }
    },
  });
}

/**
 * The caller: the API key in the Authorization header or, without one, a browser
 * session from an extension's auth provider (see auth/browser-sessions.ts).
 */
export function authenticate(
  verifier: ApiKeyVerifier,
  sessions?: BrowserSessions,
): MiddlewareHandler<KernelEnv> {
  return async (c, next) => {
    const authorization = c.req.header('authorization');
    c.set(
      'auth',
      authorization === undefined && sessions && !sessions.isEmpty
        ? await sessions.authenticate(c.req.raw)
        : await verifier.verify(authorization),
    );
    await next();
  };
}

export async function memberRole(
  database: Database,
  workspaceId: string,
  actorId: string,
): Promise<Role | undefined> {
  const [row] = await database.query<{ role: Role }>(
    'select role from workspace_members where workspace_id = $1 and actor_id = $2',
    [workspaceId, actorId],
  );
  return row?.role;
}

/** Membership of the caller in a workspace, or 404 (a non-member learns nothing). */
async function setWorkspace(c: Context<KernelEnv>, database: Database, workspaceId: string) {
  // A malformed id cannot name a workspace the caller belongs to: same answer as a non-member.
  const role = UUID.test(workspaceId)
    ? await memberRole(database, workspaceId, c.get('auth')!.actor.id)
    : undefined;
  if (!role) throw notFound('Workspace not found');
  c.set('workspace', { id: workspaceId.toLowerCase(), role });
}

const requestedWorkspace = (c: Context<KernelEnv>) =>
  c.req.header('x-workspace-id') ?? c.req.query('workspace_id');

export function resolveWorkspace(
  database: Database,
  param: string | undefined,
): MiddlewareHandler<KernelEnv> {
  return async (c, next) => {
    const workspaceId = param ? c.req.param(param) : requestedWorkspace(c);
    if (!workspaceId) {
      throw validationError('This route is workspace-scoped: send the X-Workspace-Id header', [
        { path: 'X-Workspace-Id', message: 'required' },
      ]);
    }
    await setWorkspace(c, database, workspaceId);
    await next();
  };
}

/**
 * Authentication and workspace for routes that accept a stream ticket: the
 * Authorization header when there is one, else `?ticket=`, whose API key is checked
 * again now and whose workspace must still have the caller as a member.
 */
function keyOrStreamTicket(deps: RouterDeps): MiddlewareHandler<KernelEnv> {
  const byKey = authenticate(deps.verifier, deps.sessions);
  const byHeader = resolveWorkspace(deps.database, undefined);
  return async (c, next) => {
    const ticket = c.req.query('ticket');
    if (c.req.header('authorization') || ticket === undefined || !deps.tickets) {
      await byKey(c, async () => {
        await byHeader(c, next);
      });
      return;
    }
    const claims = deps.tickets.open(ticket);
    c.set('auth', await deps.verifier.verifyKeyId(claims.apiKeyId));
    const requested = requestedWorkspace(c);
    if (requested !== undefined && requested.toLowerCase() !== claims.workspaceId) {
      throw validationError('This stream ticket was issued for another workspace', [
        { path: 'ticket', message: 'issued for another workspace' },
      ]);
    }
    await setWorkspace(c, deps.database, claims.workspaceId);
    await next();
  };
}

function requireRole(minimum: Role): MiddlewareHandler<KernelEnv> {
  return async (c, next) => {
    const role = c.get('workspace')!.role;
    if (!roleAtLeast(role, minimum)) {
      throw forbidden(`This action needs the ${minimum} role or higher in this workspace; you are ${role}`);
    }
    await next();
  };
}

export interface BuildRouterOptions {
  /** Runs after workspace resolution: the per-workspace extension gate. */
  gate?: MiddlewareHandler<KernelEnv>;
}

export function buildRouter(
  definitions: readonly RouteDefinition[],
  deps: RouterDeps,
  options: BuildRouterOptions = {},
): OpenAPIHono<KernelEnv> {
  const router = newRouter();
  const auth = authenticate(deps.verifier, deps.sessions);
  const idempotent = idempotency(deps.database);
  for (const definition of definitions) {
    const { access, route } = definition;
    const problems = routePolicyProblems(definition);
    if (problems.length > 0) throw new Error(problems.join('; '));
    const middleware: MiddlewareHandler<KernelEnv>[] = [];
    if (deps.bodyLimit !== undefined) middleware.push(bodyLimitStep(definition, deps.bodyLimit));
    if (access.auth === 'workspace' && access.streamTicket) {
      if (route.method !== 'get' || access.workspaceParam) {
        throw new Error(
          `${route.method} ${route.path}: streamTicket is for GET routes scoped by X-Workspace-Id`,
        );
      }
      middleware.push(keyOrStreamTicket(deps));
    } else if (access.auth !== 'public') {
      middleware.push(auth);
      if (access.auth === 'workspace')
        middleware.push(resolveWorkspace(deps.database, access.workspaceParam));
    }
    if (access.auth === 'workspace') {
      if (options.gate) middleware.push(options.gate);
      middleware.push(requireRole(access.role));
    }
    middleware.push(...bodyContentSteps(definition));
    if (idempotencyApplies(definition)) middleware.push(idempotent);
    const own = route.middleware
      ? Array.isArray(route.middleware)
        ? route.middleware
        : [route.middleware]
      : [];
    const mounted = {
      ...route,
      middleware: [...middleware, ...own],
      security:
        access.auth === 'public'
          ? []
          : access.auth === 'workspace' && access.streamTicket
            ? [{ bearerAuth: [] }, { streamTicket: [] }]
            : [{ bearerAuth: [] }],
    };
    router.openapi(mounted as never, definition.handler as never);
  }
  return router;
}
