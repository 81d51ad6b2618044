/**
 * One database interface over two drivers: a real PostgreSQL server through
 * postgres.js (a pool, plus a dedicated LISTEN connection that reconnects by itself),
 * or an embedded PGlite in a data folder. Everything above this file sees the same
 * drizzle instance and the same few raw helpers, so queries and migrations are shared.
 */
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import type { Sql } from 'postgres';
import { sharedParserTables } from './pglite-parsers.ts';
import { preparedStatements } from './pglite-prepared.ts';

export type Db = PgDatabase<any, any>;

export interface Database {
  readonly kind: 'postgres' | 'pglite';
  /** Drizzle over the pool (or the single PGlite connection). Transactions: `db.transaction`. */
  readonly db: Db;
  /** A raw parameterised query outside any transaction. */
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /**
   * Runs `fn` in one transaction on a raw connection that accepts multi-statement
   * scripts (used by the migration runner, which cannot split SQL files safely).
   */
  scriptTransaction<T>(fn: (tx: ScriptTransaction) => Promise<T>): Promise<T>;
  /**
   * Subscribes to a NOTIFY channel. `onConnect` runs every time the listening
   * connection is (re)established, so a caller can catch up on anything it missed.
   */
  listen(
    channel: string,
    onNotify: (payload: string) => void,
    onConnect?: () => void,
  ): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  /** PGlite only: a tarball of the data folder (tests load copies of a template). */
  dumpDataDir?(compression?: 'none' | 'gzip'): Promise<Blob>;
  close(): Promise<void>;
}

export interface ScriptTransaction {
  exec(script: string): Promise<void>;
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
}

/** Normalises drizzle's `execute` result: postgres.js returns an array, PGlite `{ rows }`. */
export function resultRows<Row>(result: unknown): Row[] {
  if (Array.isArray(result)) return result as Row[];
  return ((result as { rows?: Row[] }).rows ?? []) as Row[];
}

export interface PostgresOptions {
  /** Named prepared statements (default true); false behind transaction-pooling proxies. */
  prepare?: boolean;
  /**
   * Awaited before every (re)connection of the LISTEN connection, and only that one.
   * Tests hold it to keep the listener down for as long as they decide (an outage
   * produced on purpose, not hoped for); production passes nothing and postgres.js
   * reconnects the listener at once.
   */
  beforeListenerConnect?: () => Promise<void>;
}

export async function openPostgres(
  url: string,
  poolSize: number,
  options: PostgresOptions = {},
): Promise<Database> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const prepare = options.prepare ?? true;
  const sql: Sql = postgres(url, {
    max: poolSize,
    onnotice: () => {},
    connection: { application_name: 'maskin' },
    // Also postgres.js's own statements (BEGIN, COMMIT, SAVEPOINT, type lookups).
    prepare,
  });
  // postgres.js runs every LISTEN on one extra connection that inherits the options of
  // the client `listen` is called on. With a hook, that client is a separate one whose
  // socket factory waits for the hook, so the pool's connections are never held.
  const { beforeListenerConnect } = options;
  const listener: Sql = beforeListenerConnect
    ? postgres(url, {
        max: 1,
        onnotice: () => {},
        connection: { application_name: 'maskin' },
        // Supported by postgres.js (connection.js) but missing from its type definitions.
        ...({
          socket: async (socketOptions: SocketOptions) => {
            await beforeListenerConnect();
            return connectSocket(socketOptions);
          },
        } as object),
      })
    : sql;
  const client = prepare ? preparingClient(sql) : sql;
  const db = drizzle({ client }) as unknown as Db;
  return {
    kind: 'postgres',
    db,
    query: async (text, params = []) => (await sql.unsafe(text, params as never[], { prepare })) as never,
    scriptTransaction: (fn) =>
      sql.begin(async (tx) =>
        fn({
          exec: async (script) => {
            await tx.unsafe(script).simple();
          },
          query: async (text, params = []) => (await tx.unsafe(text, params as never[])) as never,
        }),
      ) as never,
    listen: async (channel, onNotify, onConnect) => {
      const listening = await listener.listen(channel, onNotify, onConnect);
      return () => listening.unlisten();
    },
    notify: async (channel, payload) => {
      await sql.notify(channel, payload);
    },
    close: async () => {
      await sql.end({ timeout: 5 });
      if (listener !== sql) await listener.end({ timeout: 5 });
    },
  };
}

/**
 * postgres.js runs `unsafe` queries (all of drizzle's, all of ours) unprepared unless
 * told otherwise, so PostgreSQL parses and plans the same hot statements on every
 * request. This wrapper asks for named prepared statements on every query, including
 * inside transactions and savepoints; postgres.js keeps one per connection and query
 * text, and drizzle emits the same text for the same query shape (values are always
 * parameters), so the set stays small. Transaction-pooling proxies cannot keep
 * prepared statements across transactions: DATABASE_PREPARE=false turns this off.
 */
function preparingClient<T extends object>(client: T): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property === 'unsafe') {
        return (query: string, params?: unknown[], options?: Record<string, unknown>) =>
          value.call(target, query, params, { ...options, prepare: true });
      }
      if (property === 'begin' || property === 'savepoint') {
        return (...args: unknown[]) => {
          const fn = args[args.length - 1] as (tx: object) => unknown;
          return value.apply(target, [...args.slice(0, -1), (tx: object) => fn(preparingClient(tx))]);
        };
      }
      return value.bind(target);
    },
    apply(target, thisArg, args) {
      return Reflect.apply(target as (...a: unknown[]) => unknown, thisArg, args);
    },
  });
}

