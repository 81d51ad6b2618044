/**
 * Event log and stream: write throughput of recordEvent (the per-workspace counter
 * row serialises writers of one workspace, so 8 writers in one workspace and in 8
 * workspaces are measured apart) next to a plain bigserial insert, and commit-to-client
 * delivery latency over real HTTP with 1, 100 and 1,000 SSE clients next to the raw
 * NOTIFY round trip, all in one run on one database.
 *
 * The SSE clients live in a worker thread (their own event loop, so parsing 1,000
 * sockets does not stall the server's loop) and timestamp arrivals on the shared
 * wall clock (timeOrigin + now). Latency = arrival at a client - return of the
 * writer's COMMIT, over every (client, event) pair.
 *
 * Runs alone: `npx tsx bench/events.ts`; BENCH_SECONDS sets each throughput window.
 */
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../kernel/config.ts';
import { recordEvent } from '../kernel/events/record-event.ts';
import { createKernel, createLogger, type Kernel } from '../kernel/kernel.ts';
import {
  type BenchModule,
  databaseKind,
  formatTable,
  freshDatabaseEnv,
  ms,
  sleep,
  summarize,
  type Table,
} from './lib.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const CLIENT_COUNTS = [1, 100, 1_000];
const now = () => performance.timeOrigin + performance.now();

interface Account {
  key: string;
  actorId: string;
  workspaceId: string;
}

async function signup(kernel: Kernel): Promise<Account> {
  const response = await kernel.app.request('/api/actors/signup', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Bench', email: `bench-${Date.now()}@example.com` }),
  });
  const body = (await response.json()) as any;
  return { key: body.api_key.key, actorId: body.actor.id, workspaceId: body.workspace.id };
}

async function createWorkspace(kernel: Kernel, key: string, name: string): Promise<string> {
  const response = await kernel.app.request('/api/workspaces', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  return ((await response.json()) as any).id;
}

/** Runs `writers` loops of `write` for SECONDS; returns per-transaction latencies and the rate. */
async function timeBox(writers: number, write: (writer: number) => Promise<void>) {
  const samples: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await write(writer);
        samples.push(performance.now() - t0);
      }
    }),
  );
  return { samples, perSecond: samples.length / ((performance.now() - started) / 1000) };
}

async function throughput(kernel: Kernel, account: Account, workspaces: string[]): Promise<Table> {
  const { db } = kernel.services.database;
  await kernel.services.database.query(
    'create table bench_raw (id bigserial primary key, scope uuid not null, data jsonb not null)',
  );
  const event = (workspaceId: string, writer: number) => ({
    workspaceId,
    actorId: account.actorId,
    type: 'bench.written',
    entityType: 'bench',
    entityId: String(writer),
    data: { writer },
  });
  const cases: [string, number, (writer: number) => Promise<void>][] = [
    [
      'recordEvent, 1 writer',
      1,
      (w) => db.transaction((tx) => recordEvent(tx, event(account.workspaceId, w))).then(),
    ],
    [
      'recordEvent, 8 writers, 1 workspace',
      8,
      (w) => db.transaction((tx) => recordEvent(tx, event(account.workspaceId, w))).then(),
    ],
    [
      'recordEvent, 8 writers, 8 workspaces',
      8,
      (w) => db.transaction((tx) => recordEvent(tx, event(workspaces[w]!, w))).then(),
    ],
    [
      'baseline: bigserial insert, 8 writers',
      8,
      (w) =>
        db
          .transaction((tx) =>
            tx.execute(
              sql`insert into bench_raw (scope, data) values (${account.workspaceId}, ${JSON.stringify({ writer: w })}::jsonb)`,
            ),
          )
          .then(),
    ],
  ];
  const rows = [];
  for (const [name, writers, write] of cases) {
    const { samples, perSecond } = await timeBox(writers, write);
    const summary = summarize(samples);
    rows.push([name, Math.round(perSecond), ms(summary.p50), ms(summary.p99)]);
  }
  return {
    title: `Event writes (${databaseKind()}, ${SECONDS} s per case, one event per transaction)`,
    columns: ['case', 'events/s', 'tx p50 ms', 'tx p99 ms'],
    rows,
    notes: [
      'The counter row serialises writers of one workspace from their event insert to commit;',
      'writers in different workspaces do not wait for each other. The bigserial row has no ordering guarantee.',
    ],
  };
}

