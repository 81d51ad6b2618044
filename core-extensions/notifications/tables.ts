/** The drizzle view of notifications' tables (migrations/0001_notifications.sql, 0002_channel_preferences.sql). */
import { pg } from '@maskin/contract';

export const notificationsTable = pg.pgTable('notifications', {
  id: pg.uuid('id').primaryKey().defaultRandom(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  type: pg.text('type').notNull(),
  status: pg.text('status').notNull(),
  targetActorId: pg.uuid('target_actor_id').notNull(),
  sourceActorId: pg.uuid('source_actor_id'),
  title: pg.text('title').notNull(),
  content: pg.text('content').notNull(),
  objectId: pg.uuid('object_id'),
  metadata: pg.jsonb('metadata').$type<Record<string, unknown>>().notNull(),
  answer: pg.jsonb('answer').$type<Record<string, unknown>>(),
  answeredBy: pg.uuid('answered_by'),
  answeredAt: pg.timestamp('answered_at', { withTimezone: true }),
  seenAt: pg.timestamp('seen_at', { withTimezone: true }),
  emailedAt: pg.timestamp('emailed_at', { withTimezone: true }),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: pg.timestamp('updated_at', { withTimezone: true }).notNull(),
});

export const preferencesTable = pg.pgTable(
  'notifications_preferences',
  {
    workspaceId: pg.uuid('workspace_id').notNull(),
    actorId: pg.uuid('actor_id').notNull(),
    emailTypes: pg.text('email_types').array().notNull(),
    digest: pg.text('digest').notNull(),
    channelTypes: pg.jsonb('channel_types').$type<Record<string, string[]>>().notNull().default({}),
    lastDigestAt: pg.timestamp('last_digest_at', { withTimezone: true }),
    updatedAt: pg.timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (table) => [pg.primaryKey({ columns: [table.workspaceId, table.actorId] })],
);

export type NotificationRow = typeof notificationsTable.$inferSelect;

export function toNotificationJson(row: NotificationRow) {
  return {
    id: row.id,
    type: row.type as 'needs_input' | 'recommendation' | 'good_news' | 'alert',
    status: row.status as 'pending' | 'seen' | 'resolved' | 'dismissed',
    target_actor_id: row.targetActorId,
    source_actor_id: row.sourceActorId,
    title: row.title,
    content: row.content,
    object_id: row.objectId,
    metadata: row.metadata,
    answer: row.answer,
    answered_by: row.answeredBy,
    answered_at: row.answeredAt?.toISOString() ?? null,
    seen_at: row.seenAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export type NotificationJson = ReturnType<typeof toNotificationJson>;
