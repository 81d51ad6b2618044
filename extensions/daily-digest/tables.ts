/** The drizzle view of daily-digest's own tables (migrations/0001_daily_digest.sql). */
import { pg } from '@maskin/contract';

export interface Recipient {
  id: string;
  name: string;
  role: string;
}

export const digests = pg.pgTable('daily_digest', {
  id: pg.uuid('id').primaryKey().defaultRandom(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  jobId: pg.uuid('job_id').notNull(),
  itemCount: pg.integer('item_count').notNull(),
  recipients: pg.jsonb('recipients').$type<Recipient[]>().notNull(),
  insightId: pg.uuid('insight_id'),
  deliveredAt: pg.timestamp('delivered_at', { withTimezone: true }),
  acknowledgedAt: pg.timestamp('acknowledged_at', { withTimezone: true }),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const items = pg.pgTable('daily_digest_items', {
  id: pg.uuid('id').primaryKey().defaultRandom(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  eventId: pg.bigint('event_id', { mode: 'number' }).notNull(),
  eventType: pg.text('event_type').notNull(),
  objectId: pg.uuid('object_id').notNull(),
  summary: pg.text('summary').notNull(),
  digestId: pg.uuid('digest_id'),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const schedules = pg.pgTable('daily_digest_schedules', {
  workspaceId: pg.uuid('workspace_id').primaryKey(),
  jobId: pg.uuid('job_id').notNull(),
  runAt: pg.timestamp('run_at', { withTimezone: true }).notNull(),
});

export const progressLines = pg.pgTable('daily_digest_progress', {
  scope: pg.text('scope').notNull(),
  id: pg.bigint('id', { mode: 'number' }).notNull(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  jobId: pg.uuid('job_id').notNull(),
  text: pg.text('text').notNull(),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export type DigestRow = typeof digests.$inferSelect;
export type ItemRow = typeof items.$inferSelect;
export type ProgressLine = typeof progressLines.$inferSelect;
