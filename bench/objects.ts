/**
 * Objects latency, one caller at a time: create, get, list and search through the
 * whole HTTP pipeline in this process (app.request: auth, workspace, gate, validation,
 * service, events; no socket) next to the same SQL statements run directly through
 * the driver, in one run; then
 * search p50/p95/p99 in a workspace of 100,000 objects (bulk-inserted in SQL for
 * setup speed; the generated tsvector and GIN index are maintained as for any write).
 *
 * Runs alone: `npx tsx bench/objects.ts` (BENCH_ITERATIONS, default 300;
 * BENCH_LARGE_ROWS, default 100000). With DATABASE_URL it uses a fresh database on
 * that server, otherwise a fresh PGlite folder. Numbers, not pass/fail.
 *
 * Not a load test: no socket, no concurrency, and the list and small search run over
 * only the objects the create cases made (2 x (BENCH_ITERATIONS + 20)). bench/load.ts
 * measures the real server over sockets under 50 connections on 10,000 objects.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { searchStatement } from '../core-extensions/objects/search.ts';
import { loadConfig } from '../kernel/config.ts';
import { createKernel, createLogger } from '../kernel/kernel.ts';
import { freshDatabaseEnv, ms, percentile, type Table } from './lib.ts';

export interface ObjectsBenchRow {
  case: string;
  n: number;
  p50: number;
  p95: number;
  p99: number;
  /** 1 / mean latency of sequential calls: one caller's rate, not the server's capacity. */
  sequentialPerSecond: number;
}

const WORDS = (
  'export import pricing billing checkout onboarding invoice report dashboard search filter upload ' +
  'download latency timeout crash login signup password email notification webhook mobile desktop ' +
  'tablet browser chart table column row sort page cursor token session agent task bet insight ' +
  'customer account team member role admin owner viewer permission audit history version draft ' +
  'publish archive delete restore backup sync offline online cache queue worker cron schedule'
).split(' ');

function summarise(name: string, samples: number[]): ObjectsBenchRow {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => percentile(sorted, p);
  const total = samples.reduce((sum, value) => sum + value, 0);
  return {
    case: name,
    n: samples.length,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    sequentialPerSecond: (samples.length / total) * 1000,
  };
}

async function measure(name: string, iterations: number, run: (i: number) => Promise<unknown>) {
  for (let i = 0; i < Math.min(20, iterations); i++) await run(-1 - i); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await run(i);
    samples.push(performance.now() - start);
  }
  return summarise(name, samples);
}

async function expectOk(response: Response) {
  if (response.status >= 300) throw new Error(`${response.status} ${await response.text()}`);
  return response.json() as Promise<any>;
}

const word = (i: number) => WORDS[i % WORDS.length]!;

