/** What the kernel puts on every request context, typed for handlers. */
import type { Context } from 'hono';
import type { Logger } from 'pino';
import type { Role } from '../db/schema.ts';
import { ApiError } from './errors.ts';

export type { Role };

export interface AuthenticatedActor {
  id: string;
  type: 'human' | 'agent';
  name: string;
}

export interface AuthContext {
  actor: AuthenticatedActor;
  apiKeyId: string;
  /** Set when the key is limited to one workspace (a session key): every other one is closed to it. */
  workspaceId?: string;
  /**
   * The person this caller counts toward for per-person caps (open streams): the caller
   * if human; for an agent, the human who minted its key, else who created the agent.
   */
  personId?: string | null;
}

export interface WorkspaceContext {
  id: string;
  role: Role;
}

export interface KernelVariables {
  requestId: string;
  logger: Logger;
  auth: AuthContext | undefined;
  workspace: WorkspaceContext | undefined;
}

export type KernelEnv = { Variables: KernelVariables };
export type KernelContext = Context<KernelEnv>;

/** The authenticated caller; routes that are not public always have one. */
export function authOf(c: Context<KernelEnv, any, any>): AuthContext {
  const auth = c.get('auth');
  if (!auth) throw new ApiError(500, 'INTERNAL', 'Route used authOf() but is declared public');
  return auth;
}

/** The workspace of a workspace-scoped route, with the caller's role in it. */
export function workspaceOf(c: Context<KernelEnv, any, any>): WorkspaceContext {
  const workspace = c.get('workspace');
  if (!workspace) throw new ApiError(500, 'INTERNAL', 'Route used workspaceOf() but is not workspace-scoped');
  return workspace;
}

/** Who is acting where: the scope every workspace-scoped write takes. */
export interface CallerScope {
  workspaceId: string;
  actorId: string;
}

/** The caller scope of a workspace-scoped route: its workspace and authenticated actor. */
export function callerScope(c: Context<KernelEnv, any, any>): CallerScope {
  return { workspaceId: workspaceOf(c).id, actorId: authOf(c).actor.id };
}
