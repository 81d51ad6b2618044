/**
 * Full-text search over title, content and the string values of metadata.
 *
 * The `search` tsvector is a stored generated column with a GIN index (see the
 * migration); queries use websearch syntax ("quoted phrases", -exclusions, or),
 * rank with ts_rank (title weighs more than content, content more than metadata),
 * and highlight a snippet with ts_headline. The headline is computed in an outer
 * query over the page only: it re-parses the document, which is the expensive part.
 *
 * Pages are keyset on (rank desc, id asc). ts_rank returns float4, whose text form
 * round-trips exactly, so the cursor's rank compares equal to the stored one.
 *
 * Typos: full-text search matches whole (stemmed) words, so "exprt" finds nothing.
 * When the first page of a search is empty, titles are matched by trigram word
 * similarity instead (pg_trgm's `<%`, word_similarity at least 0.4: "pricng" scores
 * 0.57 against "Pricing page", so pg_trgm's default threshold of 0.6 misses common
 * typos): one page of the most similar titles, each hit marked `match: "similar"`.
 * Titles only, because a whole content field dilutes every similarity to nothing. The
 * threshold is set with set_config(..., true) in the fallback's own transaction, so it
 * ends with it. The operator, unlike a `word_similarity(...) >= 0.4` condition, is
 * served by the trigram index on titles (migration 0005): the fallback reads the
 * titles that share enough trigrams with the query, not every title of the workspace.
 * On a server without pg_trgm (migrations 0004 and 0005 tolerate that) there is no
 * fallback.
 *
 * Ranking reads every match: a GIN index cannot return rows in ts_rank order, so a
 * term that matches a tenth of 100,000 objects costs a few milliseconds of database
 * time, a rare one well under one. docs/performance.md ("Search") weighs the options.
 */
import { decodeCursor, type ExtensionDatabase, orm, toPage, validationError } from '@maskin/contract';
import type { WorkObject } from './table.ts';

export interface SearchFilters {
  q: string;
  type?: string;
  status?: string;
  limit: number;
  cursor?: string;
}

interface SearchRow {
  id: string;
  type: string;
  title: string;
  content: string;
  status: string;
  metadata: Record<string, unknown>;
  driver_id: string | null;
  created_by: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  version: number;
  rank: number;
  snippet: string;
}

export type SearchHit = WorkObject & { rank: number; snippet: string; match: 'text' | 'similar' };

const toTextHit = (row: SearchRow): SearchHit => toHit(row, 'text');

function toHit(row: SearchRow, match: SearchHit['match']): SearchHit {
  return {
    id: row.id,
    type: row.type,
    title: row.title,
    content: row.content,
    status: row.status,
    metadata: row.metadata,
    driver_id: row.driver_id,
    created_by: row.created_by,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    version: row.version,
    rank: Number(row.rank),
    snippet: row.snippet,
    match,
  };
}

/** The SQL of one search page; exported so the benchmark runs the very same statement. */
export function searchStatement(workspaceId: string, filters: SearchFilters) {
  const params: unknown[] = [workspaceId, filters.q];
  const where = ['o.workspace_id = $1', 'o.search @@ q.query'];
  if (filters.type !== undefined) {
    params.push(filters.type);
    where.push(`o.type = $${params.length}`);
  }
  if (filters.status !== undefined) {
    params.push(filters.status);
    where.push(`o.status = $${params.length}`);
  }
  let after = '';
  if (filters.cursor) {
    const [rank, id] = decodeCursor(filters.cursor, 2);
    if (typeof rank !== 'number' || typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) {
      throw validationError('Invalid cursor: malformed', [{ path: 'cursor', message: 'malformed' }]);
    }
    params.push(rank, id);
    after = `where rank < $${params.length - 1}::real or (rank = $${params.length - 1}::real and id > $${params.length}::uuid)`;
  }
  params.push(filters.limit + 1);
  const text = `
    with q as (select websearch_to_tsquery('english'::regconfig, $2) as query),
    matched as (
      select o.id, o.type, o.title, o.content, o.status, o.metadata, o.driver_id, o.created_by,
             o.created_at, o.updated_at, o.version, ts_rank(o.search, q.query) as rank
        from objects o, q
       where ${where.join(' and ')}
    ),
    page as (
      select * from matched ${after} order by rank desc, id asc limit $${params.length}
    )
    select page.*,
           ts_headline('english'::regconfig, page.title || E'\\n' || page.content, q.query,
                       'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=10, MaxFragments=2') as snippet
      from page, q
     order by rank desc, id asc`;
  return { text, params };
}

