/**
 * Members and actors, read-only, for extension code that runs outside a request (a
 * notification deciding who to tell, a check that a referenced actor is a member).
 * Writes to membership stay with the kernel's /api/workspaces routes.
 *
 * Email follows the rule of GET /api/actors/{id}: an actor's email is visible to the
 * actor itself and to anyone who shares a workspace with it. So `getActors` returns
 * an email only when the caller names a `viewerId` who may see it; without a viewer
 * the field is absent, never guessed.
 */
import type { Db } from '../db/database.ts';
import type { Role } from './context.ts';
import { createServiceRef } from './refs.ts';

export interface ActorSummary {
  id: string;
  type: 'human' | 'agent';
  name: string;
  /** Present only when `viewerId` was given and may see it (itself or a co-member); may be null. */
  email?: string | null;
}

export interface WorkspaceMember {
  workspace_id: string;
  actor_id: string;
  role: Role;
  actor: { id: string; type: 'human' | 'agent'; name: string };
  created_at: string;
}

export interface MemberPage {
  items: WorkspaceMember[];
  next_cursor: string | null;
}

export interface ExtensionMembers {
  /** The actor's role in the workspace, or undefined when it is not a member. Pass `tx` to read inside one. */
  roleOf(workspaceId: string, actorId: string, tx?: Db): Promise<Role | undefined>;
  /** Members ordered by actor id, in keyset pages (`limit` 1-200, default 50; `cursor` = previous `next_cursor`). */
  listMembers(workspaceId: string, page?: { limit?: number; cursor?: string; tx?: Db }): Promise<MemberPage>;
  /** Which of `actorIds` are members of the workspace (to validate references in one query). */
  membersAmong(workspaceId: string, actorIds: readonly string[], tx?: Db): Promise<Set<string>>;
  /** The actors with these ids that exist (order not guaranteed); email only for a viewer who may see it. */
  getActors(actorIds: readonly string[], options?: { viewerId?: string; tx?: Db }): Promise<ActorSummary[]>;
}

export const membersRef = createServiceRef<ExtensionMembers>({ id: 'kernel.members', owner: 'kernel' });
