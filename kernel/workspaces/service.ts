/**
 * Workspaces and their members. Role rules live here, not in routes:
 * only an owner may grant, change or remove the owner role, and a workspace
 * always keeps at least one owner (checked under a lock on the owner rows, so
 * two concurrent demotions cannot both pass).
 */
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { workspacesManagingAgent } from '../auth/agent-authority.ts';
import type { Role } from '../contract/context.ts';
import { conflict, forbidden, notFound } from '../contract/errors.ts';
import { decodeCursor, toPage } from '../contract/pagination.ts';
import { type Db, resultRows } from '../db/database.ts';
import { actors, workspaceMembers, workspaces } from '../db/schema.ts';
import { recordEvent } from '../events/record-event.ts';
import { notifyStreamAccessChanged } from '../events/stream-guard.ts';

type WorkspaceRow = typeof workspaces.$inferSelect;

/** Called inside the creating transaction (the registry enables default-on extensions here). */
export type WorkspaceCreatedHook = (tx: Db, workspaceId: string, actorId: string) => Promise<void>;

export function workspaceJson(row: WorkspaceRow, role?: Role) {
  return {
    id: row.id,
    name: row.name,
    settings: row.settings,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    ...(role ? { role } : {}),
  };
}

export class WorkspaceService {
  private readonly createdHooks: WorkspaceCreatedHook[] = [];

  onWorkspaceCreated(hook: WorkspaceCreatedHook): void {
    this.createdHooks.push(hook);
  }

  async create(tx: Db, input: { name: string; settings?: Record<string, unknown>; ownerId: string }) {
    const [row] = await tx
      .insert(workspaces)
      .values({ name: input.name, settings: input.settings ?? {}, createdBy: input.ownerId })
      .returning();
    await tx.insert(workspaceMembers).values({ workspaceId: row!.id, actorId: input.ownerId, role: 'owner' });
    await recordEvent(tx, {
      workspaceId: row!.id,
      actorId: input.ownerId,
      type: 'workspace.created',
      entityType: 'workspace',
      entityId: row!.id,
      data: { name: row!.name },
    });
    for (const hook of this.createdHooks) await hook(tx, row!.id, input.ownerId);
    return workspaceJson(row!, 'owner');
  }

  async listForActor(db: Db, actorId: string, limit: number, cursor: string | undefined) {
    const conditions = [eq(workspaceMembers.actorId, actorId)];
    if (cursor) conditions.push(gt(workspaces.id, decodeCursor(cursor, 1)[0] as string));
    const rows = await db
      .select({ workspace: workspaces, role: workspaceMembers.role })
      .from(workspaces)
      .innerJoin(workspaceMembers, eq(workspaceMembers.workspaceId, workspaces.id))
      .where(and(...conditions))
      .orderBy(asc(workspaces.id))
      .limit(limit + 1);
    return toPage(
      rows,
      limit,
      (r) => workspaceJson(r.workspace, r.role),
      (r) => [r.workspace.id],
    );
  }

  async get(db: Db, workspaceId: string, role: Role) {
    const [row] = await db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
    if (!row) throw notFound('Workspace not found');
    return workspaceJson(row, role);
  }