/**
 * PGlite runs each statement in this thread, one at a time behind its own lock, and
 * answers through promises. Under load the lock passed from one waiting request to the
 * next inside one chain of microtasks, so the event loop did not come round to its
 * poll phase until every request in flight had finished. libuv (1.46, Node 20) accepts
 * one new connection per poll phase: with 50 clients the last connections waited a
 * whole round of everybody's requests per accepted connection, up to 4 s for their
 * first answer (docs/performance.md, "New connections to a saturated server").
 *
 * Here statements and transactions take their turns in arrival order, as PGlite's lock
 * would give them, and every STATEMENTS_PER_TURN-th turn (or the first after TURN_MS,
 * when statements are slow) starts in the check phase (setImmediate) after the previous
 * one has ended: there the loop polls, accepts and reads new requests. A pass of the
 * loop for every statement (the first version) halved what the server answered under
 * load: GET by id at 50 connections went from ~2,200 to ~3,900 req/s with a pass every
 * 16 statements (4: ~3,300; 64: ~3,000). The loop still comes round within a few
 * milliseconds however many requests wait.
 *
 * The same client also folds drizzle's per-statement result parsers into PGlite's
 * table (pglite-parsers.ts), inside transactions too.
 */
export const STATEMENTS_PER_TURN = 16;
/** ...or sooner, once this long has passed since the loop last came round (slow statements). */
const TURN_MS = 5;

function embeddedClient(pg: PGlite): PGlite {
  let previous: Promise<unknown> = Promise.resolve();
  let sinceLoop = 0;
  let loopAt = performance.now();
  const loopCameRound = () => {
    loopAt = performance.now();
  };
  const nextTurn = () => {
    if (++sinceLoop < STATEMENTS_PER_TURN && performance.now() - loopAt < TURN_MS) return undefined;
    sinceLoop = 0;
    return new Promise<void>((resolve) => setImmediate(resolve)).then(loopCameRound);
  };
  const inTurn = (run: () => unknown) => {
    const turn = previous.then(nextTurn).then(run);
    previous = turn.catch(() => undefined);
    return turn;
  };
  const withParsers = sharedParserTables(pg);
  const prepared = preparedStatements(pg);
  /**
   * `query` of the instance or of a transaction: a named prepared statement
   * (pglite-prepared.ts) with its parsers folded (pglite-parsers.ts). A query that
   * brings a blob (COPY) or its own parameter types goes to PGlite's query as it is.
   */
  const querying =
    (client: Pick<PGlite, 'query'>) =>
    (text: string, params?: unknown[], options?: Record<string, unknown>) =>
      withParsers(options, (folded) => {
        if (folded?.blob !== undefined || folded?.paramTypes !== undefined) {
          return client.query(text, params, folded);
        }
        // A finished transaction refuses, as its own query() would, rather than run alone.
        if (client !== pg && (client as Transaction).closed) throw new Error('Transaction is closed');
        return prepared(text, params, folded, client !== pg);
      });
  return new Proxy(pg, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property === 'query') {
        const query = querying(target);
        return (...args: Parameters<typeof query>) => inTurn(() => query(...args));
      }
      if (property === 'transaction') {
        const withFoldedParsers = (tx: Transaction) =>
          new Proxy(tx, { get: (t, p, r) => (p === 'query' ? querying(t) : Reflect.get(t, p, r)) });
        return (run: (tx: Transaction) => Promise<unknown>) =>
          inTurn(() => target.transaction((tx) => run(withFoldedParsers(tx))));
      }
      if (property === 'exec') {
        return (...args: unknown[]) =>
          inTurn(() => (value as (...a: unknown[]) => unknown).apply(target, args));
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The parsed connection options postgres.js hands to a `socket` factory. */
interface SocketOptions {
  host: string[];
  port: number[];
  path?: string | false;
}

/** A connected TCP (or Unix) socket, as postgres.js expects from a `socket` factory. */
async function connectSocket(options: SocketOptions) {
  const { connect } = await import('node:net');
  const socket = options.path
    ? connect({ path: options.path })
    : connect({ host: options.host[0], port: options.port[0]! });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

export async function openPglite(options: { dataDir?: string; loadDataDir?: Blob }): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const { drizzle } = await import('drizzle-orm/pglite');
  const pg: PGlite = await PGlite.create({
    dataDir: options.dataDir,
    loadDataDir: options.loadDataDir,
    extensions: { pg_trgm },
  });
  const client = embeddedClient(pg);
  const db = drizzle({ client }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    query: async (text, params = []) => (await client.query(text, params)).rows as never,
    scriptTransaction: (fn) =>
      client.transaction((tx) =>
        fn({
          exec: async (script) => {
            await tx.exec(script);
          },
          query: async (text, params = []) => (await tx.query(text, params)).rows as never,
        }),
      ),
    listen: async (channel, onNotify, onConnect) => {
      const unlisten = await pg.listen(channel, onNotify);
      // The embedded database lives in this process: its "connection" never drops.
      onConnect?.();
      return unlisten;
    },
    notify: async (channel, payload) => {
      await client.query('select pg_notify($1, $2)', [channel, payload]);
    },
    dumpDataDir: async (compression = 'none') => (await pg.dumpDataDir(compression)) as Blob,
    close: () => pg.close(),
  };
}
