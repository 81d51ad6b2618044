/**
 * The embedded database runs statements in this thread; between them the event loop
 * must come round to I/O now and then (database.ts, embeddedClient), or a busy server
 * accepts new connections one per round of every request in flight (docs/performance.md,
 * "New connections to a saturated server"). A callback queued for the check phase while
 * statements wait must run before the last of them, not after all of them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Database, openPglite, STATEMENTS_PER_TURN } from './database.ts';

let database: Database | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
});

describe('PGlite statements take turns with the event loop', () => {
  it('lets a waiting callback run between queued statements', async () => {
    database = await openPglite({});
    const order: string[] = [];
    // Enough statements for the loop to come round between them (every STATEMENTS_PER_TURN).
    const statements = Array.from({ length: STATEMENTS_PER_TURN + 2 }, (_, i) =>
      database!.query('select $1::int as n', [i]).then(() => order.push(`statement ${i}`)),
    );
    setImmediate(() => order.push('event loop'));
    await Promise.all(statements);
    expect(order).toHaveLength(STATEMENTS_PER_TURN + 3);
    expect(order.indexOf('event loop')).toBeLessThan(order.length - 1);
  });

  it('keeps transactions whole and in arrival order', async () => {
    database = await openPglite({});
    await database.query('create table turns (n int, at serial)');
    const writers = Array.from({ length: 5 }, (_, i) =>
      database!.db.transaction(async (tx) => {
        await tx.execute(`insert into turns (n) values (${i})`);
        await tx.execute(`insert into turns (n) values (${i})`);
      }),
    );
    await Promise.all(writers);
    const rows = await database.query<{ n: number }>('select n from turns order by at');
    expect(rows.map((row) => row.n)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
  });
});
