/**
 * A stand-in `sessions` extension for triggers' tests: it provides sessionsServiceRef
 * and records each session it is asked to create in its own table, in the caller's
 * transaction, so exactly-once is observable. A session counts as running until the
 * test sets ended_at (the loop guard reads that).
 */
import { type Db, dbRef, defineExtension, orm, pg } from '@maskin/contract';
import {
  type SessionSummary,
  sessionCredentialsPoint,
  sessionsServiceRef,
} from '../../../core-extensions/sessions/api.ts';

const { and, eq, sql } = orm;

export const fakeSessionsTable = pg.pgTable('sessions_fake', {
  id: pg.uuid('id').primaryKey().defaultRandom(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  actorId: pg.uuid('actor_id').notNull(),
  prompt: pg.text('prompt').notNull(),
  createdBy: pg.uuid('created_by').notNull(),
  triggerId: pg.uuid('trigger_id'),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  endedAt: pg.timestamp('ended_at', { withTimezone: true }),
});

type Row = typeof fakeSessionsTable.$inferSelect;
const summary = (row: Row): SessionSummary => ({
  id: row.id,
  workspaceId: row.workspaceId,
  actorId: row.actorId,
  status: row.endedAt ? 'completed' : 'running',
  prompt: row.prompt,
  createdBy: row.createdBy,
  triggerId: row.triggerId,
  reason: null,
  createdAt: row.createdAt.toISOString(),
});

/** Prompts containing this word are refused, as a budget would refuse them. */
export const REFUSED_PROMPT = 'refuse-me';

export default defineExtension({
  manifest: {
    id: 'sessions',
    version: '1.0.0',
    kernel: '^1.0.0',
    description: 'Test stand-in for sessions',
    enablement: 'default-on',
  },
  deps: { database: dbRef },
  provides: sessionsServiceRef,
  // claude-oauth registers on it, as it does on the real sessions
  extensionPoints: [sessionCredentialsPoint],
  migrations: new URL('./migrations/', import.meta.url),
  setup({ deps }) {
    const { db } = deps.database;
    return {
      service: {
        async create(tx: Db, input) {
          if (input.prompt.includes(REFUSED_PROMPT)) {
            const { ApiError } = await import('@maskin/contract');
            throw new ApiError(409, 'CONFLICT', 'Budget exceeded (fake)');
          }
          const [row] = await tx
            .insert(fakeSessionsTable)
            .values({
              workspaceId: input.workspaceId,
              actorId: input.agentId,
              prompt: input.prompt,
              createdBy: input.createdBy,
              triggerId: input.triggerId ?? null,
            })
            .returning();
          return summary(row!);
        },
        async get(workspaceId, sessionId) {
          const [row] = await db
            .select()
            .from(fakeSessionsTable)
            .where(and(eq(fakeSessionsTable.workspaceId, workspaceId), eq(fakeSessionsTable.id, sessionId)));
          return row ? summary(row) : undefined;
        },
        async resume() {
          throw new Error('not in the fake');
        },
        async wasRunningForTrigger(tx, query) {
          const rows = await tx
            .select({ id: fakeSessionsTable.id })
            .from(fakeSessionsTable)
            .where(
              and(
                eq(fakeSessionsTable.workspaceId, query.workspaceId),
                eq(fakeSessionsTable.triggerId, query.triggerId),
                eq(fakeSessionsTable.actorId, query.actorId),
                sql`${fakeSessionsTable.createdAt} <= ${query.at.toISOString()}::timestamptz`,
                sql`(${fakeSessionsTable.endedAt} is null or ${fakeSessionsTable.endedAt} >= ${query.at.toISOString()}::timestamptz)`,
              ),
            );
          return rows.length > 0;
        },
      },
    };
  },
});
