/**
 * `npm run bench -- load`: the real server under load over real sockets, each case
 * next to its baselines measured in the same run (issue 17).
 *
 * The server is `kernel/main.ts` in a child process on a fresh database; the load
 * generator is autocannon with 50 keep-alive connections. Baselines: a bare Hono route
 * in its own child process (the framework-and-socket floor), and the very statements
 * a route issues (bench/load/statements.ts) through a prepared driver pool of the
 * server's size with 50 concurrent callers. On PostgreSQL each baseline runs right
 * after its case, so the machine's drift touches both alike; on PGlite the server
 * holds the data folder, so every baseline runs after the server has stopped, on the
 * same folder opened in this process.
 *
 * BENCH_DURATION_S (default 5) per case after a warm-up (BENCH_WARMUP_S, default 3);
 * BENCH_LARGE_ROWS (default 100000) objects for the large search; BENCH_SSE_CLIENTS (default
 * 1000); BENCH_LOG_LEVEL (default info, the shipped default) for the server. BENCH_LOAD_CASES (default all) runs only
 * the named cases, comma-separated: health, create, get, list, search10k, searchLarge, bulk,
 * mcp, writers, sse (for a profile of one route; its table rows of the others show "-").
 * Numbers, never pass/fail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listStatement } from '../core-extensions/objects/queries.ts';
import {
  searchStatement,
  similarityThresholdStatement,
  similarTitlesStatement,
} from '../core-extensions/objects/search.ts';
import { type BenchModule, databaseKind, formatTable, freshDatabaseEnv, type Table } from './lib.ts';
import { type Driver, openDriver } from './load/driver.ts';
import { measureMcp } from './load/mcp-case.ts';
import { CONNECTIONS, cannon, DURATION_S, type Measured, timeBox, untilQuiet } from './load/measure.ts';
import { type ChildServer, startBareHono, startKernelProcess, stopAll } from './load/processes.ts';
import { type Account, createAccount, SEARCH_QUERIES, seed } from './load/setup.ts';
import { sseDelivery } from './load/sse.ts';
import { createAsTheRouteDoes, selectById } from './load/statements.ts';
import { loadTables } from './load/tables.ts';

const LARGE_ROWS = Number(process.env.BENCH_LARGE_ROWS ?? 100_000);
const SSE_CLIENTS = Number(process.env.BENCH_SSE_CLIENTS ?? 1_000);
const SSE_WRITES_PER_SECOND = 20;
const BULK = 500;
/** Concurrent bulk requests: 4 x 500 objects in flight already keep the database busy. */
const BULK_CALLERS = 4;
/** `GET /api/objects?type=task&limit=50` as the route reads it (its defaults filled in). */
const LIST_FILTERS = { type: 'task', sort: 'updated_at', order: 'desc', limit: 50 } as const;
const POOL_SIZE = Number(process.env.DATABASE_POOL_SIZE ?? 10);
const ONLY = process.env.BENCH_LOAD_CASES?.split(',').map((name) => name.trim());
const wanted = (name: string) => !ONLY || ONLY.includes(name);

/** One measured case and, optionally, the driver statement it is compared with. */
interface Pair {
  key: string;
  server: () => Promise<Measured>;
  driver?: (driver: Driver) => Promise<Measured>;
}

export type Results = Map<string, Measured>;

