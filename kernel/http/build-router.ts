/**
 * Turns RouteDefinitions into an OpenAPIHono router with the kernel's request
 * pipeline in front of every handler, in this order:
 *
 *   body limit -> authenticate -> resolve workspace (membership) -> extension gate
 *   -> role -> content type -> raw bytes kept -> idempotency -> unknown input refused
 *   -> zod validation -> handler
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
import type { MembershipCache } from '../auth/membership-cache.ts';
import type { StreamTickets } from '../auth/stream-tickets.ts';
import type { KernelEnv, Role } from '../contract/context.ts';
import { ApiError, forbidden, notFound, validationError } from '../contract/errors.ts';
import type { RouteDefinition } from '../contract/route.ts';
import { isUuid } from '../contract/values.ts';
import type { Database } from '../db/database.ts';
import { actAsCredentialOf } from './act-as-credential.ts';
import { handleError, zodIssuesToDetails } from './error-handler.ts';
import { idempotency } from './idempotency.ts';
import { inProcessCallerOf } from './in-process-caller.ts';
import { proceed } from './proceed.ts';
import { bodyContentSteps, bodyLimitStep, idempotencyApplies, routePolicyProblems } from './route-policy.ts';
import { chainSteps } from './step-chain.ts';
import { refuseUnknownInput } from './unknown-input.ts';

const ROLE_RANK: Record<Role, number> = { viewer: 1, member: 2, admin: 3, owner: 4 };

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[minimum];
}

export interface RouterDeps {
  database: Database;
  verifier: ApiKeyVerifier;
  memberships: MembershipCache;
  /** Needed only by routes that declare `access.streamTicket`. */
  tickets?: StreamTickets;
  /** The installation's body limit, for routes that declare none (default: no per-route limit). */
  bodyLimit?: number;
  /** Extensions' auth providers, asked when a request has no Authorization header. */
  sessions?: BrowserSessions;
  /** Counts each authenticated request against its API key (rate-limit.ts). */
  keyRateLimit?: MiddlewareHandler<KernelEnv>;
}

