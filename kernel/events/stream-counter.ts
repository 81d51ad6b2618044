/**
 * Commit-ordered ids for extension streams: a counter row per scope in the extension's
 * own table, the same scheme as the event log's `event_sequences` (record-event.ts).
 *
 * `nextStreamId` increments the scope's row; the row lock is held until the caller's
 * transaction ends, so a second writer of the scope waits and then takes the next id,
 * and ids become visible in exactly commit order. The `pg_notify` in the same statement
 * is delivered on commit and dropped on rollback, so a stream is woken only for ids that
 * exist. Because the counter commits together with the rows, its committed `last_id`
 * is the latest committed id of the scope, which is what the stream hub needs as the
 * starting point of a new scope.
 */
import { sql } from 'drizzle-orm';
import { type Db, resultRows } from '../db/database.ts';

const IDENTIFIER = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

/** Checks a counter table name once, at stream creation, so no query ever interpolates junk. */
export function assertCounterTable(name: string): void {
  if (!IDENTIFIER.test(name)) {
    throw new Error(
      `Stream counter table "${name}" must be a lowercase SQL identifier, optionally schema-qualified (schema.table)`,
    );
  }
}

const tableOf = (name: string) =>
  sql.join(
    name.split('.').map((part) => sql.identifier(part)),
    sql`.`,
  );

export async function nextStreamId(
  tx: Db,
  counterTable: string,
  channel: string,
  scope: string,
): Promise<number> {
  const table = tableOf(counterTable);
  const [row] = resultRows<{ last_id: string | number }>(
    await tx.execute(sql`
      with next_id as (
        insert into ${table} (scope, last_id) values (${scope}, 1)
        on conflict (scope) do update set last_id = ${table}.last_id + 1
        returning last_id
      )
      select last_id, pg_notify(${channel}, ${scope} || ':' || last_id) from next_id`),
  );
  return Number(row!.last_id);
}

export async function latestStreamId(db: Db, counterTable: string, scope: string): Promise<number> {
  const [row] = resultRows<{ last_id: string | number }>(
    await db.execute(sql`select last_id from ${tableOf(counterTable)} where scope = ${scope}`),
  );
  return row ? Number(row.last_id) : 0;
}
