/**
 * On PostgreSQL every query runs as a named prepared statement (kernel/db/database.ts,
 * preparingClient), in and out of transactions, unless DATABASE_PREPARE=false (for
 * transaction-pooling proxies). A pool of one connection makes pg_prepared_statements,
 * which is per connection, show exactly what the pool prepared. PostgreSQL only: PGlite
 * is an in-process database with no statement cache to observe.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../kernel/config.ts';
import { type Database, openPostgres } from '../../kernel/db/database.ts';
import { createPostgresDatabase, usingPostgres } from '../helpers/test-database.ts';

const HOT = 'select $1::int + 1 as answer';

describe.skipIf(!usingPostgres())('prepared statements on PostgreSQL', () => {
  let created: { url: string; drop: () => Promise<void> };
  beforeAll(async () => {
    created = await createPostgresDatabase();
  });
  afterAll(() => created?.drop());

  async function preparedAfterWork(database: Database): Promise<string[]> {
    await database.query(HOT, [1]);
    await database.db.execute(sql`select ${2}::int * 2 as drizzle_outside`);
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`select ${3}::int * 3 as drizzle_inside`);
      await tx.transaction(async (savepoint) => {
        await savepoint.execute(sql`select ${4}::int * 4 as drizzle_savepoint`);
      });
    });
    const rows = await database.query<{ statement: string }>('select statement from pg_prepared_statements');
    return rows.map((row) => row.statement);
  }

  it('prepares raw and drizzle queries, inside transactions and savepoints', async () => {
    const database = await openPostgres(created.url, 1);
    try {
      const statements = (await preparedAfterWork(database)).join('\n');
      expect(statements).toContain(HOT);
      for (const marker of ['drizzle_outside', 'drizzle_inside', 'drizzle_savepoint']) {
        expect(statements).toContain(marker);
      }
    } finally {
      await database.close();
    }
  });

  it('prepares nothing with DATABASE_PREPARE=false', async () => {
    const config = loadConfig({ DATABASE_PREPARE: 'false' });
    expect(config.databasePrepare).toBe(false);
    const database = await openPostgres(created.url, 1, { prepare: config.databasePrepare });
    try {
      expect(await preparedAfterWork(database)).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
