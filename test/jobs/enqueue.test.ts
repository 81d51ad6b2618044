/**
 * Enqueue in the caller's transaction, once-only runs, singleton keys, cancellation
 * and progress events, on a real kernel (PGlite or DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobContext } from '../../kernel/contract/index.ts';
import { installed } from '../helpers/extensions.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { gate, jobsExtension, until } from './jobs-extension.ts';

const runs: JobContext<{ n: number }>[] = [];
const blockers = new Map<number, ReturnType<typeof gate>>();
const aborted: string[] = [];

const extension = jobsExtension('jobs-basic', (jobs) => {
  jobs.work<{ n: number }>(
    'work',
    async (job) => {
      runs.push(job);
      const blocker = blockers.get(job.payload.n);
      if (!blocker) return;
      job.signal.addEventListener('abort', () => aborted.push(job.id));
      await Promise.race([
        blocker.promise,
        new Promise((_, reject) => job.signal.addEventListener('abort', () => reject(job.signal.reason))),
      ]);
    },
    { concurrency: 4 },
  );
  jobs.work<{ steps: number }>('progress', async (job) => {
    for (let step = 1; step <= job.payload.steps; step++) await job.reportProgress({ step });
  });
});
// A second extension with a queue of the same name: queues are namespaced by extension.
const otherRuns: string[] = [];
const other = jobsExtension('jobs-other', (jobs) => {
  jobs.work('work', async (job) => {
    otherRuns.push(job.id);
  });
});

let t: TestKernel;
let workspaceId: string;
let jobs: typeof extension.jobs;
let database: typeof extension.database;
const runsOf = (n: number) => runs.filter((run) => run.payload.n === n).length;

beforeAll(async () => {
  t = await createTestKernel({ extensions: [installed(extension.definition), installed(other.definition)] });
  ({ jobs, database } = extension);
  ({ workspaceId } = await t.signup('Jobs'));
});
afterAll(async () => {
  for (const blocker of blockers.values()) blocker.open(undefined);
  await t?.close();
});

describe('jobs: enqueue in the caller transaction', () => {
  it('a rolled-back transaction enqueues nothing; a committed one runs its job exactly once', async () => {
    await expect(
      database.db.transaction(async (tx) => {
        await jobs.enqueue(tx, { queue: 'work', workspaceId, payload: { n: 1 } });
        throw new Error('request failed');
      }),
    ).rejects.toThrow('request failed');
    const committed = await database.db.transaction((tx) =>
      jobs.enqueue(tx, { queue: 'work', workspaceId, payload: { n: 2 } }),
    );
    expect(committed.created).toBe(true);
    await until(async () => (await jobs.get(committed.id))?.state === 'completed');
    // The rolled-back job never existed: no row, and its handler never ran.
    const rows = await database.query<{ n: number }>(
      `select (payload->>'n')::int as n from jobs where extension_id = 'jobs-basic' and queue = 'work'`,
    );
    expect(rows.map((row) => row.n)).toEqual([2]);
    expect(runsOf(1)).toBe(0);
    expect(runsOf(2)).toBe(1);
    const run = runs.find((r) => r.id === committed.id)!;
    expect(run).toMatchObject({ workspaceId, attempt: 1, maxAttempts: 3, queue: 'work', scheduledFor: null });
  });

  it('keeps queues of two extensions with the same name apart', async () => {
    const job = await other.database.db.transaction((tx) =>
      other.jobs.enqueue(tx, { queue: 'work', workspaceId, payload: { n: 99 } }),
    );
    await until(() => otherRuns.includes(job.id));
    expect(runs.some((run) => run.id === job.id)).toBe(false);
    // Neither extension sees the other's jobs.
    expect(await jobs.get(job.id)).toBeUndefined();
  });

  it('refuses a queue the extension does not work, naming the fix', async () => {
    await expect(
      database.db.transaction((tx) => jobs.enqueue(tx, { queue: 'nowhere', workspaceId })),
    ).rejects.toThrow(/jobs.work\("nowhere"/);
  });

  it('honours runAt: a job due later is not claimed before it', async () => {
    const later = new Date(Date.now() + 60 * 60 * 1000);
    const job = await database.db.transaction((tx) =>
      jobs.enqueue(tx, { queue: 'work', workspaceId, payload: { n: 3 }, runAt: later }),
    );
    // Another job enqueued after it runs to completion first: the queue went past the future one.
    const marker = await database.db.transaction((tx) =>
      jobs.enqueue(tx, { queue: 'work', workspaceId, payload: { n: 4 } }),
    );
    await until(async () => (await jobs.get(marker.id))?.state === 'completed');
    expect(await jobs.get(job.id)).toMatchObject({ state: 'pending', attempt: 0 });
    expect(runsOf(3)).toBe(0);
  });
});

describe('jobs: singleton keys', () => {
  it('keeps at most one pending or running job per key, and allows a new one after it finished', async () => {
    blockers.set(10, gate());
    const first = await database.db.transaction((tx) =>
      jobs.enqueue(tx, { queue: 'work', workspaceId, payload: { n: 10 }, singletonKey: 'daily' }),
    );
    const second = await database.db.transaction((tx) =>
      jobs.enqueue(tx, { queue: 'work', workspaceId, payload: { n: 11 }, singletonKey: 'daily' }),
    );
    expect(second).toEqual({ id: first.id, created: false });
    await until(async () => (await jobs.get(first.id))?.state === 'running');
    const whileRunning = await database.db.transaction((tx) =>
      jobs.enqueue(tx, { queue: 'work', workspaceId, payload: { n: 12 }, singletonKey: 'daily' }),
    );
    expect(whileRunning).toEqual({ id: first.id, created: false });
    blockers.get(10)!.open(undefined);
    await until(async () => (await jobs.get(first.id))?.state === 'completed');
    const after = await database.db.transaction((tx) =>
      jobs.enqueue(tx, { queue: 'work', workspaceId, payload: { n: 13 }, singletonKey: 'daily' }),
    );
    expect(after.created).toBe(true);
    await until(async () => (await jobs.get(after.id))?.state === 'completed');
    expect([runsOf(10), runsOf(11), runsOf(12), runsOf(13)]).toEqual([1, 0, 0, 1]);
  });
});

describe('jobs: cancellation', () => {
  it('a job cancelled before it ran never runs', async () => {
    const job = await database.db.transaction(async (tx) => {
      const enqueued = await jobs.enqueue(tx, { queue: 'work', workspaceId, payload: { n: 20 } });
      expect(await jobs.cancel(tx, enqueued.id)).toBe(true);
      return enqueued;
    });
    // A job enqueued after it completes: the worker claimed past the cancelled one.
    const marker = await database.db.transaction((tx) =>
      jobs.enqueue(tx, { queue: 'work', workspaceId, payload: { n: 23 } }),
    );
    await until(async () => (await jobs.get(marker.id))?.state === 'completed');
    expect(await jobs.get(job.id)).toMatchObject({ state: 'cancelled', attempt: 0 });
    expect(runsOf(20)).toBe(0);
    // Cancelling a finished job changes nothing.
    expect(await database.db.transaction((tx) => jobs.cancel(tx, job.id))).toBe(false);
    expect(await database.db.transaction((tx) => jobs.cancel(tx, marker.id))).toBe(false);
  });

  it("a running job's signal is aborted when the cancel commits, and it is not retried", async () => {
    blockers.set(21, gate());
    const job = await database.db.transaction((tx) =>
      jobs.enqueue(tx, { queue: 'work', workspaceId, payload: { n: 21 } }),
    );
    await until(async () => (await jobs.get(job.id))?.state === 'running');
    await until(() => runsOf(21) === 1);
    expect(await database.db.transaction((tx) => jobs.cancel(tx, job.id))).toBe(true);
    await until(() => aborted.includes(job.id));
    const info = await jobs.get(job.id);
    expect(info).toMatchObject({ state: 'cancelled', attempt: 1 });
    expect(runsOf(21)).toBe(1);
  });

  it('a cancel in a transaction that rolls back cancels nothing', async () => {
    blockers.set(22, gate());
    const job = await database.db.transaction((tx) =>
      jobs.enqueue(tx, { queue: 'work', workspaceId, payload: { n: 22 } }),
    );
    await until(() => runsOf(22) === 1);
    await expect(
      database.db.transaction(async (tx) => {
        await jobs.cancel(tx, job.id);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await jobs.get(job.id)).toMatchObject({ state: 'running' });
    blockers.get(22)!.open(undefined);
    await until(async () => (await jobs.get(job.id))?.state === 'completed');
    expect(aborted).not.toContain(job.id);
  });
});

describe('jobs: progress', () => {
  it('reportProgress writes job.progress events to the workspace log and the latest to the job', async () => {
    const job = await database.db.transaction((tx) =>
      jobs.enqueue(tx, { queue: 'progress', workspaceId, payload: { steps: 3 } }),
    );
    await until(async () => (await jobs.get(job.id))?.state === 'completed');
    const events = await database.query<{ type: string; entity_id: string; data: any }>(
      `select type, entity_type, entity_id, data from events where workspace_id = $1 and type = 'job.progress' order by id`,
      [workspaceId],
    );
    expect(events.map((event) => event.data.progress)).toEqual([{ step: 1 }, { step: 2 }, { step: 3 }]);
    expect(events[0]).toMatchObject({
      entity_type: 'job',
      entity_id: job.id,
      data: { extension: 'jobs-basic', queue: 'progress', attempt: 1 },
    });
    expect((await jobs.get(job.id))?.progress).toEqual({ step: 3 });
  });
});
