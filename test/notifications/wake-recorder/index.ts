/**
 * A test-only agent waker: registers on notifications' agentWakersPoint and records
 * each wake in its own table, in the caller's transaction (so a rolled-back answer
 * leaves no row). A named session is "resumed" (its id returned); otherwise a new id
 * is "started". A prompt containing REFUSED_WAKE is refused, as a budget would.
 */
import { randomUUID } from 'node:crypto';
import { ApiError, defineExtension, pg } from '@maskin/contract';
import { agentWakersPoint } from '../../../core-extensions/notifications/api.ts';

export const REFUSED_WAKE = 'refuse-this-wake';

export const wakes = pg.pgTable('wake_recorder', {
  id: pg.uuid('id').primaryKey().defaultRandom(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  agentId: pg.uuid('agent_id').notNull(),
  sessionId: pg.uuid('session_id'),
  prompt: pg.text('prompt').notNull(),
  wokenBy: pg.uuid('woken_by').notNull(),
  reason: pg.jsonb('reason').$type<Record<string, unknown>>().notNull(),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export default defineExtension({
  manifest: {
    id: 'wake-recorder',
    version: '1.0.0',
    kernel: '^1.0.0',
    description: 'Test stand-in for the sessions agent waker',
    enablement: 'default-on',
    requires: ['notifications'],
  },
  migrations: new URL('./migrations/', import.meta.url),
  register({ extensionPoints, isEnabled }) {
    extensionPoints.add(agentWakersPoint, {
      name: 'wake-recorder',
      async wake(tx, input) {
        if (!(await isEnabled(input.workspaceId))) return undefined;
        if (input.prompt.includes(REFUSED_WAKE))
          throw new ApiError(409, 'CONFLICT', 'Budget exhausted (fake)');
        await tx.insert(wakes).values({
          workspaceId: input.workspaceId,
          agentId: input.agentId,
          sessionId: input.sessionId ?? null,
          prompt: input.prompt,
          wokenBy: input.wokenBy,
          reason: input.reason as Record<string, unknown>,
        });
        return input.sessionId
          ? { sessionId: input.sessionId, mode: 'resumed' as const }
          : { sessionId: randomUUID(), mode: 'started' as const };
      },
    });
  },
  setup() {
    return {};
  },
});
