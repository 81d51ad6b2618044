/** The `objects_links` table (migrations/0002_objects_links.sql) and its wire shape. */
import { pg } from '@maskin/contract';

export const objectLinksTable = pg.pgTable('objects_links', {
  id: pg.uuid('id').primaryKey().defaultRandom(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  objectId: pg.uuid('object_id').notNull(),
  extensionId: pg.text('extension_id').notNull(),
  recordType: pg.text('record_type').notNull(),
  recordId: pg.text('record_id').notNull(),
  createdBy: pg.uuid('created_by'),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull(),
});

export type ObjectLinkRow = typeof objectLinksTable.$inferSelect;

export function toObjectLinkJson(row: ObjectLinkRow) {
  return {
    id: row.id,
    object_id: row.objectId,
    extension_id: row.extensionId,
    record_type: row.recordType,
    record_id: row.recordId,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
  };
}

/** A record of another extension attached to an object. */
export type ObjectLink = ReturnType<typeof toObjectLinkJson>;