function pairs(server: ChildServer, account: Account, ids: string[]): Pair[] {
  const auth = (workspace: string) => ({
    authorization: `Bearer ${account.key}`,
    'x-workspace-id': workspace,
  });
  const json = (workspace: string) => ({ ...auth(workspace), 'content-type': 'application/json' });
  const rotate = (paths: string[]) => {
    let next = 0;
    return [{ setupRequest: (request: any) => ({ ...request, path: paths[next++ % paths.length] }) }];
  };
  const search = (workspace: string) => ({
    server: () =>
      cannon({
        url: server.url,
        headers: auth(workspace),
        requests: rotate(
          SEARCH_QUERIES.map((q) => `/api/objects/search?q=${encodeURIComponent(q)}&limit=20`),
        ),
      }),
    // What the route runs: the text search, and when it finds nothing the typo fallback.
    driver: (driver: Driver) => {
      const statements = SEARCH_QUERIES.map((q) => ({
        text: searchStatement(workspace, { q, limit: 20 }),
        similar: similarTitlesStatement(workspace, { q, limit: 20 }),
      }));
      return timeBox(CONNECTIONS, async (i) => {
        const { text, similar } = statements[i % statements.length]!;
        const rows = (await driver.query(text.text, text.params)) as unknown[];
        if (rows.length > 0) return;
        await driver.transaction(async (query) => {
          await query(similarityThresholdStatement.text, similarityThresholdStatement.params);
          await query(similar.text, similar.params);
        });
      });
    },
  });
  const writer = { workspaceId: account.write, actorId: account.actorId };
  const bulkTitles = Array.from({ length: BULK }, (_, i) => `Bulk task ${i}`);
  const bulkBody = JSON.stringify(
    Array.from({ length: BULK }, (_, i) => ({ type: 'task', title: `Bulk task ${i}` })),
  );
  // Reads first: each write case leaves events that the durable consumers work off in
  // the same process after it ends, which a read measured next would pay for.
  return [
    {
      key: 'get',
      server: () =>
        cannon({
          url: server.url,
          headers: auth(account.list),
          requests: rotate(ids.map((id) => `/api/objects/${id}`)),
        }),
      driver: (driver) =>
        timeBox(CONNECTIONS, (i) =>
          driver.query(
            selectById.text,
            selectById.bind({ workspace: account.list, id: ids[i % ids.length] }),
          ),
        ),
    },
    {
      key: 'list',
      server: () =>
        cannon({ url: `${server.url}/api/objects?type=task&limit=50`, headers: auth(account.list) }),
      // The route's own statement (each row's JSON built by PostgreSQL).
      driver: (driver) => {
        const { text, params } = listStatement(account.list, LIST_FILTERS);
        return timeBox(CONNECTIONS, () => driver.query(text, params));
      },
    },
    { key: 'search10k', ...search(account.list) },
    { key: 'searchLarge', ...search(account.big) },
    {
      key: 'create',
      server: () =>
        cannon({
          url: `${server.url}/api/objects`,
          method: 'POST',
          headers: json(account.write),
          body: JSON.stringify({ type: 'task', title: 'Load bench task' }),
        }),
      driver: (driver) =>
        timeBox(CONNECTIONS, () =>
          driver.transaction(async (query) => {
            await createAsTheRouteDoes(query, writer, ['Load bench task']);
          }),
        ),
    },
    {
      key: 'bulk',
      // A time box of fetch calls: a bulk request can take seconds, and autocannon's
      // warm-up would leave them running on the server (see measure.ts).
      server: () =>
        timeBox(BULK_CALLERS, async () => {
          const response = await fetch(`${server.url}/api/objects`, {
            method: 'POST',
            headers: json(account.write),
            body: bulkBody,
          });
          if (response.status !== 201) throw new Error(`bulk create answered ${response.status}`);
          await response.arrayBuffer();
        }),
      driver: (driver) =>
        timeBox(BULK_CALLERS, () =>
          driver.transaction(async (query) => {
            await createAsTheRouteDoes(query, writer, bulkTitles);
          }),
        ),
    },
  ];
}

async function writersCases(
  server: ChildServer,
  account: Account,
  results: Results,
  quiet: () => Promise<void>,
) {
  const body = JSON.stringify({ type: 'task', title: 'Concurrent writer task' });
  const headersOf = (workspace: string) => ({
    authorization: `Bearer ${account.key}`,
    'x-workspace-id': workspace,
    'content-type': 'application/json',
  });
  const url = `${server.url}/api/objects`;
  const options = { url, method: 'POST' as const, connections: 8, body };
  results.set('writersOne', await cannon({ ...options, headers: headersOf(account.writers[0]!) }));
  await quiet();
  let next = 0;
  results.set(
    'writersMany',
    await cannon({
      ...options,
      headers: headersOf(account.writers[0]!),
      setupClient: (client) => client.setHeaders(headersOf(account.writers[next++ % 8]!)),
    }),
  );
}

