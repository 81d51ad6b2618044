/**
 * The driver baselines' connection: the same database the server uses, without the
 * server. On PostgreSQL a postgres.js pool of the server's size whose statements are
 * all named and prepared, with drizzle's pass-through serializers (the server's JSON
 * and time values reach the driver as strings, so this pool sends them as such). On
 * PGlite the data folder itself, opened in this process once the server has stopped
 * (one process may hold it at a time).
 */
import postgres from 'postgres';
import { openPglite } from '../../kernel/db/database.ts';

export type Query = (text: string, params: unknown[]) => Promise<unknown>;

export interface Driver {
  query: Query;
  /** Runs `fn` in one transaction (BEGIN ... COMMIT). */
  transaction(fn: (query: Query) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

const PASS_THROUGH = ['114', '3802', '1184', '1082', '1083', '1114', '1182', '1185', '1115', '1231'];

export async function openDriver(env: Record<string, string>, poolSize: number): Promise<Driver> {
  if (env.DATABASE_URL) {
    const sql = postgres(env.DATABASE_URL, { max: poolSize, prepare: true, onnotice: () => {} });
    const options = sql.options as unknown as { serializers: Record<string, (value: unknown) => unknown> };
    for (const type of PASS_THROUGH) options.serializers[type] = (value) => value;
    const on =
      (client: postgres.Sql | postgres.TransactionSql): Query =>
      (text, params) =>
        client.unsafe(text, params as never[], { prepare: true });
    return {
      query: on(sql),
      transaction: async (fn) => {
        await sql.begin((tx) => fn(on(tx)));
      },
      close: () => sql.end({ timeout: 5 }),
    };
  }
  const database = await openPglite({ dataDir: env.MASKIN_DATA_DIR });
  return {
    query: (text, params) => database.query(text, params),
    transaction: (fn) => database.scriptTransaction((tx) => fn((text, params) => tx.query(text, params))),
    close: () => database.close(),
  };
}
