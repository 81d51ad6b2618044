/** The drizzle view of triggers' tables (migrations/0001_triggers.sql). */
import { pg } from '@maskin/contract';
import type { TriggerAction, TriggerConfig, TriggerType } from './definition.ts';

export const triggers = pg.pgTable('triggers', {
  id: pg.uuid('id').primaryKey().defaultRandom(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  name: pg.text('name').notNull(),
  type: pg.text('type').$type<TriggerType>().notNull(),
  config: pg.jsonb('config').$type<TriggerConfig>().notNull(),
  action: pg.jsonb('action').$type<TriggerAction>().notNull(),
  enabled: pg.boolean('enabled').notNull(),
  disabledReason: pg.text('disabled_reason'),
  maxFiresPerHour: pg.integer('max_fires_per_hour').notNull(),
  consecutiveFailures: pg.integer('consecutive_failures').notNull(),
  backoffUntil: pg.timestamp('backoff_until', { withTimezone: true }),
  nextJobId: pg.uuid('next_job_id'),
  nextRunAt: pg.timestamp('next_run_at', { withTimezone: true }),
  lastFiredAt: pg.timestamp('last_fired_at', { withTimezone: true }),
  createdBy: pg.uuid('created_by').notNull(),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: pg.timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export type RunStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export const runs = pg.pgTable('triggers_runs', {
  id: pg.uuid('id').primaryKey().defaultRandom(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  triggerId: pg.uuid('trigger_id').notNull(),
  fireKey: pg.text('fire_key').notNull(),
  status: pg.text('status').$type<RunStatus>().notNull(),
  reason: pg.text('reason'),
  eventId: pg.bigint('event_id', { mode: 'number' }),
  scheduledFor: pg.timestamp('scheduled_for', { withTimezone: true }),
  action: pg.jsonb('action').$type<TriggerAction>(),
  sessionId: pg.uuid('session_id'),
  result: pg.jsonb('result').$type<{ status: number; body: unknown }>(),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: pg.timestamp('finished_at', { withTimezone: true }),
});

export type TriggerRow = typeof triggers.$inferSelect;
export type RunRow = typeof runs.$inferSelect;
