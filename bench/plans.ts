/**
 * Query plans of every list, filter, sort and search the objects API offers, and of the
 * relationships list (relationships/service.ts listQuery), on a workspace of 100,000
 * objects (BENCH_PLAN_ROWS), with EXPLAIN (ANALYZE, BUFFERS).
 * The list statements are the route's own (queries.ts listStatement), and so are the
 * text search and the typo fallback (search.ts) and the read by id with its edges
 * (queries.ts withEdgesStatement with relationships' edge expression), for an object
 * without edges and for one with HUB_EDGES of them. The table
 * shows the access path and the execution time; BENCH_PLANS_VERBOSE=1 prints every
 * plan in full.
 * docs/performance.md records a run.
 */
import { randomBytes } from 'node:crypto';
import { type ListFilters, listStatement, withEdgesStatement } from '../core-extensions/objects/queries.ts';
import {
  searchStatement,
  similarityThresholdStatement,
  similarTitlesStatement,
} from '../core-extensions/objects/search.ts';
import { relationshipObjectHooks } from '../core-extensions/relationships/object-hooks.ts';
import {
  type RelationshipFilters,
  listQuery as relationshipsListQuery,
} from '../core-extensions/relationships/service.ts';
import { loadConfig } from '../kernel/config.ts';
import { encodeCursor } from '../kernel/contract/index.ts';
import type { Db } from '../kernel/db/database.ts';
import { createKernel, createLogger } from '../kernel/kernel.ts';
import { type BenchModule, databaseKind, freshDatabaseEnv, type Table } from './lib.ts';

const WORDS = (
  'export import pricing billing checkout onboarding invoice report dashboard search filter upload ' +
  'download latency timeout crash login signup password email notification webhook mobile desktop ' +
  'tablet browser chart table column row sort page cursor token session agent task bet insight'
).split(' ');

/** Edges of the hub object, half from it and half to it. */
const HUB_EDGES = 10_000;

interface PlanCase {
  name: string;
  text: string;
  params: unknown[];
  /** Runs first, in the same transaction (the typo fallback's threshold). */
  before?: string;
}

/** The list route's own statement (objects/queries.ts listStatement) for these filters. */
function listCase(
  name: string,
  workspaceId: string,
  filters: Partial<ListFilters>,
  after?: { value: string; id: string },
): PlanCase {
  const all: ListFilters = { sort: 'updated_at', order: 'desc', limit: 50, ...filters } as ListFilters;
  return { name, ...listStatement(workspaceId, all, after) };
}

/** Where a page continues: the sort value and id of a row some way into the workspace. */
interface Mark {
  title: string;
  updated_at: string;
  id: string;
}

/** The ids read by id: an object without edges and the hub. */
interface ReadIds {
  plain: string;
  hub: string;
  edgesSql: string;
  /** Where the hub's outgoing edges continue 90% deep (created_at, id). */
  deepEdge: { created_at: string; id: string };
  db: Db;
}

/** The relationships list route's own statement (relationships/service.ts listQuery). */
function relationshipsCase(
  name: string,
  read: ReadIds,
  workspaceId: string,
  filters: Partial<RelationshipFilters>,
) {
  const query = relationshipsListQuery(read.db, workspaceId, { limit: 50, ...filters }).toSQL();
  return { name, text: query.sql, params: query.params };
}

