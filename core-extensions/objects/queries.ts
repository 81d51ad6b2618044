/** Reads of objects: by id, by ids, and the filtered, sorted, keyset-paginated list. */
import {
  type Db,
  decodeCursor,
  isStorableTime,
  isUuid,
  notFound,
  orm,
  preparedQuery,
  toPage,
  validationError,
} from '@maskin/contract';
import { type ObjectRow, objectsTable as o, toObjectJson, type WorkObject } from './table.ts';

const { and, asc, desc, eq, gt, gte, inArray, lt, or, sql } = orm;

export const sortKeys = ['updated_at', 'created_at', 'title'] as const;
export type SortKey = (typeof sortKeys)[number];

export interface ListFilters {
  type?: string;
  status?: string;
  driver?: string;
  updated_since?: string;
  sort: SortKey;
  order: 'asc' | 'desc';
  limit: number;
  cursor?: string;
}

const columnOf = { updated_at: o.updatedAt, created_at: o.createdAt, title: o.title } as const;

function sortValue(row: ObjectRow, sort: SortKey): string {
  return sort === 'title' ? row.title : (sort === 'created_at' ? row.createdAt : row.updatedAt).toISOString();
}

function badCursor(message: string) {
  return validationError(`Invalid cursor: ${message}`, [{ path: 'cursor', message }]);
}

const objectById = preparedQuery((db) =>
  db
    .select()
    .from(o)
    .where(and(eq(o.workspaceId, sql.placeholder('workspaceId')), eq(o.id, sql.placeholder('id'))))
    .prepare('objects_by_id'),
);

export async function getObject(db: Db, workspaceId: string, id: string): Promise<WorkObject> {
  const [row] = await objectById(db).execute({ workspaceId, id });
  if (!row) throw notFound(`Object ${id} not found in this workspace`);
  return toObjectJson(row);
}

export async function getObjects(db: Db, workspaceId: string, ids: string[]): Promise<WorkObject[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select()
    .from(o)
    .where(and(eq(o.workspaceId, workspaceId), inArray(o.id, ids)));
  return rows.map(toObjectJson);
}

/** The subset of `ids` that are objects of this workspace. */
export async function existingObjectIds(db: Db, workspaceId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: o.id })
    .from(o)
    .where(and(eq(o.workspaceId, workspaceId), inArray(o.id, ids)));
  return new Set(rows.map((row) => row.id));
}

/**
 * The list statement of one filter shape (which filters are set, sort, order, and
 * whether a cursor continues a page), built once: the values are placeholders.
 */
const listQueries = new Map<string, ReturnType<typeof listQueryOf>>();

function listQueryOf(filters: ListFilters, continued: boolean) {
  const p = sql.placeholder;
  return preparedQuery((db) => {
    const conditions = [eq(o.workspaceId, p('workspaceId'))];
    if (filters.type !== undefined) conditions.push(eq(o.type, p('type')));
    if (filters.status !== undefined) conditions.push(eq(o.status, p('status')));
    if (filters.driver !== undefined) conditions.push(eq(o.driverId, p('driver')));
    if (filters.updated_since !== undefined) conditions.push(gte(o.updatedAt, p('updatedSince')));
    const column = columnOf[filters.sort];
    if (continued) {
      const before = filters.order === 'desc' ? lt : gt;
      conditions.push(
        or(before(column, p('afterValue')), and(eq(column, p('afterValue')), before(o.id, p('afterId'))))!,
      );
    }
    const direction = filters.order === 'desc' ? desc : asc;
    return db
      .select()
      .from(o)
      .where(and(...conditions))
      .orderBy(direction(column), direction(o.id))
      .limit(p('limit'))
      .prepare('objects_list');
  });
}

function listQueryFor(filters: ListFilters, continued: boolean) {
  const shape = [
    filters.type !== undefined,
    filters.status !== undefined,
    filters.driver !== undefined,
    filters.updated_since !== undefined,
    filters.sort,
    filters.order,
    continued,
  ].join();
  let query = listQueries.get(shape);
  if (query === undefined) {
    query = listQueryOf(filters, continued);
    listQueries.set(shape, query);
  }
  return query;
}

export async function listObjects(db: Db, workspaceId: string, filters: ListFilters) {
  let after: { afterValue: string; afterId: string } | undefined;
  if (filters.cursor) {
    const [sort, order, value, id] = decodeCursor(filters.cursor, 4).map(String) as [
      string,
      string,
      string,
      string,
    ];
    if (sort !== filters.sort || order !== filters.order) {
      throw badCursor('it belongs to another sort order; send the same sort and order as the first page');
    }
    const typed: string | Date = sort === 'title' ? value : new Date(value);
    if (typed instanceof Date && !isStorableTime(typed.getTime())) throw badCursor('malformed');
    if (!isUuid(id)) throw badCursor('malformed');
    // Placeholder values reach the driver as they are (no column mapping): times as ISO text.
    after = { afterValue: typed instanceof Date ? typed.toISOString() : typed, afterId: id };
  }
  const rows = await listQueryFor(
    filters,
    after !== undefined,
  )(db).execute({
    workspaceId,
    type: filters.type,
    status: filters.status,
    driver: filters.driver,
    updatedSince:
      filters.updated_since === undefined ? undefined : new Date(filters.updated_since).toISOString(),
    ...after,
    limit: filters.limit + 1,
  });
  return toPage(rows, filters.limit, toObjectJson, (row) => [
    filters.sort,
    filters.order,
    sortValue(row, filters.sort),
    row.id,
  ]);
}
