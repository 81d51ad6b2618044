/**
 * A drizzle query built once per database handle instead of on every call.
 *
 * Drizzle turns a query builder into SQL text on every execution (walking its columns
 * and conditions), and under load that was the largest single cost of a read: 18% of
 * the server's CPU on `GET /api/objects/:id`. A query written with placeholders and
 * `.prepare(name)` is built once; `preparedQuery` keeps it per handle. The pool's
 * handle (`database.db`, what reads use) lives as long as the process, so its query is
 * built at first use and reused; a transaction's handle is new per transaction and
 * gets its own, which costs what an unprepared query costs.
 *
 *     const byId = preparedQuery((db) =>
 *       db.select().from(items)
 *         .where(and(eq(items.workspaceId, sql.placeholder('workspaceId')), eq(items.id, sql.placeholder('id'))))
 *         .prepare('items_by_id'),
 *     );
 *     const [row] = await byId(db).execute({ workspaceId, id });
 *
 * Placeholder values go to the driver as given, without the column's mapping: pass a
 * time as ISO text (`date.toISOString()`), not a Date (postgres.js would reject it).
 *
 * Whether the database prepares the statement too (named, parsed once per connection)
 * is the installation's choice (DATABASE_PREPARE), not this helper's.
 */
import type { Db } from '../db/database.ts';

export function preparedQuery<Query>(build: (db: Db) => Query): (db: Db) => Query {
  const built = new WeakMap<Db, Query>();
  return (db) => {
    let query = built.get(db);
    if (query === undefined) {
      query = build(db);
      built.set(db, query);
    }
    return query;
  };
}
