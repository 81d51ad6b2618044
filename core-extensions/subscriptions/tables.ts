/** The drizzle view of the subscriptions table (migrations/0001_subscriptions.sql). */
import { pg } from '@maskin/contract';

export const subscriptionsTable = pg.pgTable('subscriptions', {
  id: pg.uuid('id').primaryKey().defaultRandom(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  actorId: pg.uuid('actor_id').notNull(),
  kind: pg.text('kind').notNull(),
  target: pg.text('target').notNull(),
  reason: pg.text('reason').notNull(),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull(),
});

export type SubscriptionRow = typeof subscriptionsTable.$inferSelect;

export const toSubscriptionJson = (row: SubscriptionRow) => ({
  id: row.id,
  actor_id: row.actorId,
  kind: row.kind as 'object' | 'object_type' | 'event_type',
  target: row.target,
  reason: row.reason as 'manual' | 'creator' | 'driver',
  created_at: row.createdAt.toISOString(),
});