export async function runObjectsBench(
  iterations = Number(process.env.BENCH_ITERATIONS ?? 300),
  largeRows = Number(process.env.BENCH_LARGE_ROWS ?? 100_000),
): Promise<ObjectsBenchRow[]> {
  const database = await freshDatabaseEnv('objects');
  const config = loadConfig({
    MASKIN_RATE_LIMIT_PER_KEY: '0',
    ...database.env,
    LOG_LEVEL: 'silent',
    MASKIN_BOOTSTRAP: 'false',
  });
  const kernel = await createKernel({ config, logger: createLogger('silent') });
  const db = kernel.services.database;
  try {
    const signup = async () => {
      const response = await kernel.app.request('/api/actors/signup', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Bench', email: `bench-${randomBytes(4).toString('hex')}@example.com` }),
      });
      const body = await expectOk(response);
      return {
        key: body.api_key.key as string,
        workspaceId: body.workspace.id as string,
        actorId: body.actor.id as string,
      };
    };
    const me = await signup();
    const headers = { authorization: `Bearer ${me.key}`, 'x-workspace-id': me.workspaceId };
    const json = { ...headers, 'content-type': 'application/json' };
    const api = async (path: string, init: RequestInit = {}) =>
      expectOk(await kernel.app.request(path, { headers, ...init }));
    const titleOf = (i: number) => `Bench ${i} ${word(i)} ${word(i * 7 + 3)}`;
    const contentOf = (i: number) =>
      `Notes about ${word(i * 3)} and ${word(i * 5 + 1)} for ${word(i * 11 + 2)}.`;

    const rows: ObjectsBenchRow[] = [];
    const ids: string[] = [];
    rows.push(
      await measure('create: API POST /api/objects', iterations, async (i) => {
        const body = JSON.stringify({ type: 'task', title: titleOf(i + 1000), content: contentOf(i) });
        const created = await api('/api/objects', { method: 'POST', headers: json, body });
        if (i >= 0) ids.push(created.id);
      }),
    );
    // The statements of one create: the insert and the event (kernel/events/record-event.ts), in one transaction.
    rows.push(
      await measure('create: raw SQL (insert + event, one transaction)', iterations, (i) =>
        db.scriptTransaction(async (tx) => {
          const id = randomUUID();
          await tx.query(
            `insert into objects (id, workspace_id, type, title, content, status, metadata, created_by)
             values ($1, $2, 'task', $3, $4, 'todo', '{}'::jsonb, $5) returning *`,
            [id, me.workspaceId, titleOf(i + 5000), contentOf(i), me.actorId],
          );
          await tx.query(
            `with next_id as (
               insert into event_sequences (scope, last_id) values ($1, 1)
               on conflict (scope) do update set last_id = event_sequences.last_id + 1 returning last_id)
             insert into events (scope, id, workspace_id, type, actor_id, entity_type, entity_id, data)
             select $1, last_id, $1, 'object.created', $2, 'object', $3, '{}'::jsonb from next_id`,
            [me.workspaceId, me.actorId, id],
          );
        }),
      ),
    );
    const pick = (i: number) => ids[Math.abs(i) % ids.length]!;
    rows.push(
      await measure('get: API GET /api/objects/:id', iterations, (i) => api(`/api/objects/${pick(i)}`)),
    );
    rows.push(
      await measure('get: raw SQL (object + its edges)', iterations, async (i) => {
        await db.query('select * from objects where workspace_id = $1 and id = $2', [
          me.workspaceId,
          pick(i),
        ]);
        await db.query(
          'select * from relationships where workspace_id = $1 and (source_id = $2 or target_id = $2) order by created_at desc, id desc',
          [me.workspaceId, pick(i)],
        );
      }),
    );
    rows.push(
      await measure('list: API GET /api/objects (50)', iterations, () => api('/api/objects?limit=50')),
    );
    rows.push(
      await measure('list: raw SQL (50)', iterations, () =>
        db.query(
          'select id, type, title, content, status, metadata, driver_id, created_by, created_at, updated_at, version from objects where workspace_id = $1 order by updated_at desc, id desc limit 51',
          [me.workspaceId],
        ),
      ),
    );
    rows.push(
      await measure('search: API GET /api/objects/search (20)', iterations, (i) =>
        api(`/api/objects/search?q=${word(Math.abs(i))}&limit=20`),
      ),
    );
    rows.push(
      await measure('search: raw SQL, same statement (20)', iterations, (i) => {
        const { text, params } = searchStatement(me.workspaceId, { q: word(Math.abs(i)), limit: 20 });
        return db.query(text, params);
      }),
    );

    // A large workspace: rows generated in SQL, then searched through the API.
    const big = await signup();
    const bigHeaders = { authorization: `Bearer ${big.key}`, 'x-workspace-id': big.workspaceId };
    const started = performance.now();
    const words = `array[${WORDS.map((w) => `'${w}'`).join(',')}]`;
    const n = WORDS.length;
    for (let offset = 0; offset < largeRows; offset += 10_000) {
      await db.query(
        `insert into objects (workspace_id, type, title, content, status, metadata, created_by)
         select $1, (array['insight','bet','task'])[1 + i % 3],
                'Object ' || i || ' ' || w[1 + (i * 7) % ${n}] || ' ' || w[1 + (i * 13) % ${n}],
                'About ' || w[1 + (i * 17) % ${n}] || ' and ' || w[1 + (i * 19) % ${n}] || ', see ' || w[1 + (i * 23) % ${n}] || ' ' || md5(i::text),
                (array['new','signal','todo'])[1 + i % 3],
                jsonb_build_object('source', w[1 + (i * 29) % ${n}]), $2
           from generate_series($3::int, $4::int) as i, (select ${words} as w) as vocabulary`,
        [big.workspaceId, big.actorId, offset, Math.min(offset + 10_000, largeRows) - 1],
      );
    }
    await db.query('analyze objects');
    const setupSeconds = (performance.now() - started) / 1000;
    const queries = ['pricing', 'export timeout', '"customer account"', 'webhook -mobile', 'zzzunmatched'];
    const searchBig = (i: number) => queries[Math.abs(i) % queries.length]!;
    rows.push(
      await measure(`search ${largeRows.toLocaleString('en')} objects: API (20)`, iterations, async (i) =>
        expectOk(
          await kernel.app.request(`/api/objects/search?q=${encodeURIComponent(searchBig(i))}&limit=20`, {
            headers: bigHeaders,
          }),
        ),
      ),
    );
    rows.push(
      await measure(`search ${largeRows.toLocaleString('en')} objects: raw SQL (20)`, iterations, (i) => {
        const { text, params } = searchStatement(big.workspaceId, { q: searchBig(i), limit: 20 });
        return db.query(text, params);
      }),
    );
    console.log(
      `(bulk insert of ${largeRows.toLocaleString('en')} objects took ${setupSeconds.toFixed(1)} s)`,
    );
    return rows;
  } finally {
    await kernel.close();
    await database.drop();
  }
}

/** The rows as a bench table, with what they do and do not measure. */
export function objectsTable(
  title: string,
  rows: ObjectsBenchRow[],
  iterations = Number(process.env.BENCH_ITERATIONS ?? 300),
): Table {
  return {
    title,
    columns: ['case', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'sequential ops/s'],
    rows: rows.map((r) => [r.case, r.n, ms(r.p50), ms(r.p95), ms(r.p99), Math.round(r.sequentialPerSecond)]),
    notes: [
      'One caller at a time through app.request() in this process: no socket, no concurrency; ops/s is',
      `1 / mean latency. List and the first search read a workspace of only ${2 * (iterations + 20)} objects (what the`,
      'create cases made). For req/s under 50 connections over sockets on 10,000 objects: the load module.',
    ],
  };
}

export function printObjectsBench(rows: ObjectsBenchRow[]) {
  const ms = (value: number) => value.toFixed(2);
  console.table(
    rows.map((row) => ({
      case: row.case,
      n: row.n,
      'p50 ms': ms(row.p50),
      'p95 ms': ms(row.p95),
      'p99 ms': ms(row.p99),
      'sequential ops/s': Math.round(row.sequentialPerSecond),
    })),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const backend = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
  console.log(`objects bench on ${backend}`);
  printObjectsBench(await runObjectsBench());
}