function casesFor(workspaceId: string, driverId: string, page2: Mark, deep: Mark, read: ReadIds): PlanCase[] {
  const byId = withEdgesStatement([read.edgesSql]);
  const list = (name: string, filters: Partial<ListFilters>, after?: { value: string; id: string }) =>
    listCase(name, workspaceId, filters, after);
  return [
    list('list (default: updated_at desc)', {}),
    list('list, updated_at asc', { order: 'asc' }),
    list('list, created_at desc', { sort: 'created_at' }),
    list('list, title asc', { sort: 'title', order: 'asc' }),
    list('list, type=task', { type: 'task' }),
    list('list, type=task status=todo', { type: 'task', status: 'todo' }),
    list('list, status=todo', { status: 'todo' }),
    list('list, driver', { driver: driverId }),
    list('list, updated_since (recent)', { updated_since: page2.updated_at }),
    list('list, page 2 by cursor (updated_at desc)', {}, { value: page2.updated_at, id: page2.id }),
    list(
      'list, page 2 by cursor (title asc)',
      { sort: 'title', order: 'asc' },
      { value: page2.title, id: page2.id },
    ),
    list('list, 90% deep by cursor (updated_at desc)', {}, { value: deep.updated_at, id: deep.id }),
    list(
      'list, 90% deep by cursor (title asc)',
      { sort: 'title', order: 'asc' },
      { value: deep.title, id: deep.id },
    ),
    // The route reads 51 edges for the 50 it shows (the 51st says "truncated").
    { name: 'get by id with its edges (none)', text: byId, params: [51, workspaceId, read.plain] },
    {
      name: `get by id with its edges (${HUB_EDGES.toLocaleString('en')})`,
      text: byId,
      params: [51, workspaceId, read.hub],
    },
    relationshipsCase('relationships list (newest)', read, workspaceId, {}),
    relationshipsCase('relationships list, type', read, workspaceId, { type: 'relates_to' }),
    relationshipsCase('relationships list, source=hub', read, workspaceId, { source: read.hub }),
    relationshipsCase('relationships list, target=hub', read, workspaceId, { target: read.hub }),
    relationshipsCase('relationships list, source=hub, 90% deep by cursor', read, workspaceId, {
      source: read.hub,
      cursor: encodeCursor([read.deepEdge.created_at, read.deepEdge.id]),
    }),
    { name: 'search "pricing"', ...searchStatement(workspaceId, { q: 'pricing', limit: 20 }) },
    {
      name: 'search "export timeout" type=task',
      ...searchStatement(workspaceId, { q: 'export timeout', type: 'task', limit: 20 }),
    },
    { name: 'search "zzzunmatched"', ...searchStatement(workspaceId, { q: 'zzzunmatched', limit: 20 }) },
    // The typo fallback, which the route runs when the text search found nothing.
    ...['pricng', 'zzzunmatched'].map((q) => ({
      name: `search fallback "${q}"`,
      ...similarTitlesStatement(workspaceId, { q, limit: 20 }),
      before: similarityThresholdStatement.text,
    })),
  ];
}

