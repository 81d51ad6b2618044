/**
 * Jobs throughput and pickup latency, next to the raw database round trip measured in
 * the same run on the same database.
 *
 *   - `SELECT 1` through the kernel's driver: the floor every claim and write pays;
 *   - enqueue only: jobs inserted per second, one job per transaction (no worker);
 *   - enqueue N then run them with 1, 8 and 32 concurrent handlers in this process:
 *     jobs per second from the first enqueue to the last handler returning (each job
 *     costs a claim, the handler, and the completing update; a no-op handler);
 *   - pickup latency: commit of a single enqueue to its handler starting, one job at a
 *     time, so it shows the NOTIFY wake-up rather than the poll interval (1 s).
 *
 * One process; several processes share the claims (test/jobs/two-processes.test.ts).
 * Runs alone: `npm run bench -- jobs` (BENCH_JOBS, default 1000).
 */
import { loadConfig } from '../kernel/config.ts';
import {
  dbRef,
  defineExtension,
  type ExtensionDatabase,
  type ExtensionJobs,
  jobsRef,
} from '../kernel/contract/index.ts';
import { createKernel, createLogger } from '../kernel/kernel.ts';
import {
  type BenchModule,
  databaseKind,
  freshDatabaseEnv,
  measureCalls,
  ms,
  summarize,
  type Table,
} from './lib.ts';

const CONCURRENCIES = [1, 8, 32];
const ENQUEUE_BATCH = 50;
const PICKUP_SAMPLES = 100;

interface BenchHandles {
  jobs: ExtensionJobs;
  database: ExtensionDatabase;
}

/** Resolvers waiting for `count` handler calls on a queue. */
const finished = new Map<string, { remaining: number; done: () => void }>();
/** When each pickup job's handler started, and who waits for it. */
const startedAt = new Map<string, number>();
const startWaiters = new Map<string, () => void>();

function benchExtension(handles: Partial<BenchHandles>) {
  return defineExtension({
    manifest: {
      id: 'jobs-bench',
      version: '1.0.0',
      kernel: '^1.0.0',
      description: 'Benchmark queues',
      enablement: 'always',
    },
    deps: { jobs: jobsRef, database: dbRef },
    setup({ deps }) {
      handles.jobs = deps.jobs;
      handles.database = deps.database;
      for (const concurrency of CONCURRENCIES) {
        const queue = `c${concurrency}`;
        deps.jobs.work(
          queue,
          async () => {
            const waiting = finished.get(queue);
            if (waiting && --waiting.remaining === 0) waiting.done();
          },
          { concurrency },
        );
      }
      deps.jobs.work('pickup', async (job) => {
        startedAt.set(job.id, performance.now());
        startWaiters.get(job.id)?.();
      });
      deps.jobs.work('idle', async () => {}, { pollIntervalMs: 60 * 60 * 1000 });
      return {};
    },
  });
}

async function enqueueMany(handles: BenchHandles, queue: string, count: number, workspaceId: string | null) {
  for (let offset = 0; offset < count; offset += ENQUEUE_BATCH) {
    await handles.database.db.transaction(async (tx) => {
      for (let i = offset; i < Math.min(count, offset + ENQUEUE_BATCH); i++) {
        await handles.jobs.enqueue(tx, { queue, workspaceId, payload: { i } });
      }
    });
  }
}

async function run(): Promise<Table[]> {
  const jobCount = Number(process.env.BENCH_JOBS ?? 1000);
  const database = await freshDatabaseEnv('jobs');
  const config = loadConfig({
    MASKIN_RATE_LIMIT_PER_KEY: '0',
    ...database.env,
    LOG_LEVEL: 'silent',
    MASKIN_BOOTSTRAP: 'false',
  });
  const handles: Partial<BenchHandles> = {};
  const kernel = await createKernel({
    config,
    logger: createLogger('silent'),
    extensions: [
      { definition: benchExtension(handles), tier: 'third-party', source: 'bench:jobs', dir: undefined },
    ],
  });
  try {
    await kernel.ready();
    const ready = handles as BenchHandles;
    const rows: (string | number)[][] = [];

    const roundTrip = await measureCalls(() => kernel.services.database.query('select 1'), {
      iterations: 1000,
      concurrency: 1,
    });
    rows.push([
      'SELECT 1 (driver round trip)',
      roundTrip.n,
      ms(roundTrip.mean),
      Math.round(roundTrip.throughput),
    ]);

    const enqueueStarted = performance.now();
    for (let i = 0; i < jobCount; i++) {
      await ready.database.db.transaction((tx) =>
        ready.jobs.enqueue(tx, { queue: 'idle', workspaceId: null }),
      );
    }
    const enqueueSeconds = (performance.now() - enqueueStarted) / 1000;
    rows.push([
      'enqueue, 1 job per transaction',
      jobCount,
      ms((enqueueSeconds * 1000) / jobCount),
      Math.round(jobCount / enqueueSeconds),
    ]);

    for (const concurrency of CONCURRENCIES) {
      const queue = `c${concurrency}`;
      const allDone = new Promise<void>((resolve) =>
        finished.set(queue, { remaining: jobCount, done: resolve }),
      );
      const runStarted = performance.now();
      await enqueueMany(ready, queue, jobCount, null);
      await allDone;
      const seconds = (performance.now() - runStarted) / 1000;
      rows.push([
        `enqueue + run, ${concurrency} concurrent`,
        jobCount,
        ms((seconds * 1000) / jobCount),
        Math.round(jobCount / seconds),
      ]);
    }

    const pickups: number[] = [];
    for (let i = 0; i < PICKUP_SAMPLES; i++) {
      const job = await ready.database.db.transaction((tx) =>
        ready.jobs.enqueue(tx, { queue: 'pickup', workspaceId: null }),
      );
      const committedAt = performance.now();
      if (!startedAt.has(job.id)) {
        await new Promise<void>((resolve) => startWaiters.set(job.id, resolve));
      }
      const handlerAt = startedAt.get(job.id)!;
      pickups.push(Math.max(0, handlerAt - committedAt));
    }
    const pickup = summarize(pickups);

    return [
      {
        title: `Jobs (${databaseKind()}, one process, ${jobCount} jobs per row)`,
        columns: ['case', 'n', 'ms per op', 'per second'],
        rows,
        notes: [
          'Per second: round trips, enqueues, or jobs from the first enqueue to the last handler returning.',
          `Pickup (commit -> handler start, ${pickup.n} jobs one at a time): p50 ${ms(pickup.p50)} ms, p99 ${ms(pickup.p99)} ms.`,
        ],
      },
    ];
  } finally {
    await kernel.beforeShutdown();
    await kernel.close();
    await database.drop();
  }
}

export const jobsBench: BenchModule = { name: 'jobs', run };
