/** The `relationships` table (migrations/0001_relationships.sql). */
import { pg } from '@maskin/contract';

export const relationshipsTable = pg.pgTable('relationships', {
  id: pg.uuid('id').primaryKey().defaultRandom(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  type: pg.text('type').notNull(),
  sourceId: pg.uuid('source_id').notNull(),
  targetId: pg.uuid('target_id').notNull(),
  createdBy: pg.uuid('created_by'),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull(),
});

export type RelationshipRow = typeof relationshipsTable.$inferSelect;

export function toRelationshipJson(row: RelationshipRow) {
  return {
    id: row.id,
    type: row.type,
    source_id: row.sourceId,
    target_id: row.targetId,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
  };
}

export type Relationship = ReturnType<typeof toRelationshipJson>;
