/**
 * The condition that continues a keyset page: the rows after the cursor's (time, id) in
 * a page ordered by both in one direction (`order by time desc, id desc`).
 *
 * Written as a row comparison, `(time, id) < (at, id)`, because a btree index on
 * (..., time, id) takes that as its condition and starts reading where the page
 * continues. The equivalent `time < at or (time = at and id < id)` is only a filter:
 * page n then reads every row of the pages before it. Both columns must be not null
 * (a row comparison and the spelled-out form differ only for nulls).
 */
import { type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

export function afterTimeId(
  order: 'desc' | 'asc',
  columns: { time: PgColumn; id: PgColumn },
  cursor: { at: Date; id: string },
): SQL {
  const operator = sql.raw(order === 'desc' ? '<' : '>');
  // Bound through the columns' own encoders, as lt(column, value) binds them.
  const at = sql.param(cursor.at, columns.time);
  const id = sql.param(cursor.id, columns.id);
  return sql`(${columns.time}, ${columns.id}) ${operator} (${at}, ${id})`;
}
