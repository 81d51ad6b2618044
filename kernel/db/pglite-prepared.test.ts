/**
 * Named prepared statements on PGlite (pglite-prepared.ts) must answer exactly as
 * PGlite's own query() does, while PostgreSQL parses each text once: same rows and
 * fields for every kind of parameter and result, same errors, statements kept across
 * a rolled-back transaction, and no more than `capacity` of them held.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from './database.ts';
import { preparedStatements } from './pglite-prepared.ts';

let pg: PGlite;
let prepared: ReturnType<typeof preparedStatements>;

beforeAll(async () => {
  pg = await PGlite.create();
  prepared = preparedStatements(pg, 3);
  await pg.exec(`create table things (id int primary key, name text not null, at timestamptz, tags jsonb)`);
});
afterAll(async () => {
  await pg.close();
});

const held = async () =>
  (
    await pg.query<{ name: string; statement: string }>(
      `select name, statement from pg_prepared_statements where name like 'maskin_%' order by name`,
    )
  ).rows;

describe('preparedStatements', () => {
  it('answers as query() does, for parameters and results of every kind', async () => {
    const insert = 'insert into things (id, name, at, tags) values ($1, $2, $3, $4) returning *';
    const values = [
      [1, "O'Brien; drop table things", new Date('2026-12-07T06:05:50.123Z'), { a: [1, 'x'] }],
      [2, 'ünïcode 🚀', null, null],
    ];
    for (const params of values) {
      const mine = await prepared(insert, params, undefined, false);
      await pg.query('delete from things where id = $1', [params[0]]);
      const theirs = await pg.query(insert, params);
      expect(mine.rows).toEqual(theirs.rows);
      expect(mine.fields).toEqual(theirs.fields);
      expect(mine.affectedRows).toBe(theirs.affectedRows);
    }
    const select = 'select id, name, at, tags from things where id = any($1::int[]) order by id';
    const asArrays = { rowMode: 'array' as const };
    expect(await prepared(select, [[1, 2]], asArrays, false)).toEqual(
      await pg.query(select, [[1, 2]], asArrays),
    );
    expect((await prepared('select 1 as one', [], undefined, false)).rows).toEqual([{ one: 1 }]);
  });

  it('parses a text once and then runs it by name', async () => {
    await pg.exec('deallocate all');
    const text = 'select name from things where id = $1';
    for (let i = 0; i < 5; i++) await prepared(text, [1], undefined, false);
    // The map still names the deallocated statements of the first test: they are
    // prepared again on their next use (see the last test); this text is prepared once.
    expect((await held()).filter((row) => row.statement === text)).toHaveLength(1);
  });

  it('fails as query() fails, and the statement goes on working', async () => {
    const text = 'insert into things (id, name) values ($1, $2)';
    const error = await prepared(text, [1, 'again'], undefined, false).catch((e) => e);
    const theirs = await pg.query(text, [1, 'again']).catch((e) => e);
    expect(error.code).toBe('23505');
    expect(error.message).toBe(theirs.message);
    expect(error.query).toBe(text);
    expect(await prepared('select nonsense from', [], undefined, false).catch((e) => e.code)).toBe('42601');
    expect((await prepared(text, [9, 'fine'], undefined, false)).affectedRows).toBe(1);
  });

  it('keeps its statements through a rolled-back transaction', async () => {
    const text = 'select count(*)::int as n from things';
    await pg
      .transaction(async () => {
        expect((await prepared(text, [], undefined, true)).rows).toEqual([{ n: 3 }]);
        await prepared('insert into things (id, name) values ($1, $2)', [10, 'rolled back'], undefined, true);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect((await prepared(text, [], undefined, false)).rows).toEqual([{ n: 3 }]);
  });

  it('holds at most its capacity, closing the least recently used', async () => {
    await pg.exec('deallocate all');
    const texts = [1, 2, 3, 4, 5].map((n) => `select ${n} as n`);
    for (const text of texts) expect((await prepared(text, [], undefined, false)).rows).toHaveLength(1);
    const names = await held();
    expect(names.length).toBeLessThanOrEqual(3);
    expect(names.map((row) => row.statement)).toEqual(expect.arrayContaining(texts.slice(2)));
    // An evicted text is prepared again when it comes back, and so is one dropped by
    // DEALLOCATE behind its back.
    expect((await prepared(texts[0]!, [], undefined, false)).rows).toEqual([{ n: 1 }]);
    await pg.exec('deallocate all');
    expect((await prepared(texts[4]!, [], undefined, false)).rows).toEqual([{ n: 5 }]);
  });

  it('refuses on a closed instance with the error of PGlite itself', async () => {
    const other = await PGlite.create();
    const mine = preparedStatements(other);
    expect((await mine('select 1 as one', [], undefined, false)).rows).toEqual([{ one: 1 }]);
    await other.close();
    const error = await mine('select 1 as one', [], undefined, false).catch((e) => e);
    const theirs = await other.query('select 1 as one').catch((e) => e);
    expect(error.message).toBe(theirs.message);
  });
});

describe('the embedded database (database.ts) with prepared statements', () => {
  it('refuses a statement on a transaction that has ended, instead of running it alone', async () => {
    const database = await openPglite({});
    try {
      let ended: Parameters<Parameters<typeof database.scriptTransaction>[0]>[0] | undefined;
      await database.scriptTransaction(async (tx) => {
        expect(await tx.query('select 1 as one')).toEqual([{ one: 1 }]);
        ended = tx;
      });
      await expect(ended!.query('select 1 as one')).rejects.toThrow('Transaction is closed');
    } finally {
      await database.close();
    }
  });
});
