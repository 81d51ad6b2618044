/**
 * What do auth and the framework cost? One run, three cases side by side, each over
 * real HTTP on loopback (except the database baseline):
 *
 *   - `SELECT 1` through the kernel's own driver: the raw database round trip;
 *   - a bare Hono route on @hono/node-server returning a small JSON body: the
 *     framework and socket floor, with no auth and no database;
 *   - authenticated `GET /api/workspaces/:id` on the booted kernel: key check
 *     (cached), membership lookup, handler query, envelope and request id.
 *
 * The kernel and the bare app run in this process and the client is undici (fetch),
 * so all HTTP cases pay the same client cost. Latency is sequential; throughput uses
 * a few concurrent callers. Numbers, never pass/fail.
 *
 * Runs alone: `npm run bench -- kernel` (BENCH_ITERATIONS, default 2000).
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { loadConfig } from '../kernel/config.ts';
import { createKernel, createLogger } from '../kernel/kernel.ts';
import { type BenchModule, databaseKind, freshDatabaseEnv, measureCalls, ms, type Table } from './lib.ts';

const CONCURRENCY = 8;

function listen(fetch: (request: Request) => Response | Promise<Response>): Promise<ServerType> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(server));
  });
}

const urlOf = (server: ServerType) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const close = (server: ServerType) => new Promise<void>((resolve) => server.close(() => resolve()));

async function expectOk(response: Response) {
  if (response.status !== 200) throw new Error(`unexpected ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
}

async function run(): Promise<Table[]> {
  const iterations = Number(process.env.BENCH_ITERATIONS ?? 2000);
  const database = await freshDatabaseEnv('kernel');
  const config = loadConfig({
    MASKIN_RATE_LIMIT_PER_KEY: '0',
    ...database.env,
    LOG_LEVEL: 'silent',
    MASKIN_BOOTSTRAP: 'false',
  });
  const kernel = await createKernel({ config, logger: createLogger('silent') });
  const bare = new Hono().get('/hello', (c) => c.json({ ok: true }));
  const kernelServer = await listen(kernel.app.fetch);
  const bareServer = await listen(bare.fetch);
  try {
    const base = urlOf(kernelServer);
    const signup = await fetch(`${base}/api/actors/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Bench', email: `bench-${randomBytes(4).toString('hex')}@example.com` }),
    });
    const { api_key, workspace } = (await signup.json()) as {
      api_key: { key: string };
      workspace: { id: string };
    };
    const headers = { authorization: `Bearer ${api_key.key}` };
    const workspaceUrl = `${base}/api/workspaces/${workspace.id}`;
    const bareUrl = `${urlOf(bareServer)}/hello`;

    const cases: [string, () => Promise<unknown>][] = [
      ['SELECT 1 (driver round trip)', () => kernel.services.database.query('select 1')],
      ['bare Hono route (HTTP)', async () => expectOk(await fetch(bareUrl))],
      ['GET /api/workspaces/:id (HTTP, auth)', async () => expectOk(await fetch(workspaceUrl, { headers }))],
    ];
    const rows = [];
    for (const [name, call] of cases) {
      const result = await measureCalls(call, { iterations, concurrency: CONCURRENCY });
      rows.push([
        name,
        result.n,
        ms(result.p50),
        ms(result.p99),
        ms(result.mean),
        Math.round(result.throughput),
      ]);
    }
    return [
      {
        title: `Kernel request cost (${databaseKind()})`,
        columns: ['case', 'n', 'p50 ms', 'p99 ms', 'mean ms', `req/s (${CONCURRENCY} callers)`],
        rows,
        notes: [
          'GET /api/workspaces/:id minus the bare route is what auth, membership and the handler add;',
          'its database part is at least one driver round trip (the SELECT 1 row).',
        ],
      },
    ];
  } finally {
    await Promise.all([close(kernelServer), close(bareServer)]);
    await kernel.close();
    await database.drop();
  }
}

export const kernelBench: BenchModule = { name: 'kernel', run };
