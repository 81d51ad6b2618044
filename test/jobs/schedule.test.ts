/**
 * Schedules: a seconds cron fires each slot once, and when several schedulers (as in
 * several processes) race for one slot, exactly one enqueues its job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCron } from '../../kernel/jobs/cron-slots.ts';
import { Scheduler } from '../../kernel/jobs/scheduler.ts';
import { createLogger } from '../../kernel/kernel.ts';
import { installed } from '../helpers/extensions.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { jobsExtension, until } from './jobs-extension.ts';

const fired: { slot: string; workspaceId: string | null; payload: unknown }[] = [];

const extension = jobsExtension('jobs-cron', (jobs) => {
  jobs.work('tick', async (job) => {
    fired.push({ slot: job.scheduledFor!.toISOString(), workspaceId: job.workspaceId, payload: job.payload });
  });
  jobs.schedule({ name: 'every-second', queue: 'tick', cron: '* * * * * *', payload: { from: 'cron' } });
});

let t: TestKernel;
let workspaceId: string;

beforeAll(async () => {
  t = await createTestKernel({ extensions: [installed(extension.definition)] });
  ({ workspaceId } = await t.signup('Cron'));
});
afterAll(async () => {
  await t?.close();
});

describe('jobs: schedules', () => {
  it('fires a seconds cron once per slot', async () => {
    await until(() => new Set(fired.map((f) => f.slot)).size >= 3);
    const slots = fired.map((f) => f.slot);
    expect(new Set(slots).size).toBe(slots.length);
    for (const slot of slots) expect(slot).toMatch(/\.000Z$/);
    expect(fired[0]).toMatchObject({ workspaceId: null, payload: { from: 'cron' } });
    const recorded = await extension.database.query<{ n: number }>(
      `select count(*)::int as n from jobs where extension_id = 'jobs-cron' and scheduled_for is not null
        group by scheduled_for having count(*) > 1`,
    );
    expect(recorded).toEqual([]);
  });

  it('lets exactly one of several racing schedulers claim a slot', async () => {
    const database = t.kernel.services.database;
    const declared = {
      input: { name: 'raced', queue: 'tick', cron: '0 0 * * * *', timezone: 'Europe/Oslo', workspaceId },
      cron: parseCron('raced', { cron: '0 0 * * * *', timezone: 'Europe/Oslo' }),
      maxAttempts: 1,
      timeoutMs: 1000,
      retryDelayMs: 0,
    };
    const schedules = new Map([['raced', declared]]);
    const schedulers = Array.from(
      { length: 4 },
      () => new Scheduler(database, createLogger('silent'), 'jobs-cron', schedules),
    );
    const slot = new Date('2026-03-01T10:00:00.000Z');
    const won = await Promise.all(schedulers.map((scheduler) => scheduler.fire(declared, slot)));
    expect(won.filter(Boolean)).toHaveLength(1);
    await until(() => fired.some((f) => f.slot === slot.toISOString()));
    const jobs = await extension.database.query<{ workspace_id: string }>(
      `select workspace_id from jobs where extension_id = 'jobs-cron' and scheduled_for = $1`,
      [slot.toISOString()],
    );
    expect(jobs).toEqual([{ workspace_id: workspaceId }]);
    // The same slot again (a late process): still nothing new.
    expect(await schedulers[0]!.fire(declared, slot)).toBe(false);
  });
});
