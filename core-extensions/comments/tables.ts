/** The drizzle view of the comments table (migrations/0001_comments.sql). */
import { pg } from '@maskin/contract';

export const commentsTable = pg.pgTable('comments', {
  id: pg.uuid('id').primaryKey().defaultRandom(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  objectId: pg.uuid('object_id').notNull(),
  parentId: pg.uuid('parent_id'),
  authorId: pg.uuid('author_id'),
  body: pg.text('body').notNull(),
  mentions: pg.uuid('mentions').array().notNull(),
  editedAt: pg.timestamp('edited_at', { withTimezone: true }),
  deletedAt: pg.timestamp('deleted_at', { withTimezone: true }),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull(),
});

export type CommentRow = typeof commentsTable.$inferSelect;

export const toCommentJson = (row: CommentRow) => ({
  id: row.id,
  object_id: row.objectId,
  parent_id: row.parentId,
  author_id: row.authorId,
  body: row.body,
  mentions: row.mentions,
  edited_at: row.editedAt?.toISOString() ?? null,
  deleted: row.deletedAt !== null,
  created_at: row.createdAt.toISOString(),
});