async function run(): Promise<Table[]> {
  const database = await freshDatabaseEnv('load');
  const logs = mkdtempSync(join(tmpdir(), 'maskin-load-logs-'));
  const env = {
    ...database.env,
    DATABASE_POOL_SIZE: String(POOL_SIZE),
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    MASKIN_SSE_MAX_STREAMS_PER_ACTOR: String(SSE_CLIENTS + 100),
    MASKIN_SSE_MAX_STREAMS_PER_WORKSPACE: String(SSE_CLIENTS + 100),
    MASKIN_SSE_MAX_STREAMS_PER_PERSON: String(SSE_CLIENTS + 100),
    // The benchmark measures throughput from one address with one key, not the limiter.
    MASKIN_RATE_LIMIT_PER_KEY: '0',
    MASKIN_RATE_LIMIT_PER_ADDRESS: '0',
    MASKIN_RATE_LIMIT_SIGNUP: '0',
  };
  let driver: Driver | undefined;
  try {
    // Boot once to migrate and sign up, stop (PGlite: free the folder) to seed, boot again.
    let server = await startKernelProcess(env, join(logs, 'setup.log'));
    const account = await createAccount(server.url);
    await server.stop();
    driver = await openDriver(database.env, POOL_SIZE);
    const seedStarted = performance.now();
    const ids = await seed(driver, account, LARGE_ROWS);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    if (!database.env.DATABASE_URL) {
      await driver.close();
      driver = undefined;
    }
    server = await startKernelProcess(env, join(logs, 'server.log'));
    const bare = await startBareHono();

    const results: Results = new Map();
    results.set('bare', await cannon({ url: `${bare.url}/hello` }));
    if (wanted('health')) results.set('health', await cannon({ url: `${server.url}/api/health` }));
    // A write case leaves events that the durable consumers (triggers, notifications,
    // streams) deliver in the server process after it ends (on PGlite over its one
    // connection): every case starts on a quiet server, and reads come before writes.
    const quiet = () => untilQuiet(server.pid);
    await quiet();
    const mcp = wanted('mcp') ? await measureMcp(server, account, ids) : undefined;
    const measured = pairs(server, account, ids).filter((pair) => wanted(pair.key));
    for (const pair of measured) {
      await quiet();
      results.set(pair.key, await pair.server());
      if (driver && pair.driver) {
        await quiet();
        results.set(`${pair.key}:driver`, await pair.driver(driver));
      }
    }
    await bare.stop();
    await quiet();
    if (wanted('writers')) await writersCases(server, account, results, quiet);
    await quiet();
    const sse = !wanted('sse')
      ? undefined
      : await sseDelivery({
          url: `${server.url}/api/events/stream?type=object.created`, // one frame per write
          headers: { authorization: `Bearer ${account.key}`, 'x-workspace-id': account.sse },
          clients: SSE_CLIENTS,
          writesPerSecond: SSE_WRITES_PER_SECOND,
          seconds: Math.max(DURATION_S, 3),
          write: async (i) => {
            const response = await fetch(`${server.url}/api/objects`, {
              method: 'POST',
              headers: {
                authorization: `Bearer ${account.key}`,
                'x-workspace-id': account.sse,
                'content-type': 'application/json',
              },
              body: JSON.stringify({ type: 'task', title: `Streamed ${i}` }),
            });
            if (response.status !== 201) throw new Error(`SSE write answered ${response.status}`);
            await response.arrayBuffer();
          },
        });
    if (!driver) {
      await server.stop();
      driver = await openDriver(database.env, POOL_SIZE);
      for (const pair of measured) {
        if (pair.driver) results.set(`${pair.key}:driver`, await pair.driver(driver));
      }
    }
    return loadTables({
      kind: databaseKind(),
      results,
      mcp,
      sse,
      settings: {
        seedSeconds,
        largeRows: LARGE_ROWS,
        sseClients: SSE_CLIENTS,
        bulk: BULK,
        bulkCallers: BULK_CALLERS,
        poolSize: POOL_SIZE,
      },
    });
  } finally {
    await driver?.close().catch(() => {});
    await stopAll();
    await database.drop();
    rmSync(logs, { recursive: true, force: true });
  }
}

export const loadBench: BenchModule = { name: 'load', run };

if (import.meta.filename === process.argv[1]) {
  for (const table of await run()) process.stdout.write(`${formatTable(table)}\n\n`);
}
