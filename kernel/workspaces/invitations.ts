/**
 * Invitations: how a person joins a workspace they did not create (issue 10, finding 4).
 *
 * An admin invites an email address with a role; the account with that address sees
 * the invitation (GET /api/actors/me/invitations, or the MCP tool) and accepts or
 * declines it. Nothing the inviter gets back depends on whether an account with that
 * address exists, or whether it is already a member: inviting always creates (or
 * renews) the invitation and answers the same way, so the endpoint is not an email
 * oracle. An invitation expires; accepting is the only way in, so nobody is made a
 * member (let alone an owner) without consenting. Agents are not invited: admins who
 * manage an agent add it directly (workspaces/service.ts addMember).
 *
 * There is no email delivery in the kernel: the invitee finds invitations through the
 * API. Emails are not verified at signup, so an invitation reaches whoever holds the
 * account with that address (signup refuses a second account for an address).
 */
import { and, desc, eq, gt, lt, or, sql } from 'drizzle-orm';
import type { Role } from '../contract/context.ts';
import { conflict, forbidden, notFound } from '../contract/errors.ts';
import { decodeTimeIdCursor, toPage } from '../contract/pagination.ts';
import type { Db } from '../db/database.ts';
import { actors, workspaceInvitations, workspaceMembers, workspaces } from '../db/schema.ts';
import { recordEvent } from '../events/record-event.ts';
import { memberJson } from './service.ts';

type InvitationRow = typeof workspaceInvitations.$inferSelect;

export const DEFAULT_INVITATION_HOURS = 7 * 24;
export const MAX_INVITATION_HOURS = 30 * 24;

export function invitationJson(row: InvitationRow, workspaceName?: string) {
  const expired = row.status === 'pending' && row.expiresAt.getTime() <= Date.now();
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    ...(workspaceName !== undefined ? { workspace_name: workspaceName } : {}),
    email: row.email,
    role: row.role,
    status: expired ? ('expired' as const) : row.status,
    invited_by: row.invitedBy,
    created_at: row.createdAt.toISOString(),
    expires_at: row.expiresAt.toISOString(),
    responded_at: row.respondedAt?.toISOString() ?? null,
  };
}

const newestFirst = (cursor: string | undefined) => {
  if (!cursor) return undefined;
  const { at, id } = decodeTimeIdCursor(cursor);
  return or(
    lt(workspaceInvitations.createdAt, at),
    and(eq(workspaceInvitations.createdAt, at), lt(workspaceInvitations.id, id)),
  );
};
const cursorOf = (row: InvitationRow) => [row.createdAt.toISOString(), row.id];

export class InvitationService {
  async invite(
    tx: Db,
    input: { workspaceId: string; by: { id: string; role: Role }; email: string; role: Role; hours: number },
  ) {
    if (input.role === 'owner' && input.by.role !== 'owner')
      throw forbidden('Only an owner can invite an owner');
    const email = input.email.trim();
    const expiresAt = new Date(Date.now() + input.hours * 3_600_000);
    // Inviting the same address again renews the open invitation (new role and expiry).
    // Two concurrent first invitations meet the unique index: the loser gets a 409 to retry.
    const open = and(
      eq(workspaceInvitations.workspaceId, input.workspaceId),
      sql`lower(${workspaceInvitations.email}) = lower(${email})`,
      eq(workspaceInvitations.status, 'pending'),
    );
    const [renewed] = await tx
      .update(workspaceInvitations)
      .set({ email, role: input.role, invitedBy: input.by.id, expiresAt, createdAt: sql`now()` })
      .where(open)
      .returning();
    const [row] = renewed
      ? [renewed]
      : await tx
          .insert(workspaceInvitations)
          .values({
            workspaceId: input.workspaceId,
            email,
            role: input.role,
            invitedBy: input.by.id,
            expiresAt,
          })
          .returning();
    await recordEvent(tx, {
      workspaceId: input.workspaceId,
      actorId: input.by.id,
      type: 'invitation.created',
      entityType: 'invitation',
      entityId: row!.id,
      data: { role: row!.role, expires_at: row!.expiresAt.toISOString() },
    });
    return invitationJson(row!);
  }

  async listForWorkspace(db: Db, workspaceId: string, limit: number, cursor: string | undefined) {
    const rows = await db
      .select()
      .from(workspaceInvitations)
      .where(and(eq(workspaceInvitations.workspaceId, workspaceId), newestFirst(cursor)))
      .orderBy(desc(workspaceInvitations.createdAt), desc(workspaceInvitations.id))
      .limit(limit + 1);
    return toPage(rows, limit, (row) => invitationJson(row), cursorOf);
  }

