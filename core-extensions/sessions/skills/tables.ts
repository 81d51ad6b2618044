/** The skills tables (migrations/0002_skills.sql). */
import { pg } from '@maskin/contract';
import type { StoredSkillFile } from './skill-files.ts';

export const skillsTable = pg.pgTable('sessions_skills', {
  id: pg.uuid('id').primaryKey().defaultRandom(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  name: pg.text('name').notNull(),
  description: pg.text('description').notNull(),
  latestVersion: pg.integer('latest_version').notNull(),
  createdBy: pg.uuid('created_by'),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: pg.timestamp('updated_at', { withTimezone: true }).notNull(),
});

export const skillVersionsTable = pg.pgTable('sessions_skill_versions', {
  workspaceId: pg.uuid('workspace_id').notNull(),
  skillId: pg.uuid('skill_id').notNull(),
  version: pg.integer('version').notNull(),
  description: pg.text('description').notNull(),
  content: pg.text('content').notNull(),
  files: pg.jsonb('files').$type<StoredSkillFile[]>().notNull(),
  sizeBytes: pg.integer('size_bytes').notNull(),
  createdBy: pg.uuid('created_by'),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull(),
});

export const skillAttachmentsTable = pg.pgTable('sessions_skill_attachments', {
  workspaceId: pg.uuid('workspace_id').notNull(),
  actorId: pg.uuid('actor_id').notNull(),
  skillId: pg.uuid('skill_id').notNull(),
  pinnedVersion: pg.integer('pinned_version'),
  createdBy: pg.uuid('created_by'),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull(),
});

export type SkillRow = typeof skillsTable.$inferSelect;
export type SkillVersionRow = typeof skillVersionsTable.$inferSelect;
export type SkillAttachmentRow = typeof skillAttachmentsTable.$inferSelect;