/** Worker source: opens N SSE connections and timestamps every `id:` frame on each. */
const CLIENTS_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { url, headers, count } = workerData;
const arrivals = new Map();
const requests = [];
function open() {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers, agent: false }, (response) => {
      if (response.statusCode !== 200) return reject(new Error('stream answered ' + response.statusCode));
      response.setEncoding('latin1');
      let carry = '';
      response.on('data', (chunk) => {
        const at = performance.timeOrigin + performance.now();
        const blocks = (carry + chunk).split('\\n\\n');
        carry = blocks.pop();
        for (const block of blocks) {
          if (block === ': live') resolve();
          else if (block.startsWith('id: ')) {
            const id = Number(block.slice(4, block.indexOf('\\n')));
            let list = arrivals.get(id);
            if (!list) arrivals.set(id, (list = []));
            list.push(at);
          }
        }
      });
    });
    request.on('error', reject);
    requests.push(request);
  });
}
(async () => {
  for (let i = 0; i < count; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, count - i) }, open));
  }
  parentPort.postMessage({ ready: true });
})().catch((error) => parentPort.postMessage({ error: String(error) }));
parentPort.on('message', () => {
  parentPort.postMessage({ arrivals: [...arrivals] });
  for (const request of requests) request.destroy();
});
`;

function message<T>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    worker.once('message', (value) => (value.error ? reject(new Error(value.error)) : resolve(value)));
    worker.once('error', reject);
  });
}

async function deliveryLatency(kernel: Kernel, account: Account, url: string): Promise<Table> {
  const { database } = kernel.services;
  const rows = [];

  // Baseline: NOTIFY sent on the pool, received by a LISTEN in this process.
  let received: (() => void) | undefined;
  const unlisten = await database.listen('bench_ping', () => received?.());
  const pings: number[] = [];
  for (let i = 0; i < 200; i++) {
    const arrived = new Promise<void>((resolve) => {
      received = resolve;
    });
    const t0 = now();
    await database.notify('bench_ping', String(i));
    await arrived;
    pings.push(now() - t0);
  }
  await unlisten();
  const ping = summarize(pings);
  rows.push(['raw NOTIFY round trip (no clients)', ping.n, ms(ping.p50), ms(ping.p99)]);

  for (const clients of CLIENT_COUNTS) {
    const worker = new Worker(CLIENTS_WORKER, {
      eval: true,
      workerData: {
        url: `${url}/api/events/stream`,
        headers: { authorization: `Bearer ${account.key}`, 'x-workspace-id': account.workspaceId },
        count: clients,
      },
    });
    await message(worker);
    const events = clients >= 1_000 ? 40 : 100;
    const committedAt = new Map<number, number>();
    for (let i = 0; i < events; i++) {
      const { id } = await database.db.transaction((tx) =>
        recordEvent(tx, {
          workspaceId: account.workspaceId,
          actorId: account.actorId,
          type: 'bench.delivered',
          entityType: 'bench',
          entityId: String(i),
          data: { i },
        }),
      );
      committedAt.set(id, now());
      await sleep(clients >= 1_000 ? 25 : 5);
    }
    await sleep(1_000); // let the last frames land
    worker.postMessage('report');
    const { arrivals } = await message<{ arrivals: [number, number[]][] }>(worker);
    await worker.terminate();
    const latencies: number[] = [];
    let delivered = 0;
    for (const [id, times] of arrivals) {
      const committed = committedAt.get(id);
      if (committed === undefined) continue;
      delivered += times.length;
      for (const at of times) latencies.push(at - committed);
    }
    const summary = summarize(latencies);
    const complete = delivered === events * clients ? '' : ` (${delivered}/${events * clients} delivered)`;
    rows.push([
      `commit -> SSE client, ${clients} client${clients > 1 ? 's' : ''}${complete}`,
      summary.n,
      ms(summary.p50),
      ms(summary.p99),
    ]);
    // Let the server notice the closed sockets before the next round.
    const hub = kernel.services.eventStream;
    for (let i = 0; i < 200 && hub.stats().clients > 0; i++) await sleep(10);
  }
  return {
    title: `Event delivery latency (${databaseKind()}, real HTTP on loopback, one server process)`,
    columns: ['case', 'samples', 'p50 ms', 'p99 ms'],
    rows,
    notes: [
      'Samples are (client, event) pairs; events are written one at a time, spaced out.',
      'Clients run in a worker thread of the same process; the machine is shared, so compare rows, not runs.',
    ],
  };
}

export const eventsBench: BenchModule = {
  name: 'events',
  async run() {
    const database = await freshDatabaseEnv('events');
    const config = loadConfig({
      MASKIN_RATE_LIMIT_PER_KEY: '0',
      ...database.env,
      LOG_LEVEL: 'silent',
      MASKIN_BOOTSTRAP: 'false',
      MASKIN_SSE_MAX_STREAMS_PER_ACTOR: '5000',
      MASKIN_SSE_MAX_BUFFERED_BYTES: String(4 * 1024 * 1024),
      DATABASE_POOL_SIZE: '20',
    });
    const kernel = await createKernel({ config, logger: createLogger('silent') });
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: kernel.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    try {
      const account = await signup(kernel);
      const workspaces = [];
      for (let i = 0; i < 8; i++) workspaces.push(await createWorkspace(kernel, account.key, `bench ${i}`));
      const { port } = server.address() as AddressInfo;
      const latency = await deliveryLatency(kernel, account, `http://127.0.0.1:${port}`);
      const writes = await throughput(kernel, account, workspaces);
      return [writes, latency];
    } finally {
      await kernel.beforeShutdown();
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await kernel.close();
      await database.drop();
    }
  },
};

if (import.meta.filename === process.argv[1]) {
  for (const table of await eventsBench.run()) process.stdout.write(`${formatTable(table)}\n\n`);
}
