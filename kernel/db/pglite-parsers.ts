/**
 * Drizzle hands PGlite the same result parsers with every statement (timestamps,
 * intervals, dates and their arrays as text, each `(value) => value`), and PGlite
 * merges them into its whole table of type parsers (318 entries) for every statement
 * it answers: about 90 µs each, more than a simple statement's own work, so a create's
 * five statements spent ~450 µs copying that table (docs/performance.md, "The request
 * path").
 *
 * PGlite reads its table when it parses a statement's results. So a statement whose
 * parsers are all identities runs with the table already merged (built once per set of
 * types) installed on the instance, and without per-statement parsers. Statements that
 * overlap (inside one transaction) share the installed table while it is in use; one
 * that wants another table passes its parsers as before (PGlite merges them), and one
 * that passes none while a merged table is installed gets the original parsers of those
 * types back explicitly. Every statement therefore parses exactly as before.
 */
import type { PGlite } from '@electric-sql/pglite';

type Parser = (value: string, typeId?: number) => unknown;
type ParserTable = Record<number, Parser>;
interface QueryOptions {
  parsers?: ParserTable;
  [option: string]: unknown;
}

const IDENTITY_SOURCE = /^\(?\s*([A-Za-z_$][\w$]*)\s*\)?\s*=>\s*\1\s*$/;
const identity: Parser = (value) => value;

/**
 * What identityTypes found for a parsers object. Drizzle's PGlite session hands every
 * statement one of two shared objects (patches/drizzle-orm+0.45.4.patch; unpatched it
 * made new ones per statement), so each is read once, not its nine sources per statement.
 */
const judged = new WeakMap<ParserTable, number[] | null>();

/** The type ids of `parsers` when every one is written as `(x) => x`, else undefined. */
function identityTypes(parsers: ParserTable | undefined): number[] | undefined {
  if (!parsers) return undefined;
  let types = judged.get(parsers);
  if (types === undefined) {
    const all = Object.keys(parsers).map(Number);
    types = all.length > 0 && all.every((type) => IDENTITY_SOURCE.test(String(parsers[type]))) ? all : null;
    judged.set(parsers, types);
  }
  return types ?? undefined;
}

export type Statement<T> = (options: QueryOptions | undefined) => Promise<T>;

/** Runs statements of `pg` with drizzle's identity parsers folded into its table. */
export function sharedParserTables(pg: PGlite) {
  const instance = pg as unknown as { parsers: ParserTable };
  const original = instance.parsers;
  const merged = new Map<string, ParserTable>();
  let installed: { table: ParserTable; types: number[] } | undefined;
  let users = 0;

  const tableOf = (types: number[]) => {
    const key = types.join(',');
    let table = merged.get(key);
    if (!table) {
      table = { ...original };
      for (const type of types) table[type] = identity;
      merged.set(key, table);
    }
    return table;
  };

  return async function run<T>(options: QueryOptions | undefined, statement: Statement<T>): Promise<T> {
    const types = identityTypes(options?.parsers);
    const table = types && tableOf(types);
    if (table && (users === 0 || installed?.table === table)) {
      const { parsers: _folded, ...rest } = options!;
      if (users++ === 0) {
        installed = { table, types: types! };
        instance.parsers = table;
      }
      try {
        return await statement(rest);
      } finally {
        if (--users === 0) {
          instance.parsers = original;
          installed = undefined;
        }
      }
    }
    if (users > 0 && installed) {
      // Another statement's merged table is installed: this one gets the original back.
      const restored = Object.fromEntries(installed.types.map((type) => [type, original[type]!]));
      return statement({ ...options, parsers: { ...restored, ...options?.parsers } });
    }
    return statement(options);
  };
}
