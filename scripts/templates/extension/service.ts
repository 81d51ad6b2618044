/**
 * Template items, the domain logic: plain inputs and a transaction, no HTTP. Every query
 * is scoped by workspace id; every write records its event last, in the same transaction.
 */
import {
  type Db,
  decodeTimeIdCursor,
  type ExtensionEvents,
  orm,
  pg,
  toPage,
  validationError,
} from '@maskin/contract';
import type { TemplateItemsSettings } from './settings.ts';

const { and, desc, eq, lt, or } = orm;

export const items = pg.pgTable('template_items_items', {
  id: pg.uuid('id').primaryKey().defaultRandom(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  title: pg.text('title').notNull(),
  createdBy: pg.uuid('created_by'),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

type Row = typeof items.$inferSelect;

function toJson(row: Row) {
  return {
    id: row.id,
    title: row.title,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
  };
}

export type TemplateItemsItem = ReturnType<typeof toJson>;

export class TemplateItemsService {
  constructor(private readonly events: ExtensionEvents) {}

  async create(
    tx: Db,
    scope: { workspaceId: string; actorId: string; settings: TemplateItemsSettings },
    input: { title: string },
  ) {
    if (input.title.length > scope.settings.max_title_length) {
      throw validationError(`Titles are limited to ${scope.settings.max_title_length} characters here`, [
        { path: 'title', message: 'longer than the max_title_length setting' },
      ]);
    }
    const [row] = await tx
      .insert(items)
      .values({ workspaceId: scope.workspaceId, title: input.title, createdBy: scope.actorId })
      .returning();
    await this.events.record(tx, {
      workspaceId: scope.workspaceId,
      actorId: scope.actorId,
      type: 'template_items_item.created',
      entityType: 'template_items_item',
      entityId: row!.id,
      data: { title: row!.title },
    });
    return toJson(row!);
  }

  async list(db: Db, workspaceId: string, page: { limit: number; cursor?: string }) {
    const conditions = [eq(items.workspaceId, workspaceId)];
    if (page.cursor) {
      const { at, id } = decodeTimeIdCursor(page.cursor);
      conditions.push(or(lt(items.createdAt, at), and(eq(items.createdAt, at), lt(items.id, id)))!);
    }
    const rows = await db
      .select()
      .from(items)
      .where(and(...conditions))
      .orderBy(desc(items.createdAt), desc(items.id))
      .limit(page.limit + 1);
    return toPage(rows, page.limit, toJson, (row) => [row.createdAt.toISOString(), row.id]);
  }
}
