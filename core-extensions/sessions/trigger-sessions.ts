/**
 * For triggers' loop guard: was an agent running a session that a given trigger
 * started, at a given time? From the session's creation to its end (open while it runs).
 */
import { type Db, orm } from '@maskin/contract';
import { sessions } from './tables.ts';

const { and, eq, gte, isNull, lte, or } = orm;

export async function wasRunningForTrigger(
  tx: Db,
  query: { workspaceId: string; triggerId: string; actorId: string; at: Date },
): Promise<boolean> {
  const rows = await tx
    .select({ id: sessions.id })
    .from(sessions)
    .where(
      and(
        eq(sessions.workspaceId, query.workspaceId),
        eq(sessions.triggerId, query.triggerId),
        eq(sessions.actorId, query.actorId),
        lte(sessions.createdAt, query.at),
        or(isNull(sessions.endedAt), gte(sessions.endedAt, query.at)),
      ),
    )
    .limit(1);
  return rows.length > 0;
}