export function newRouter(): OpenAPIHono<KernelEnv> {
  const router = new OpenAPIHono<KernelEnv>({
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
  foldRegistrations(router);
  return router;
}

/**
 * One router entry per registration. `openapi()` registers a route as its steps, one
 * validator per input part (query, params, body) and the handler, each through `on`
 * as an entry of its own: every request on the path gathered each entry with a
 * parameter object, sorted them, and ran each through an async frame of Hono's
 * compose. Chained (step-chain.ts) they run alike, as one entry.
 */
function foldRegistrations(router: OpenAPIHono<KernelEnv>): void {
  const on = router.on;
  router.on = ((
    method: string | string[],
    path: string | string[],
    ...handlers: MiddlewareHandler<KernelEnv>[]
  ) => on(method, path as never, ...(chainSteps(handlers, handleError) as never[]))) as typeof router.on;
}

/**
 * The caller: the API key in the Authorization header or, without one, a browser
 * session from an extension's auth provider (see auth/browser-sessions.ts). With
 * `actAs`, also an in-process act-as credential (act-as-credential.ts): only
 * workspace-scoped routes accept it; actor-level routes (API keys, the caller's
 * profile) and MCP answer 401 to it. A request an MCP tool call makes in process
 * carries the outer request's verified caller (in-process-caller.ts): its key is not
 * checked twice.
 */
export function authenticate(
  verifier: ApiKeyVerifier,
  options: { actAs?: boolean; sessions?: BrowserSessions } = {},
): MiddlewareHandler<KernelEnv> {
  const { sessions } = options;
  return (c, next) => {
    const actAs = options.actAs ? actAsCredentialOf(c) : undefined;
    const auth = actAs ? actAs.auth : (inProcessCallerOf(c)?.auth ?? credentialsOf(c, verifier, sessions));
    if (auth instanceof Promise)
      return proceed(
        next,
        auth.then((caller) => c.set('auth', caller)),
      );
    c.set('auth', auth);
    return proceed(next);
  };
}

/** The caller of a request from its own credentials: the API key, else a browser session. */
function credentialsOf(
  c: Context<KernelEnv>,
  verifier: ApiKeyVerifier,
  sessions: BrowserSessions | undefined,
) {
  const authorization = c.req.header('authorization');
  return authorization === undefined && sessions && !sessions.isEmpty
    ? sessions.authenticate(c.req.raw)
    : verifier.verify(authorization);
}

/**
 * Membership of the caller in a workspace, or 404 (a non-member learns nothing). A
 * promise only when the membership cache must ask the database.
 */
function setWorkspace(
  c: Context<KernelEnv>,
  memberships: MembershipCache,
  requested: string,
): Promise<void> | undefined {
  // A malformed id cannot name a workspace the caller belongs to: same answer as a non-member.
  const workspaceId = requested.toLowerCase();
  // An act-as call, or a key limited to one workspace (a session key), is bound to its
  // workspace: any other is answered as for a non-member.
  const boundTo = actAsCredentialOf(c)?.workspaceId ?? c.get('auth')?.workspaceId;
  if (!isUuid(workspaceId) || (boundTo !== undefined && boundTo !== workspaceId)) {
    throw notFound('Workspace not found');
  }
  const role = memberships.roleOf(workspaceId, c.get('auth')!.actor.id);
  if (role instanceof Promise) return role.then((found) => admitToWorkspace(c, workspaceId, found));
  admitToWorkspace(c, workspaceId, role);
  return undefined;
}

function admitToWorkspace(c: Context<KernelEnv>, workspaceId: string, role: Role | undefined): void {
  if (!role) throw notFound('Workspace not found');
  c.set('workspace', { id: workspaceId, role });
}

const requestedWorkspace = (c: Context<KernelEnv>) =>
  c.req.header('x-workspace-id') ?? c.req.query('workspace_id');

export function resolveWorkspace(
  memberships: MembershipCache,
  param: string | undefined,
): MiddlewareHandler<KernelEnv> {
  return (c, next) => {
    const workspaceId = param ? c.req.param(param) : requestedWorkspace(c);
    if (!workspaceId) {
      throw validationError('This route is workspace-scoped: send the X-Workspace-Id header', [
        { path: 'X-Workspace-Id', message: 'required' },
      ]);
    }
    return proceed(next, setWorkspace(c, memberships, workspaceId));
  };
}

/**
 * Authentication and workspace for routes that accept a stream ticket: the
 * Authorization header when there is one, else `?ticket=`, whose API key is checked
 * again now and whose workspace must still have the caller as a member.
 */
function keyOrStreamTicket(deps: RouterDeps): MiddlewareHandler<KernelEnv> {
  const byKey = authenticate(deps.verifier, { sessions: deps.sessions });
  const byHeader = resolveWorkspace(deps.memberships, undefined);
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
    await setWorkspace(c, deps.memberships, claims.workspaceId);
    await next();
  };
}

/**
 * Actor-level routes (API keys, creating workspaces, the profile) act for the actor in
 * every workspace: a key limited to one workspace must not reach them, or a session's
 * key could mint itself an unlimited key that outlives the session.
 */
const refuseWorkspaceBoundKey: MiddlewareHandler<KernelEnv> = (c, next) => {
  if (c.get('auth')?.workspaceId) {
    throw forbidden('This key is limited to one workspace; actor-level routes need an ordinary API key');
  }
  return proceed(next);
};

function requireRole(minimum: Role): MiddlewareHandler<KernelEnv> {
  return (c, next) => {
    const role = c.get('workspace')!.role;
    if (!roleAtLeast(role, minimum)) {
      throw forbidden(`This action needs the ${minimum} role or higher in this workspace; you are ${role}`);
    }
    return proceed(next);
  };
}

/** Responses that carry a secret are never kept by a browser, proxy or cache, errors included. */
const noStore: MiddlewareHandler<KernelEnv> = async (c, next) => {
  await next();
  c.res.headers.set('Cache-Control', 'no-store');
};

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
  const auth = authenticate(deps.verifier, { sessions: deps.sessions });
  const workspaceAuth = authenticate(deps.verifier, { actAs: true, sessions: deps.sessions });
  const idempotent = idempotency(deps.database);
  const idempotentSecret = idempotency(deps.database, { secretResponse: true });
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
      middleware.push(access.auth === 'workspace' ? workspaceAuth : auth);
      if (access.auth === 'actor') middleware.push(refuseWorkspaceBoundKey);
      if (deps.keyRateLimit) middleware.push(deps.keyRateLimit);
      if (access.auth === 'workspace')
        middleware.push(resolveWorkspace(deps.memberships, access.workspaceParam));
    }
    if (access.auth === 'workspace') {
      if (options.gate) middleware.push(options.gate);
      middleware.push(requireRole(access.role));
    }
    middleware.push(...bodyContentSteps(definition));
    if (definition.policy?.secretResponse) middleware.unshift(noStore);
    // Only writes are guarded (idempotency.ts): a read needs no step for it.
    if (idempotencyApplies(definition) && route.method !== 'get' && route.method !== 'head')
      middleware.push(definition.policy?.secretResponse ? idempotentSecret : idempotent);
    middleware.push(refuseUnknownInput(definition));
    const own = route.middleware
      ? Array.isArray(route.middleware)
        ? route.middleware
        : [route.middleware]
      : [];
    const mounted = {
      ...route,
      middleware: chainSteps([...middleware, ...own], handleError),
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