export async function searchObjects(
  database: ExtensionDatabase,
  workspaceId: string,
  filters: SearchFilters,
) {
  const { text, params } = searchStatement(workspaceId, filters);
  const rows = await database.query<SearchRow>(text, params);
  if (rows.length === 0 && !filters.cursor) return similarTitles(database, workspaceId, filters);
  return toPage(rows, filters.limit, toTextHit, (row) => [Number(row.rank), row.id]);
}

const SIMILARITY_THRESHOLD = 0.4;

/**
 * Sets the threshold of `<%` (pg_trgm's default is 0.6) for the current transaction
 * only: the fallback runs it in its own transaction, right before similarTitlesStatement.
 */
export const similarityThresholdStatement = {
  text: `select set_config('pg_trgm.word_similarity_threshold', '${SIMILARITY_THRESHOLD}', true)`,
  params: [] as unknown[],
};

/**
 * The typo fallback's SQL: one page of the titles most similar to the query, the
 * similarity as the rank. `$2 <% o.title` is word_similarity($2, o.title) >= the
 * threshold set above, in the form the trigram index serves. Exported so the
 * benchmark runs the very same statements.
 */
export function similarTitlesStatement(workspaceId: string, filters: SearchFilters) {
  const params: unknown[] = [workspaceId, filters.q];
  const where = ['o.workspace_id = $1', '$2 <% o.title'];
  if (filters.type !== undefined) {
    params.push(filters.type);
    where.push(`o.type = $${params.length}`);
  }
  if (filters.status !== undefined) {
    params.push(filters.status);
    where.push(`o.status = $${params.length}`);
  }
  params.push(filters.limit);
  const text = `
    select o.id, o.type, o.title, o.content, o.status, o.metadata, o.driver_id, o.created_by,
           o.created_at, o.updated_at, o.version, word_similarity($2, o.title) as rank, o.title as snippet
      from objects o
     where ${where.join(' and ')}
     order by rank desc, o.id asc
     limit $${params.length}`;
  return { text, params };
}

/** The typo fallback: one page of titles similar to the query (no next page). */
async function similarTitles(database: ExtensionDatabase, workspaceId: string, filters: SearchFilters) {
  const threshold = withParams(similarityThresholdStatement);
  const similar = withParams(similarTitlesStatement(workspaceId, filters));
  let rows: SearchRow[];
  try {
    rows = await database.db.transaction(async (tx) => {
      await tx.execute(threshold);
      const result: unknown = await tx.execute(similar);
      // postgres.js answers an array of rows, PGlite `{ rows }`.
      return (Array.isArray(result) ? result : (result as { rows: SearchRow[] }).rows) as SearchRow[];
    });
  } catch (error) {
    // 42883: the operator does not exist, i.e. pg_trgm is not installed here.
    if (errorCode(error) === '42883') return { items: [], next_cursor: null };
    throw error;
  }
  return { items: rows.map((row) => toHit(row, 'similar')), next_cursor: null };
}

/** A statement with $1..$n placeholders as drizzle SQL (which numbers its parameters anew). */
function withParams({ text, params }: { text: string; params: unknown[] }) {
  const parts = text.split(/\$(\d+)/);
  return orm.sql.join(
    parts.map((part, i) => (i % 2 === 0 ? orm.sql.raw(part) : orm.sql`${params[Number(part) - 1]}`)),
  );
}

/** The SQLSTATE of a driver error, also when drizzle wraps it (as its `cause`). */
function errorCode(error: unknown): string | undefined {
  const { code, cause } = (error ?? {}) as { code?: string; cause?: unknown };
  return code ?? (cause ? errorCode(cause) : undefined);
}
