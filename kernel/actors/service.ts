/**
 * Actors (humans and agents). Visibility: an actor is readable by itself and by
 * anyone who shares a workspace with it; to everyone else it does not exist (404).
 * Key management: an actor manages its own keys; an admin or owner of a workspace
 * manages the keys of the agents that are members of it, provided the caller holds at
 * least the agent's role in every workspace the agent is in (auth/agent-authority.ts).
 */
import { eq, sql } from 'drizzle-orm';
import { workspacesManagingAgent } from '../auth/agent-authority.ts';
import type { Role } from '../contract/context.ts';
import { conflict, notFound } from '../contract/errors.ts';
import { type Db, resultRows } from '../db/database.ts';
import { actors, workspaceMembers } from '../db/schema.ts';
import { recordEvent } from '../events/record-event.ts';
import type { WorkspaceService } from '../workspaces/service.ts';
import { createApiKey } from './api-keys.ts';

type ActorRow = typeof actors.$inferSelect;

export function actorJson(row: ActorRow) {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    email: row.email,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export interface ActorQuotas {
  /** Agents created in one workspace. */
  maxAgentsPerWorkspace: number;
  /** Unrevoked, unexpired keys per actor. */
  maxKeysPerActor: number;
}

export class ActorService {
  constructor(
    private readonly workspaces: WorkspaceService,
    readonly quotas: ActorQuotas = { maxAgentsPerWorkspace: 100, maxKeysPerActor: 50 },
  ) {}

  /** A human with a personal workspace they own and a first API key. */
  async signup(
    tx: Db,
    input: { name: string; email: string | null; workspaceName?: string; keyName?: string },
  ) {
    if (input.email !== null) {
      const [taken] = await tx
        .select({ id: actors.id })
        .from(actors)
        .where(sql`lower(${actors.email}) = lower(${input.email})`);
      if (taken) throw conflict('An account with this email already exists');
    }
    const [actor] = await tx
      .insert(actors)
      .values({ type: 'human', name: input.name, email: input.email })
      .returning();
    await recordEvent(tx, {
      workspaceId: null,
      actorId: actor!.id,
      type: 'actor.created',
      entityType: 'actor',
      entityId: actor!.id,
      data: { type: 'human', name: input.name },
    });
    const workspace = await this.workspaces.create(tx, {
      name: input.workspaceName ?? `${input.name}'s workspace`,
      ownerId: actor!.id,
    });
    const apiKey = await createApiKey(tx, {
      actorId: actor!.id,
      name: input.keyName ?? 'default',
      createdBy: actor!.id,
      workspaceId: null,
    });
    return { actor: actorJson(actor!), workspace, api_key: apiKey };
  }

  async createAgent(tx: Db, input: { workspaceId: string; createdBy: string; name: string; role: Role }) {
    // The workspace's row lock serialises concurrent creations, so the count holds.
    resultRows(await tx.execute(sql`select 1 from workspaces where id = ${input.workspaceId} for update`));
    const [count] = resultRows<{ n: number | string }>(
      await tx.execute(
        sql`select count(*) as n from actors where type = 'agent' and home_workspace_id = ${input.workspaceId}`,
      ),
    );
    if (Number(count?.n ?? 0) >= this.quotas.maxAgentsPerWorkspace) {
      throw conflict(
        `This workspace already created ${this.quotas.maxAgentsPerWorkspace} agents, the most allowed (MASKIN_MAX_AGENTS_PER_WORKSPACE)`,
      );
    }
    const [actor] = await tx
      .insert(actors)
      .values({
        type: 'agent',
        name: input.name,
        createdBy: input.createdBy,
        homeWorkspaceId: input.workspaceId,
      })
      .returning();
    await tx
      .insert(workspaceMembers)
      .values({ workspaceId: input.workspaceId, actorId: actor!.id, role: input.role });
    await recordEvent(tx, {
      workspaceId: input.workspaceId,
      actorId: input.createdBy,
      type: 'actor.created',
      entityType: 'actor',
      entityId: actor!.id,
      data: { type: 'agent', name: input.name, role: input.role },
    });
    return actorJson(actor!);
  }

  /** The actor, if `viewerId` may see it (itself or a co-member); otherwise 404. */
  async getVisible(db: Db, viewerId: string, actorId: string) {
    const rows = resultRows<{ id: string }>(
      await db.execute(sql`
        select a.id from actors a
         where a.id = ${actorId}
           and (a.id = ${viewerId} or exists (
                 select 1 from workspace_members mine
                   join workspace_members theirs on theirs.workspace_id = mine.workspace_id
                  where mine.actor_id = ${viewerId} and theirs.actor_id = a.id))`),
    );
    if (rows.length === 0) throw notFound('Actor not found');
    const [actor] = await db.select().from(actors).where(eq(actors.id, actorId));
    return actorJson(actor!);
  }

  /**
   * Whether `callerId` may manage `actorId`'s keys. Returns the workspace through
   * which an admin manages an agent (its log records the change), or null for self.
   *
   * `audit` (list and revoke) is also granted to the owners of the agent's home
   * workspace (the one it was created in), whatever happened since: an admin who added
   * the agent to their own workspace with a higher role must not lock its home owners
   * out of its keys (issue 10, finding 5). Minting stays with those who manage the
   * agent everywhere it is, so auditing never becomes a way into another workspace.
   */
  async keyManagementScope(
    db: Db,
    callerId: string,
    actorId: string,
    purpose: 'audit' | 'mint' = 'mint',
  ): Promise<{ workspaceId: string | null }> {
    if (callerId === actorId) return { workspaceId: null };
    const [workspaceId] = await workspacesManagingAgent(db, callerId, actorId);
    if (workspaceId) return { workspaceId };
    if (purpose === 'audit') {
      const [home] = resultRows<{ workspace_id: string }>(
        await db.execute(sql`
          select a.home_workspace_id as workspace_id from actors a
            join workspace_members owner on owner.workspace_id = a.home_workspace_id
           where a.id = ${actorId} and a.type = 'agent'
             and owner.actor_id = ${callerId} and owner.role = 'owner'`),
      );
      if (home) return { workspaceId: home.workspace_id };
    }
    // Do not reveal whether the actor exists to someone who cannot manage it.
    throw notFound(
      'Actor not found, or you cannot manage its keys (only itself, an admin of a workspace it is an agent in, or an owner of the workspace it was created in)',
    );
  }
}
