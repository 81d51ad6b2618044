/**
 * Workers start in onReady and stop in onShutdown: a job still running when the
 * process shuts down gets the grace period, then its signal is aborted and the job is
 * handed back (pending, the attempt not counted) so another instance runs it at once
 * instead of waiting for its lease to expire.
 */
import { expect, it } from 'vitest';
import { installed } from '../helpers/extensions.ts';
import { createTestKernel } from '../helpers/test-kernel.ts';
import { gate, jobsExtension, until } from './jobs-extension.ts';

it('hands a job still running at shutdown back, uncounted', async () => {
  const started = gate<string>();
  const aborts: unknown[] = [];
  const extension = jobsExtension('jobs-shutdown', (jobs) => {
    jobs.work('hold', async (job) => {
      started.open(job.id);
      // Runs until its signal fires (here: shutdown, after the grace period).
      await new Promise<void>((resolve) =>
        job.signal.addEventListener('abort', () => {
          aborts.push(job.signal.reason);
          resolve();
        }),
      );
    });
  });
  const t = await createTestKernel({ extensions: [installed(extension.definition)], ready: false });
  try {
    const { workspaceId } = await t.signup('Shutdown');
    const { jobs, database } = extension;
    const job = await database.db.transaction((tx) => jobs.enqueue(tx, { queue: 'hold', workspaceId }));
    await t.kernel.ready();
    expect(await started.promise).toBe(job.id);
    await until(async () => (await jobs.get(job.id))?.state === 'running');

    await t.kernel.beforeShutdown();
    await t.kernel.close();
    expect(aborts).toHaveLength(1);
    expect((aborts[0] as Error).message).toBe('the process is shutting down');
    const [row] = await t.testDatabase.database.query<{
      state: string;
      attempt: number;
      locked_by: string | null;
    }>('select state, attempt, locked_by from jobs where id = $1', [job.id]);
    expect(row).toEqual({ state: 'pending', attempt: 0, locked_by: null });
  } finally {
    await t.testDatabase.drop();
  }
});
