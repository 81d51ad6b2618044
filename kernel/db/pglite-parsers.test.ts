/**
 * Folding drizzle's identity parsers into PGlite's table (pglite-parsers.ts) must not
 * change how any statement's results are parsed: statements with those parsers get
 * text, statements without get PGlite's own parsing, also while they overlap inside one
 * transaction, and the instance's table is the original again afterwards.
 */
import { PGlite, types } from '@electric-sql/pglite';
import { PglitePreparedQuery } from 'drizzle-orm/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedParserTables } from './pglite-parsers.ts';

// What drizzle-orm/pglite passes with every statement (its session.js).
const drizzleOptions = () => ({
  rowMode: 'object',
  parsers: {
    [types.TIMESTAMP]: (value: string) => value,
    [types.TIMESTAMPTZ]: (value: string) => value,
    [types.INTERVAL]: (value: string) => value,
    [types.DATE]: (value: string) => value,
  },
});

const AT = `select '2026-12-07 06:05:50.123+00'::timestamptz as at, '1 day'::interval as span, 7 as n`;

let pg: PGlite;
let run: ReturnType<typeof sharedParserTables>;
let original: unknown;

beforeAll(async () => {
  pg = await PGlite.create();
  original = (pg as unknown as { parsers: unknown }).parsers;
  run = sharedParserTables(pg);
});
afterAll(async () => {
  await pg.close();
});

type Row = { at: unknown; span: unknown; n: unknown };
const rowOf = async (options: Record<string, unknown> | undefined, client: Pick<PGlite, 'query'> = pg) =>
  (await run(options, (folded) => client.query<Row>(AT, [], folded))).rows[0]!;

describe('PGlite result parsers folded into its table', () => {
  it('gives drizzle text and everyone else PGlite parsing, as before', async () => {
    const folded = await rowOf(drizzleOptions());
    const plain = await rowOf(undefined);
    const direct = (await pg.query<Row>(AT)).rows[0]!;
    expect(folded.at).toBe('2026-12-07 06:05:50.123+00');
    expect(folded.span).toBe('1 day');
    expect(folded.n).toBe(7);
    expect(plain).toEqual(direct);
    expect(plain.at).toBeInstanceOf(Date);
    expect((pg as unknown as { parsers: unknown }).parsers).toBe(original);
  });

  it('keeps both right when they overlap inside one transaction', async () => {
    const rows = await pg.transaction(async (tx) =>
      Promise.all([
        rowOf(drizzleOptions(), tx),
        rowOf(undefined, tx),
        rowOf(drizzleOptions(), tx),
        rowOf({ parsers: { [types.INT4]: () => 'seven' } }, tx),
      ]),
    );
    expect(rows[0]!.at).toBe('2026-12-07 06:05:50.123+00');
    expect(rows[1]!.at).toBeInstanceOf(Date);
    expect(rows[2]!.span).toBe('1 day');
    expect(rows[3]!.n).toBe('seven');
    expect(rows[3]!.at).toBeInstanceOf(Date);
    expect((pg as unknown as { parsers: unknown }).parsers).toBe(original);
  });

  it('restores the table when a statement fails', async () => {
    await expect(
      run(drizzleOptions(), (folded) => pg.query('select nonsense', [], folded)),
    ).rejects.toThrow();
    expect((pg as unknown as { parsers: unknown }).parsers).toBe(original);
  });

  it('reads the sources of one parsers object once, however many statements bring it', async () => {
    let read = 0;
    const identity = (value: string) => value;
    identity.toString = () => {
      read++;
      return '(value) => value';
    };
    const shared = {
      rowMode: 'object',
      parsers: { [types.TIMESTAMPTZ]: identity, [types.INTERVAL]: identity },
    };
    for (let i = 0; i < 3; i++) expect((await rowOf(shared)).at).toBe('2026-12-07 06:05:50.123+00');
    expect(read).toBe(2);
  });
});

describe("drizzle's PGlite session (patches/drizzle-orm+0.45.4.patch)", () => {
  it('hands every statement the same options, so their parsers are judged once', async () => {
    const given: unknown[] = [];
    const client = {
      query: async (_text: string, _params: unknown[], options: unknown) => {
        given.push(options);
        return { rows: [], fields: [] };
      },
    };
    const statement = () =>
      new PglitePreparedQuery(
        client as never,
        'select 1',
        [],
        { logQuery() {} } as never,
        undefined as never,
        undefined,
        undefined,
        undefined,
        undefined,
        false,
      );
    await statement().execute();
    await statement().execute();
    expect(given).toHaveLength(2);
    expect(given[0]).toBe(given[1]);
    expect(Object.keys((given[0] as { parsers: object }).parsers).length).toBeGreaterThan(0);
  });
});