  async update(
    tx: Db,
    input: {
      workspaceId: string;
      actorId: string;
      role: Role;
      name?: string;
      settings?: Record<string, unknown>;
    },
  ) {
    const [row] = await tx
      .update(workspaces)
      .set({
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.settings !== undefined ? { settings: input.settings } : {}),
        updatedAt: sql`now()`,
      })
      .where(eq(workspaces.id, input.workspaceId))
      .returning();
    if (!row) throw notFound('Workspace not found');
    await recordEvent(tx, {
      workspaceId: row.id,
      actorId: input.actorId,
      type: 'workspace.updated',
      entityType: 'workspace',
      entityId: row.id,
      data: {
        changed: Object.keys({
          ...(input.name !== undefined && { name: 1 }),
          ...(input.settings && { settings: 1 }),
        }),
      },
    });
    return workspaceJson(row, input.role);
  }

  async delete(tx: Db, workspaceId: string, actorId: string) {
    const [row] = await tx.delete(workspaces).where(eq(workspaces.id, workspaceId)).returning();
    if (!row) throw notFound('Workspace not found');
    await notifyStreamAccessChanged(tx, workspaceId);
    // The workspace's own log goes with it; the deletion is recorded at account level.
    await recordEvent(tx, {
      workspaceId: null,
      actorId,
      type: 'workspace.deleted',
      entityType: 'workspace',
      entityId: workspaceId,
      data: { name: row.name },
    });
  }

  async listMembers(db: Db, workspaceId: string, limit: number, cursor: string | undefined) {
    const conditions = [eq(workspaceMembers.workspaceId, workspaceId)];
    if (cursor) conditions.push(gt(workspaceMembers.actorId, decodeCursor(cursor, 1)[0] as string));
    const rows = await db
      .select({ member: workspaceMembers, actor: actors })
      .from(workspaceMembers)
      .innerJoin(actors, eq(actors.id, workspaceMembers.actorId))
      .where(and(...conditions))
      .orderBy(asc(workspaceMembers.actorId))
      .limit(limit + 1);
    return toPage(rows, limit, memberJson, (r) => [r.member.actorId]);
  }

  /**
   * Adds an agent the caller manages. People are never added: they accept an
   * invitation (invitations.ts). A person's id, an unknown id and an agent the caller
   * does not manage get the same 404, so the answer reveals nothing.
   */
  async addMember(
    tx: Db,
    input: { workspaceId: string; by: { id: string; role: Role }; actorId: string; role: Role },
  ) {
    if (input.role === 'owner' && input.by.role !== 'owner')
      throw forbidden('Only an owner can add another owner');
    const [actor] = await tx.select().from(actors).where(eq(actors.id, input.actorId));
    // Adding an agent extends what its keys reach: only someone who already manages it may.
    if (actor?.type !== 'agent' || (await workspacesManagingAgent(tx, input.by.id, actor.id)).length === 0) {
      throw notFound(
        'No agent with that id that you manage. People join a workspace by accepting an invitation: POST /api/workspaces/{workspace_id}/invitations',
      );
    }
    const inserted = await tx
      .insert(workspaceMembers)
      .values({ workspaceId: input.workspaceId, actorId: actor.id, role: input.role })
      .onConflictDoNothing()
      .returning();
    if (inserted.length === 0) throw conflict('That actor is already a member of this workspace');
    await recordEvent(tx, {
      workspaceId: input.workspaceId,
      actorId: input.by.id,
      type: 'member.added',
      entityType: 'member',
      entityId: actor.id,
      data: { actor_id: actor.id, role: input.role },
    });
    return memberJson({ member: inserted[0]!, actor });
  }

  async changeRole(
    tx: Db,
    input: { workspaceId: string; by: { id: string; role: Role }; actorId: string; role: Role },
  ) {
    const current = await this.lockedMember(tx, input.workspaceId, input.actorId);
    if ((current.role === 'owner' || input.role === 'owner') && input.by.role !== 'owner') {
      throw forbidden('Only an owner can grant or change the owner role');
    }
    if (current.role === 'owner' && input.role !== 'owner')
      await this.assertAnotherOwner(tx, input.workspaceId);
    const [updated] = await tx
      .update(workspaceMembers)
      .set({ role: input.role })
      .where(
        and(eq(workspaceMembers.workspaceId, input.workspaceId), eq(workspaceMembers.actorId, input.actorId)),
      )
      .returning();
    if (current.role !== input.role) {
      // Role caches (membership-cache.ts) and open streams re-check this workspace on commit.
      await notifyStreamAccessChanged(tx, input.workspaceId);
      await recordEvent(tx, {
        workspaceId: input.workspaceId,
        actorId: input.by.id,
        type: 'member.role_changed',
        entityType: 'member',
        entityId: input.actorId,
        data: { actor_id: input.actorId, from: current.role, to: input.role },
      });
    }
    const [actor] = await tx.select().from(actors).where(eq(actors.id, input.actorId));
    return memberJson({ member: updated!, actor: actor! });
  }

  async removeMember(
    tx: Db,
    input: { workspaceId: string; by: { id: string; role: Role }; actorId: string },
  ) {
    const current = await this.lockedMember(tx, input.workspaceId, input.actorId);
    if (current.role === 'owner') {
      if (input.by.role !== 'owner') throw forbidden('Only an owner can remove an owner');
      await this.assertAnotherOwner(tx, input.workspaceId);
    }
    await tx
      .delete(workspaceMembers)
      .where(
        and(eq(workspaceMembers.workspaceId, input.workspaceId), eq(workspaceMembers.actorId, input.actorId)),
      );
    await notifyStreamAccessChanged(tx, input.workspaceId);
    await recordEvent(tx, {
      workspaceId: input.workspaceId,
      actorId: input.by.id,
      type: 'member.removed',
      entityType: 'member',
      entityId: input.actorId,
      data: { actor_id: input.actorId, role: current.role },
    });
  }

  private async lockedMember(tx: Db, workspaceId: string, actorId: string) {
    const [row] = resultRows<{ role: Role }>(
      await tx.execute(
        sql`select role from workspace_members where workspace_id = ${workspaceId} and actor_id = ${actorId} for update`,
      ),
    );
    if (!row) throw notFound('That actor is not a member of this workspace');
    return row;
  }

  private async assertAnotherOwner(tx: Db, workspaceId: string) {
    const owners = resultRows<{ actor_id: string }>(
      await tx.execute(
        sql`select actor_id from workspace_members where workspace_id = ${workspaceId} and role = 'owner' for update`,
      ),
    );
    if (owners.length <= 1) {
      throw conflict('A workspace must keep at least one owner: make another member owner first');
    }
  }
}

export function memberJson(row: {
  member: typeof workspaceMembers.$inferSelect;
  actor: typeof actors.$inferSelect;
}) {
  return {
    workspace_id: row.member.workspaceId,
    actor_id: row.member.actorId,
    role: row.member.role,
    actor: { id: row.actor.id, type: row.actor.type, name: row.actor.name },
    created_at: row.member.createdAt.toISOString(),
  };
}
