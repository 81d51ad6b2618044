/**
 * Named prepared statements for PGlite.
 *
 * PGlite's `query()` sends every statement unnamed: Parse, Describe, Bind, Describe,
 * Execute and Sync, each a separate call into the WebAssembly module, and PostgreSQL
 * parses and plans the text every time. In this thread that is most of a statement's
 * cost: the object's GET statement took ~750-1,000 µs through `query()` and ~165 µs as
 * `EXECUTE` of the same statement prepared once. postgres.js prepares every statement
 * on a real server; this does the same here, with PGlite's own public pieces (its
 * protocol serializer, `execProtocolStream`, and the result parser `query()` uses):
 *
 * - the first time a text is seen: Parse under a name and Describe it (its parameter
 *   types choose the serializers, as `query()` does), then Sync;
 * - every call: Bind, Describe, Execute and Sync in one call into the module, parsed
 *   into the same `Results` as `query()` returns, with the same parsers and options.
 *
 * The names live as long as the database session, whatever happens to the transaction
 * they were made in. At most `capacity` are kept; the least recently used is closed
 * when a new one needs room. Errors are PostgreSQL's, decorated as `query()` decorates
 * them. Calls take PGlite's own query lock, so they never interleave with `query()`.
 */
import { type PGlite, parse, protocol, type QueryOptions, type Results } from '@electric-sql/pglite';

const { serialize } = protocol;

/** PostgreSQL's invalid_sql_statement_name: no prepared statement of that name. */
const INVALID_STATEMENT_NAME = '26000';

interface Prepared {
  name: string;
  parameterTypes: number[];
}

/** The part of PGlite's instance this uses that its type does not show. */
interface PGliteInternals {
  _checkReady(): Promise<void>;
  _runExclusiveQuery<T>(fn: () => Promise<T>): Promise<T>;
  serializers: Record<number | string, (value: unknown) => string>;
  parsers: Record<number | string, (value: string, typeId?: number) => unknown>;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const message = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    message.set(part, offset);
    offset += part.length;
  }
  return message;
}

/** Adds what `query()` adds to a PostgreSQL error (the statement and its parameters). */
function decorated(error: unknown, text: string, params: unknown[], options?: QueryOptions): unknown {
  if (error instanceof Error && 'code' in error) {
    Object.assign(error, { query: text, params, queryOptions: options });
  }
  return error;
}

export type PreparedQuery = <T>(
  text: string,
  params: unknown[] | undefined,
  options: QueryOptions | undefined,
  inTransaction: boolean,
) => Promise<Results<T>>;

export function preparedStatements(pg: PGlite, capacity = 500): PreparedQuery {
  const internals = pg as unknown as PGliteInternals;
  // Insertion order is recency: a hit moves its entry to the end.
  const statements = new Map<string, Prepared>();
  let counter = 0;

  async function prepare(text: string): Promise<Prepared> {
    const known = statements.get(text);
    if (known) {
      statements.delete(text);
      statements.set(text, known);
      return known;
    }
    const parts: Uint8Array[] = [];
    if (statements.size >= capacity) {
      const [oldest, evicted] = statements.entries().next().value as [string, Prepared];
      statements.delete(oldest);
      parts.push(serialize.close({ type: 'S', name: evicted.name }));
    }
    const name = `maskin_${++counter}`;
    parts.push(serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync());
    const messages = await pg.execProtocolStream(concat(parts), { syncToFs: false });
    const prepared = { name, parameterTypes: parse.parseDescribeStatementResults(messages) };
    statements.set(text, prepared);
    return prepared;
  }

  return <T>(
    text: string,
    params: unknown[] = [],
    options: QueryOptions | undefined,
    inTransaction: boolean,
  ): Promise<Results<T>> =>
    internals._runExclusiveQuery(async () => {
      // As query() does: a closed instance refuses with PGlite's own error.
      await internals._checkReady();
      try {
        return await run<T>(text, params, options, inTransaction);
      } catch (error) {
        if ((error as { code?: string }).code !== INVALID_STATEMENT_NAME) {
          throw decorated(error, text, params, options);
        }
        // Dropped behind our back (DEALLOCATE, DISCARD): prepared again on its next use,
        // and now when that is safe (the failure aborted a transaction, if in one).
        statements.delete(text);
        if (inTransaction) throw decorated(error, text, params, options);
        try {
          return await run<T>(text, params, options, inTransaction);
        } catch (again) {
          throw decorated(again, text, params, options);
        }
      }
    });

  async function run<T>(
    text: string,
    params: unknown[],
    options: QueryOptions | undefined,
    inTransaction: boolean,
  ): Promise<Results<T>> {
    const { name, parameterTypes } = await prepare(text);
    const values = params.map((param, i) => {
      if (param === null || param === undefined) return null;
      const type = parameterTypes[i]!;
      const serializer = options?.serializers?.[type] ?? internals.serializers[type];
      return serializer ? serializer(param) : String(param);
    });
    const messages = await pg.execProtocolStream(
      concat([
        serialize.bind({ statement: name, values }),
        serialize.describe({ type: 'P' }),
        serialize.execute({}),
        serialize.sync(),
      ]),
      // Outside a transaction the files are written after the statement, as query() does.
      { syncToFs: !inTransaction },
    );
    return parse.parseResults(messages, internals.parsers, options)[0] as Results<T>;
  }
}
