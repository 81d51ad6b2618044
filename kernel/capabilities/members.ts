/**
 * membersRef: read-only members and actors. Queries go through the caller's
 * transaction when given, so a check ("is this driver a member?") sees the same
 * snapshot as the write it guards. Ids that are not UUIDs cannot name an actor: they
 * are dropped before the query instead of making PostgreSQL fail on the cast.
 */
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Role } from '../contract/context.ts';
import type { ActorSummary } from '../contract/members.ts';
import { membersRef } from '../contract/members.ts';
import { decodeCursor, toPage } from '../contract/pagination.ts';
import { createServiceFactory } from '../contract/service-factory.ts';
import { type Db, resultRows } from '../db/database.ts';
import { actors, workspaceMembers } from '../db/schema.ts';
import { memberJson } from '../workspaces/service.ts';
import { internalDatabaseRef } from './internal-refs.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidsOf = (ids: readonly string[]) => [
  ...new Set(ids.filter((id) => UUID.test(id)).map((id) => id.toLowerCase())),
];

export const membersFactory = createServiceFactory({
  service: membersRef,
  scope: 'kernel',
  deps: { database: internalDatabaseRef },
  factory: ({ database }) => {
    const on = (tx: Db | undefined) => tx ?? database.db;
    return {
      roleOf: async (workspaceId, actorId, tx) => {
        if (!UUID.test(workspaceId) || !UUID.test(actorId)) return undefined;
        const [row] = await on(tx)
          .select({ role: workspaceMembers.role })
          .from(workspaceMembers)
          .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.actorId, actorId)));
        return row?.role as Role | undefined;
      },

      listMembers: async (workspaceId, page = {}) => {
        const limit = Math.min(Math.max(Math.trunc(page.limit ?? 50), 1), 200);
        if (!UUID.test(workspaceId)) return { items: [], next_cursor: null };
        const conditions = [eq(workspaceMembers.workspaceId, workspaceId)];
        if (page.cursor)
          conditions.push(gt(workspaceMembers.actorId, String(decodeCursor(page.cursor, 1)[0])));
        const rows = await on(page.tx)
          .select({ member: workspaceMembers, actor: actors })
          .from(workspaceMembers)
          .innerJoin(actors, eq(actors.id, workspaceMembers.actorId))
          .where(and(...conditions))
          .orderBy(asc(workspaceMembers.actorId))
          .limit(limit + 1);
        return toPage(rows, limit, memberJson, (row) => [row.member.actorId]);
      },

      membersAmong: async (workspaceId, actorIds, tx) => {
        const wanted = uuidsOf(actorIds);
        if (wanted.length === 0 || !UUID.test(workspaceId)) return new Set<string>();
        const rows = await on(tx)
          .select({ id: workspaceMembers.actorId })
          .from(workspaceMembers)
          .where(
            and(eq(workspaceMembers.workspaceId, workspaceId), inArray(workspaceMembers.actorId, wanted)),
          );
        return new Set(rows.map((row) => row.id));
      },

      getActors: async (actorIds, options = {}) => {
        const wanted = uuidsOf(actorIds);
        if (wanted.length === 0) return [];
        const viewerId = options.viewerId && UUID.test(options.viewerId) ? options.viewerId : undefined;
        // The visibility rule of GET /api/actors/{id} (kernel/actors/service.ts getVisible).
        const rows = resultRows<{
          id: string;
          type: 'human' | 'agent';
          name: string;
          email: string | null;
          visible: boolean;
        }>(
          await on(options.tx).execute(sql`
            select a.id, a.type, a.name, a.email,
                   ${viewerId ?? null}::uuid is not null and (a.id = ${viewerId ?? null}::uuid or exists (
                     select 1 from workspace_members mine
                       join workspace_members theirs on theirs.workspace_id = mine.workspace_id
                      where mine.actor_id = ${viewerId ?? null}::uuid and theirs.actor_id = a.id)) as visible
              from actors a
             where a.id in (${sql.join(
               wanted.map((id) => sql`${id}::uuid`),
               sql`, `,
             )})`),
        );
        return rows.map((row): ActorSummary => {
          const actor: ActorSummary = { id: row.id, type: row.type, name: row.name };
          if (row.visible) actor.email = row.email;
          return actor;
        });
      },
    };
  },
});
