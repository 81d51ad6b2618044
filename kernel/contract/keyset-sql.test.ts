import { PgDialect, pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { afterTimeId } from './keyset-sql.ts';

const things = pgTable('things', {
  id: uuid('id').primaryKey(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});
const dialect = new PgDialect();
const columns = { time: things.createdAt, id: things.id };
const cursor = { at: new Date('2026-01-02T03:04:05.678Z'), id: '00000000-0000-4000-8000-000000000001' };

describe('afterTimeId', () => {
  it('is one row comparison, in the direction of the page, bound as the columns bind', () => {
    const newest = dialect.sqlToQuery(afterTimeId('desc', columns, cursor));
    expect(newest.sql).toBe('("things"."created_at", "things"."id") < ($1, $2)');
    // The timestamp column's encoder writes the Date as text, as lt(column, date) would.
    expect(newest.params).toEqual(['2026-01-02T03:04:05.678Z', cursor.id]);
    expect(dialect.sqlToQuery(afterTimeId('asc', columns, cursor)).sql).toBe(
      '("things"."created_at", "things"."id") > ($1, $2)',
    );
  });
});
