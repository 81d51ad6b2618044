/**
 * Durable subscriptions: how long from a writer's COMMIT to the handler being called
 * (NOTIFY wake-up, cursor lock, event read, savepoint: deliver-next.ts), next to the
 * raw database round trip (`SELECT 1`), a NOTIFY round trip (the wake-up alone) and
 * the event-recording transaction itself, all in one run on one database.
 *
 * Events are written one at a time and each waits for its handler before the next, so
 * the latency is the idle-consumer path, not queueing behind a backlog. The handler
 * only timestamps (it runs in the delivery transaction; a real one adds its writes).
 *
 * Runs alone: `npm run bench -- subscriptions` (BENCH_ITERATIONS, default 200).
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../kernel/config.ts';
import { defineExtension, eventLogRef } from '../kernel/contract/index.ts';
import { recordEvent } from '../kernel/events/record-event.ts';
import { createKernel, createLogger } from '../kernel/kernel.ts';
import {
  type BenchModule,
  databaseKind,
  freshDatabaseEnv,
  ms,
  type Summary,
  summarize,
  type Table,
} from './lib.ts';

/** When the handler ran, by event id; or who waits for it (whichever happens first). */
const calledAt = new Map<number, number>();
const waiting = new Map<number, (at: number) => void>();

const benchExtension = defineExtension({
  manifest: {
    id: 'bench-subscriber',
    version: '1.0.0',
    kernel: '^1.0.0',
    description: 'Benchmark: a subscription whose handler timestamps each event',
    enablement: 'default-on',
  },
  deps: { eventLog: eventLogRef },
  setup({ deps }) {
    deps.eventLog.subscribe({
      consumer: 'latency',
      types: ['bench.ping'],
      handler: async (event) => {
        const at = performance.now();
        const waiter = waiting.get(event.id);
        if (waiter) waiter(at);
        else calledAt.set(event.id, at);
      },
    });
    return {};
  },
});

async function sample(iterations: number, run: () => Promise<number>): Promise<Summary> {
  const samples: number[] = [];
  for (let i = 0; i < Math.min(50, iterations); i++) await run();
  for (let i = 0; i < iterations; i++) samples.push(await run());
  return summarize(samples);
}

const timed = (run: () => Promise<unknown>) => async () => {
  const started = performance.now();
  await run();
  return performance.now() - started;
};

async function run(): Promise<Table[]> {
  const iterations = Number(process.env.BENCH_ITERATIONS ?? 200);
  const fresh = await freshDatabaseEnv('subscriptions');
  const config = loadConfig({
    MASKIN_RATE_LIMIT_PER_KEY: '0',
    ...fresh.env,
    LOG_LEVEL: 'silent',
    MASKIN_BOOTSTRAP: 'false',
  });
  const kernel = await createKernel({
    config,
    logger: createLogger('silent'),
    extensions: [{ definition: benchExtension, tier: 'third-party', source: 'bench', dir: undefined }],
  });
  try {
    const { database } = kernel.services;
    const signup = await kernel.app.request('/api/actors/signup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Bench', email: `bench-${randomBytes(4).toString('hex')}@example.com` }),
    });
    const workspaceId = ((await signup.json()) as { workspace: { id: string } }).workspace.id;
    const write = () =>
      database.db.transaction((tx) =>
        recordEvent(tx, { workspaceId, actorId: null, type: 'bench.ping', entityType: 'bench' }),
      );

    const roundTrip = await sample(
      iterations,
      timed(() => database.query('select 1')),
    );

    let notified: ((at: number) => void) | undefined;
    const channel = `bench_${randomBytes(4).toString('hex')}`;
    const unlisten = await database.listen(channel, () => notified?.(performance.now()));
    const notifyTrip = await sample(iterations, async () => {
      const arrived = new Promise<number>((resolve) => {
        notified = resolve;
      });
      const started = performance.now();
      await database.notify(channel, 'x');
      return (await arrived) - started;
    });
    await unlisten();

    // Baselines before the consumer starts (it registers at its end), so no delivery competes with them.
    const commit = await sample(iterations, timed(write));
    await kernel.ready();

    const delivery = await sample(iterations, async () => {
      const { id } = await write();
      const committed = performance.now();
      const at = calledAt.get(id) ?? (await new Promise<number>((resolve) => waiting.set(id, resolve)));
      calledAt.delete(id);
      waiting.delete(id);
      return Math.max(0, at - committed);
    });

    const row = (name: string, s: Summary) => [name, s.n, ms(s.p50), ms(s.p99), ms(s.mean)];
    return [
      {
        title: `Subscription delivery, commit to handler (${databaseKind()}; ms)`,
        columns: ['measure', 'n', 'p50', 'p99', 'mean'],
        rows: [
          row('raw round trip (SELECT 1)', roundTrip),
          row('NOTIFY round trip', notifyTrip),
          row('write event (transaction)', commit),
          row('commit -> handler called', delivery),
        ],
        notes: [
          'One event at a time, each waiting for its handler: the idle-consumer path.',
          'Delivery = NOTIFY + enablement check (cached) + cursor lock, event read, savepoint, handler.',
        ],
      },
    ];
  } finally {
    await kernel.beforeShutdown();
    await kernel.close();
    await fresh.drop();
  }
}

export const subscriptionsBench: BenchModule = { name: 'subscriptions', run };

if (import.meta.url === `file://${process.argv[1]}`) {
  const { formatTable } = await import('./lib.ts');
  for (const table of await run()) process.stdout.write(`${formatTable(table)}\n`);
}
