/** The `objects` table (migrations/0001_objects.sql). The generated `search` column is read only by SQL. */
import { pg } from '@maskin/contract';

export const objectsTable = pg.pgTable('objects', {
  id: pg.uuid('id').primaryKey().defaultRandom(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  type: pg.text('type').notNull(),
  title: pg.text('title').notNull(),
  content: pg.text('content').notNull(),
  status: pg.text('status').notNull(),
  metadata: pg.jsonb('metadata').$type<Record<string, unknown>>().notNull(),
  driverId: pg.uuid('driver_id'),
  createdBy: pg.uuid('created_by'),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: pg.timestamp('updated_at', { withTimezone: true }).notNull(),
  version: pg.integer('version').notNull(),
});

export type ObjectRow = typeof objectsTable.$inferSelect;

export function toObjectJson(row: ObjectRow) {
  return {
    id: row.id,
    type: row.type,
    title: row.title,
    content: row.content,
    status: row.status,
    metadata: row.metadata,
    driver_id: row.driverId,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    version: row.version,
  };
}

export type WorkObject = ReturnType<typeof toObjectJson>;
