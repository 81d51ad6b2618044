/** Reads of objects: by id, by ids, and the filtered, sorted, keyset-paginated list. */
import {
  type Db,
  decodeCursor,
  type ExtensionDatabase,
  isoTimeSql,
  isStorableTime,
  isUuid,
  notFound,
  orm,
  preparedQuery,
  resultRows,
  toPage,
  validationError,
} from '@maskin/contract';
import type { ObjectEdge } from './hooks.ts';
import { objectsTable as o, toObjectJson, type WorkObject } from './table.ts';

const { and, eq, inArray, sql } = orm;

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

function badCursor(message: string) {
  return validationError(`Invalid cursor: ${message}`, [{ path: 'cursor', message }]);
}

/** The one answer for an object that is not there, or not in the caller's workspace. */
export const objectNotFound = (id: string) => notFound(`Object ${id} not found in this workspace`);

const objectById = preparedQuery((db) =>
  db
    .select()
    .from(o)
    .where(and(eq(o.workspaceId, sql.placeholder('workspaceId')), eq(o.id, sql.placeholder('id'))))
    .prepare('objects_by_id'),
);

export async function getObject(db: Db, workspaceId: string, id: string): Promise<WorkObject> {
  const [row] = await objectById(db).execute({ workspaceId, id });
  if (!row) throw objectNotFound(id);
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
 * The JSON of an object as PostgreSQL writes it: the shape of toObjectJson, field for
 * field (objects.test.ts compares the two on the same rows). Reads that return many
 * objects select this text and send it as it is: no row mapping, no Date objects, no
 * JSON.stringify in Node, which were most of a list request's CPU (docs/performance.md).
 */
export const objectJsonSql = `json_build_object(
  'id', o.id, 'type', o.type, 'title', o.title, 'content', o.content, 'status', o.status,
  'metadata', o.metadata, 'driver_id', o.driver_id, 'created_by', o.created_by,
  'created_at', ${isoTimeSql('o.created_at')}, 'updated_at', ${isoTimeSql('o.updated_at')},
  'version', o.version)::text`;

/** The statement of readObjectWithEdges for each set of edge expressions seen. */
const withEdgesStatements = new Map<string, string>();

/**
 * The statement readObjectWithEdges sends for these edge expressions: `$1` the edge
 * limit (only when there are expressions), then the workspace id and the object id.
 * Exported so the plans benchmark explains the route's own statement.
 */
export function withEdgesStatement(edges: string[]): string {
  const key = edges.join('\u0000');
  let text = withEdgesStatements.get(key);
  if (text === undefined) {
    const columns = edges.map((expression, i) => `, (${expression})::text as edges_${i}`).join('');
    // Without edges there is no limit: PostgreSQL refuses a parameter the text never uses.
    const [workspace, id] = edges.length > 0 ? ['$2', '$3'] : ['$1', '$2'];
    // row_to_json as the list writes it (objectColumnsSql): compact, and cheaper for
    // PostgreSQL than json_build_object; the FROM-less inner select reads the row `o`.
    text = `select (select row_to_json(j) from (select ${objectColumnsSql}) j)::text as object, o.version${columns}
  from objects o
 where o.workspace_id = ${workspace} and o.id = ${id}`;
    withEdgesStatements.set(key, text);
  }
  return text;
}

/**
 * An object with the edges the hooks read in the same statement (`edgesSql`: each an
 * expression text over the row `o`, at most `$1` = `limit` edges): the object's JSON
 * text as PostgreSQL wrote it (objectJsonSql), its version, and the edges parsed;
 * undefined when there is no such object. The statement's text is built once per set
 * of expressions (building it through drizzle's builder on every GET was a tenth of
 * the request's CPU) and the driver prepares it once per connection.
 */
export async function readObjectWithEdges(
  database: ExtensionDatabase,
  workspaceId: string,
  id: string,
  limit: number,
  edges: string[],
): Promise<{ objectJson: string; version: number; edges: ObjectEdge[] } | undefined> {
  const params = edges.length > 0 ? [limit, workspaceId, id] : [workspaceId, id];
  const [row] = await database.query<Record<string, string | number>>(withEdgesStatement(edges), params);
  if (!row) return undefined;
  return {
    objectJson: row.object as string,
    version: Number(row.version),
    edges: edges.flatMap((_, i) => {
      const text = row[`edges_${i}`] as string;
      return text === '[]' ? [] : (JSON.parse(text) as ObjectEdge[]);
    }),
  };
}

/**
 * New objects inserted by one statement whose text never changes, whatever their
 * number: the rows travel as one JSON parameter, and each comes back as its response
 * JSON (objectJsonSql), so nothing is built per call. Drizzle's builder spent about
 * 100 µs of CPU per insert building the text of a twelve-column insert with RETURNING,
 * a tenth of a create request (docs/performance.md, "The request path"). The statement is
 * prepared once per connection like every other.
 */
export type NewObjectRow = Pick<
  WorkObject,
  'id' | 'type' | 'title' | 'content' | 'status' | 'metadata' | 'driver_id'
>;

/** The statement insertObjects sends (the load bench's create baseline sends it too). */
export function insertObjectsSql(scope: { workspaceId: string; actorId: string }, rows: NewObjectRow[]) {
  return sql`insert into objects as o
  (id, workspace_id, type, title, content, status, metadata, driver_id, created_by, created_at, updated_at, version)
select x.id, ${scope.workspaceId}::uuid, x.type, x.title, x.content, x.status, x.metadata, x.driver_id,
       ${scope.actorId}::uuid, date_trunc('milliseconds', now()), date_trunc('milliseconds', now()), 1
  from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
       as x(id uuid, type text, title text, content text, status text, metadata jsonb, driver_id uuid)
returning ${sql.raw(objectJsonSql)} as json`;
}

export async function insertObjects(
  tx: Db,
  scope: { workspaceId: string; actorId: string },
  rows: NewObjectRow[],
): Promise<WorkObject[]> {
  const result = await tx.execute(insertObjectsSql(scope, rows));
  return resultRows<{ json: string }>(result).map((row) => JSON.parse(row.json) as WorkObject);
}

const sortColumn = { updated_at: 'o.updated_at', created_at: 'o.created_at', title: 'o.title' } as const;

/**
 * The object's fields as columns named and ordered as its JSON (toObjectJson), times
 * as isoTimeSql writes them, for `row_to_json`. PostgreSQL writes a page's 51 rows this
 * way with about 30% less CPU than one json_build_object per row (pgbench, 4 clients).
 */
const objectColumnsSql = `o.id, o.type, o.title, o.content, o.status, o.metadata, o.driver_id, o.created_by,
       ${isoTimeSql('o.created_at')} as created_at, ${isoTimeSql('o.updated_at')} as updated_at, o.version`;

/**
 * The list statement: one column, each row's JSON. Exported so the benchmark runs the
 * very statement the route runs. `after` continues a page. The page is ordered again
 * outside (51 rows): a subquery's order is what PostgreSQL does, not what it promises.
 * Times sort as their ISO text under the "C" collation, which orders them as times.
 */
export function listStatement(
  workspaceId: string,
  filters: ListFilters,
  after?: { value: string; id: string },
): { text: string; params: unknown[] } {
  const params: unknown[] = [workspaceId];
  const where = ['o.workspace_id = $1'];
  const condition = (sqlOf: (placeholder: string) => string, value: unknown) => {
    params.push(value);
    where.push(sqlOf(`$${params.length}`));
  };
  if (filters.type !== undefined) condition((p) => `o.type = ${p}`, filters.type);
  if (filters.status !== undefined) condition((p) => `o.status = ${p}`, filters.status);
  if (filters.driver !== undefined) condition((p) => `o.driver_id = ${p}::uuid`, filters.driver);
  if (filters.updated_since !== undefined)
    condition((p) => `o.updated_at >= ${p}::timestamptz`, new Date(filters.updated_since).toISOString());
  const column = sortColumn[filters.sort];
  const cast = filters.sort === 'title' ? 'text' : 'timestamptz';
  const before = filters.order === 'desc' ? '<' : '>';
  if (after) {
    params.push(after.value, after.id);
    const [value, id] = [`$${params.length - 1}::${cast}`, `$${params.length}::uuid`];
    // A row comparison, which a btree index on (workspace_id, column, id) takes as its
    // condition: the spelled-out `a < v or (a = v and id < i)` was a filter, so page n
    // read every row of the pages before it (7,973 rows for a page 8,000 rows deep).
    where.push(`(${column}, o.id) ${before} (${value}, ${id})`);
  }
  params.push(filters.limit + 1);
  const outer = filters.sort === 'title' ? 'x.title' : `x.${filters.sort} collate "C"`;
  const text = `select row_to_json(x)::text as json from (
select ${objectColumnsSql}
  from objects o
 where ${where.join(' and ')}
 order by ${column} ${filters.order}, o.id ${filters.order}
 limit $${params.length}) x
 order by ${outer} ${filters.order}, x.id ${filters.order}`;
  return { text, params };
}

/** One page of the list as the response's JSON text (see objectJsonSql). */
export async function listObjectsJson(
  database: ExtensionDatabase,
  workspaceId: string,
  filters: ListFilters,
): Promise<string> {
  let after: { value: string; id: string } | undefined;
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
    after = { value: typed instanceof Date ? typed.toISOString() : typed, id };
  }
  const { text, params } = listStatement(workspaceId, filters, after);
  const rows = await database.query<{ json: string }>(text, params);
  const page = toPage(
    rows,
    filters.limit,
    (row) => row.json,
    // Only the page's last row becomes a cursor: its sort value is in its JSON.
    (row) => {
      const object = JSON.parse(row.json) as WorkObject;
      return [filters.sort, filters.order, object[filters.sort], object.id];
    },
  );
  return `{"items":[${page.items.join(',')}],"next_cursor":${JSON.stringify(page.next_cursor)}}`;
}