/** The plan's main node names with their indexes, outermost first, and its execution time. */
function summarise(plan: string[]): { path: string; executionMs: number } {
  const nodes = plan
    .filter(
      (line) =>
        /^\s*(->\s*)?[A-Z][A-Za-z ]+(on|using|\(|$)/.test(line) && !/^\s*(Planning|Execution)/.test(line),
    )
    .map((line) =>
      line
        .replace(/^\s*->\s*/, '')
        .replace(/\s*\(cost=.*$/, '')
        .trim(),
    )
    .filter((line) => !/^(Buffers|Sort Key|Filter|Index Cond|Recheck|Heap Blocks|Rows Removed)/.test(line))
    // The search statements' `q` CTE (one row, the parsed query) and the loops that join
    // it would hide the access path behind them.
    .filter((line) => !/^(CTE |Result$|Nested Loop$)/.test(line));
  const execution = plan.find((line) => line.startsWith('Execution Time'));
  return {
    path: nodes.slice(0, 4).join(' > '),
    executionMs: execution ? Number(execution.replace(/[^\d.]/g, '')) : Number.NaN,
  };
}

export const plansBench: BenchModule = {
  name: 'plans',
  run: async (): Promise<Table[]> => {
    const rowsWanted = Number(process.env.BENCH_PLAN_ROWS ?? 100_000);
    const database = await freshDatabaseEnv('plans');
    const config = loadConfig({
      MASKIN_RATE_LIMIT_PER_KEY: '0',
      ...database.env,
      LOG_LEVEL: 'silent',
      MASKIN_BOOTSTRAP: 'false',
    });
    const kernel = await createKernel({ config, logger: createLogger('silent') });
    const db = kernel.services.database;
    try {
      const signup = await kernel.app.request('/api/actors/signup', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Plans', email: `plans-${randomBytes(4).toString('hex')}@example.com` }),
      });
      const me = (await signup.json()) as { workspace: { id: string }; actor: { id: string } };
      const workspaceId = me.workspace.id;
      const actorId = me.actor.id;
      const words = `array[${WORDS.map((word) => `'${word}'`).join(',')}]`;
      const n = WORDS.length;
      for (let offset = 0; offset < rowsWanted; offset += 10_000) {
        await db.query(
          `insert into objects (workspace_id, type, title, content, status, metadata, created_by, driver_id, created_at, updated_at)
           select $1, (array['insight','bet','task'])[1 + i % 3],
                  'Object ' || i || ' ' || w[1 + (i * 7) % ${n}],
                  'About ' || w[1 + (i * 17) % ${n}] || ' and ' || w[1 + (i * 19) % ${n}] || ' ' || md5(i::text),
                  (array['new','signal','todo'])[1 + (i / 3) % 3],
                  jsonb_build_object('source', w[1 + (i * 29) % ${n}]), $2,
                  case when i % 50 = 0 then $2::uuid end,
                  date_trunc('milliseconds', now() - (i || ' seconds')::interval),
                  date_trunc('milliseconds', now() - (i || ' seconds')::interval)
             from generate_series($3::int, $4::int) as i, (select ${words} as w) as vocabulary`,
          [workspaceId, actorId, offset, Math.min(offset + 10_000, rowsWanted) - 1],
        );
      }
      // The hub: linked with the first HUB_EDGES / 2 other objects in both directions.
      const [hub, plain] = (
        await db.query<{ id: string }>('select id from objects where workspace_id = $1 order by id limit 2', [
          workspaceId,
        ])
      ).map((row) => row.id) as [string, string];
      await db.query(
        `insert into relationships (workspace_id, type, source_id, target_id, created_at)
         select $1, 'relates_to', case when outgoing then $2 else o.id end, case when outgoing then o.id else $2 end,
                now() - random() * interval '30 days'
           from (select id from objects where workspace_id = $1 and id <> $2 and id <> $3 limit $4) o,
                (values (true), (false)) as ends(outgoing)`,
        [workspaceId, hub, plain, HUB_EDGES / 2],
      );
      await db.query('analyze objects');
      await db.query('analyze relationships');
      const edgesSql = (await relationshipObjectHooks(undefined as never, async () => true).edgesSql!(
        workspaceId,
      ))!;
      const [deepEdge] = await db.query<{ created_at: string; id: string }>(
        `select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at, id
           from relationships where workspace_id = $1 and source_id = $2
          order by created_at desc, id desc offset $3 limit 1`,
        [workspaceId, hub, Math.floor((HUB_EDGES / 2) * 0.9)],
      );
      const markAt = async (share: number) =>
        (
          await db.query<Mark>(
            `select title, to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as updated_at, id
               from objects where workspace_id = $1 order by updated_at desc offset $2 limit 1`,
            [workspaceId, Math.floor(rowsWanted * share)],
          )
        )[0]!;
      const [page2, deep] = [await markAt(0.01), await markAt(0.9)];
      const rows: (string | number)[][] = [];
      const verbose = process.env.BENCH_PLANS_VERBOSE === '1';
      for (const planCase of casesFor(workspaceId, actorId, page2, deep, {
        plain,
        hub,
        edgesSql,
        deepEdge: deepEdge!,
        db: db.db,
      })) {
        const explain = (prefix: string) =>
          db.scriptTransaction(async (tx) => {
            if (planCase.before) await tx.query(planCase.before);
            return tx.query<{ 'QUERY PLAN': string }>(`${prefix}${planCase.text}`, planCase.params);
          });
        await explain(''); // warm the cache as a live server would be
        const plan = (await explain('explain (analyze, buffers) ')).map((row) => row['QUERY PLAN']);
        if (verbose) process.stdout.write(`-- ${planCase.name}\n${plan.join('\n')}\n\n`);
        const { path, executionMs } = summarise(plan);
        rows.push([planCase.name, executionMs, path]);
      }
      return [
        {
          title: `Objects query plans on ${rowsWanted.toLocaleString('en')} objects in one workspace (${databaseKind()})`,
          columns: ['case', 'exec ms', 'plan (outermost nodes)'],
          rows,
          notes: [
            'EXPLAIN (ANALYZE, BUFFERS) after one warm-up run of the same statement; BENCH_PLANS_VERBOSE=1 prints each plan.',
          ],
        },
      ];
    } finally {
      await kernel.close();
      await database.drop();
    }
  },
};
