/** The `files` table (migrations/0001_files.sql) and its JSON shape. */
import { pg } from '@maskin/contract';

export const filesTable = pg.pgTable('files', {
  id: pg.uuid('id').primaryKey(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  name: pg.text('name').notNull(),
  contentType: pg.text('content_type').notNull(),
  declaredType: pg.text('declared_type'),
  size: pg.bigint('size', { mode: 'number' }).notNull(),
  sha256: pg.text('sha256').notNull(),
  objectId: pg.uuid('object_id'),
  createdBy: pg.uuid('created_by'),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull(),
});

export type FileRow = typeof filesTable.$inferSelect;

export function toFileJson(row: FileRow) {
  return {
    id: row.id,
    name: row.name,
    content_type: row.contentType,
    declared_type: row.declaredType,
    size: row.size,
    sha256: row.sha256,
    object_id: row.objectId,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
  };
}

export type FileRecord = ReturnType<typeof toFileJson>;