  async revoke(tx: Db, input: { workspaceId: string; invitationId: string; by: string }) {
    const [row] = await tx
      .update(workspaceInvitations)
      .set({ status: 'revoked', respondedAt: sql`now()`, respondedBy: input.by })
      .where(
        and(
          eq(workspaceInvitations.id, input.invitationId),
          eq(workspaceInvitations.workspaceId, input.workspaceId),
          eq(workspaceInvitations.status, 'pending'),
        ),
      )
      .returning();
    if (!row) {
      const [existing] = await tx
        .select()
        .from(workspaceInvitations)
        .where(
          and(
            eq(workspaceInvitations.id, input.invitationId),
            eq(workspaceInvitations.workspaceId, input.workspaceId),
          ),
        );
      if (!existing) throw notFound('Invitation not found');
      return invitationJson(existing);
    }
    await recordEvent(tx, {
      workspaceId: input.workspaceId,
      actorId: input.by,
      type: 'invitation.revoked',
      entityType: 'invitation',
      entityId: row.id,
      data: {},
    });
    return invitationJson(row);
  }

  /** The open invitations addressed to the caller's email (none for agents). */
  async listForInvitee(db: Db, actorId: string, limit: number, cursor: string | undefined) {
    const rows = await db
      .select({ invitation: workspaceInvitations, workspaceName: workspaces.name })
      .from(workspaceInvitations)
      .innerJoin(actors, sql`lower(${actors.email}) = lower(${workspaceInvitations.email})`)
      .innerJoin(workspaces, eq(workspaces.id, workspaceInvitations.workspaceId))
      .where(
        and(
          eq(actors.id, actorId),
          eq(actors.type, 'human'),
          eq(workspaceInvitations.status, 'pending'),
          gt(workspaceInvitations.expiresAt, sql`now()`),
          newestFirst(cursor),
        ),
      )
      .orderBy(desc(workspaceInvitations.createdAt), desc(workspaceInvitations.id))
      .limit(limit + 1);
    return toPage(
      rows,
      limit,
      (row) => invitationJson(row.invitation, row.workspaceName),
      (row) => cursorOf(row.invitation),
    );
  }

  /** Accepts or declines an open invitation addressed to the caller; 404 for anything else. */
  async respond(tx: Db, input: { actorId: string; invitationId: string; accept: boolean }) {
    const [row] = await tx
      .select({ invitation: workspaceInvitations, actor: actors })
      .from(workspaceInvitations)
      .innerJoin(actors, sql`lower(${actors.email}) = lower(${workspaceInvitations.email})`)
      .where(
        and(
          eq(workspaceInvitations.id, input.invitationId),
          eq(actors.id, input.actorId),
          eq(actors.type, 'human'),
          eq(workspaceInvitations.status, 'pending'),
          gt(workspaceInvitations.expiresAt, sql`now()`),
        ),
      )
      .for('update', { of: workspaceInvitations });
    if (!row)
      throw notFound(
        'No open invitation with that id for you (it may have expired, been revoked or answered)',
      );
    const { invitation, actor } = row;
    let member: ReturnType<typeof memberJson> | undefined;
    if (input.accept) {
      const [inserted] = await tx
        .insert(workspaceMembers)
        .values({ workspaceId: invitation.workspaceId, actorId: actor.id, role: invitation.role })
        .onConflictDoNothing()
        .returning();
      if (!inserted)
        throw conflict('You are already a member of this workspace; decline the invitation instead');
      member = memberJson({ member: inserted, actor });
    }
    const [updated] = await tx
      .update(workspaceInvitations)
      .set({ status: input.accept ? 'accepted' : 'declined', respondedAt: sql`now()`, respondedBy: actor.id })
      .where(eq(workspaceInvitations.id, invitation.id))
      .returning();
    await recordEvent(tx, {
      workspaceId: invitation.workspaceId,
      actorId: actor.id,
      type: input.accept ? 'invitation.accepted' : 'invitation.declined',
      entityType: 'invitation',
      entityId: invitation.id,
      data: { role: invitation.role },
    });
    if (member) {
      await recordEvent(tx, {
        workspaceId: invitation.workspaceId,
        actorId: actor.id,
        type: 'member.added',
        entityType: 'member',
        entityId: actor.id,
        data: { actor_id: actor.id, role: invitation.role, invitation_id: invitation.id },
      });
    }
    return { invitation: invitationJson(updated!), member: member ?? null };
  }
}
