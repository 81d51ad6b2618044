/**
 * Torture test of the claim: several independent workers (as in several processes,
 * each with its own worker id) race for one queue's jobs on one database. Every job
 * must run exactly once, whatever the interleaving. On PostgreSQL the workers' claims
 * run concurrently on a pool; on PGlite they serialise on its one connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DueQueuesPoll } from '../../kernel/jobs/due-queues-poll.ts';
import { insertJob } from '../../kernel/jobs/job-store.ts';
import { QueueWorker } from '../../kernel/jobs/queue-worker.ts';
import { createLogger } from '../../kernel/kernel.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { until } from './jobs-extension.ts';

const JOBS = 300;
const WORKERS = 6;

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ extensions: [] });
});
afterAll(async () => {
  await t?.close();
});

describe('jobs: racing claims', () => {
  it('runs every job exactly once when several workers claim the same queue', async () => {
    const database = t.kernel.services.database;
    const { workspaceId } = await t.signup('Race');
    await database.db.transaction(async (tx) => {
      for (let i = 0; i < JOBS; i++) {
        await insertJob(tx, {
          extensionId: 'race',
          queue: 'work',
          workspaceId,
          payload: { i },
          runAt: undefined,
          singletonKey: undefined,
          maxAttempts: 1,
          timeoutMs: 60_000,
          retryDelayMs: 0,
        });
      }
    });
    const runs = new Map<string, string[]>();
    const workers = Array.from(
      { length: WORKERS },
      (_, n) =>
        new QueueWorker({
          database,
          logger: createLogger('silent'),
          extensionId: 'race',
          enablement: 'always',
          queue: 'work',
          workerId: `racer-${n}`,
          concurrency: 5,
          leaseMs: 30_000,
          pollIntervalMs: 20,
          // Each worker as in a process of its own: its own fallback poll.
          poll: new DueQueuesPoll(database, createLogger('silent')),
          handler: async (job) => {
            runs.set(job.id, [...(runs.get(job.id) ?? []), `racer-${n}`]);
            // Yield so other workers' claims interleave with this run.
            await new Promise((resolve) => setImmediate(resolve));
          },
        }),
    );
    for (const worker of workers) worker.start();
    try {
      await until(async () => {
        const [row] = await database.query<{ n: number }>(
          `select count(*)::int as n from jobs where extension_id = 'race' and state = 'completed'`,
        );
        return row!.n === JOBS;
      }, 60_000);
    } finally {
      await Promise.all(workers.map((worker) => worker.stop(1_000)));
    }
    expect(runs.size).toBe(JOBS);
    const twice = [...runs].filter(([, by]) => by.length !== 1);
    expect(twice).toEqual([]);
    const [attempts] = await database.query<{ max: number }>(
      `select max(attempt)::int as max from jobs where extension_id = 'race'`,
    );
    expect(attempts!.max).toBe(1);
  });
});
