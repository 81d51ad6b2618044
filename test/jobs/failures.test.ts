/**
 * What happens when a job does not simply succeed: retries with exponential back-off
 * then `failed` (with a job.failed event), timeouts that abort the handler's signal,
 * and a job whose process died (lease expired) being claimed again with the attempt
 * counted. The dead process is produced deterministically: a row claimed by a worker
 * id that no process has, with a lease already in the past.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installed } from '../helpers/extensions.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { jobsExtension, until } from './jobs-extension.ts';

const BASE_DELAY_MS = 150;
const attemptsAt = new Map<string, { attempt: number; at: number }[]>();
const timedOut: { id: string; reason: unknown }[] = [];

const extension = jobsExtension('jobs-failing', (jobs) => {
  jobs.work('flaky', async (job) => {
    const seen = attemptsAt.get(job.id) ?? [];
    seen.push({ attempt: job.attempt, at: Date.now() });
    attemptsAt.set(job.id, seen);
    const { succeedOn } = job.payload as { succeedOn?: number };
    if (job.attempt !== succeedOn) throw new Error(`boom on attempt ${job.attempt}`);
  });
  jobs.work('slow', async (job) => {
    await new Promise<void>((resolve) => {
      job.signal.addEventListener('abort', () => {
        timedOut.push({ id: job.id, reason: job.signal.reason });
        resolve();
      });
    });
  });
});

let t: TestKernel;
let workspaceId: string;
let jobs: typeof extension.jobs;
let database: typeof extension.database;

beforeAll(async () => {
  t = await createTestKernel({ extensions: [installed(extension.definition)] });
  ({ jobs, database } = extension);
  ({ workspaceId } = await t.signup('Failing'));
});
afterAll(async () => {
  await t?.close();
});

const enqueue = (input: Omit<Parameters<typeof jobs.enqueue>[1], 'workspaceId'>) =>
  database.db.transaction((tx) => jobs.enqueue(tx, { workspaceId, ...input }));

describe('jobs: retries', () => {
  it('retries a failing handler with doubling delays, then marks it failed with a job.failed event', async () => {
    const job = await enqueue({ queue: 'flaky', payload: {}, maxAttempts: 3, retryDelayMs: BASE_DELAY_MS });
    await until(async () => (await jobs.get(job.id))?.state === 'failed');
    const seen = attemptsAt.get(job.id)!;
    expect(seen.map((s) => s.attempt)).toEqual([1, 2, 3]);
    // The database holds each retry back until its run_at: the gaps are at least the back-off.
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(BASE_DELAY_MS - 5);
    expect(seen[2]!.at - seen[1]!.at).toBeGreaterThanOrEqual(2 * BASE_DELAY_MS - 5);
    expect(await jobs.get(job.id)).toMatchObject({ attempt: 3, lastError: 'boom on attempt 3' });
    const events = await database.query<{ data: any }>(
      `select data from events where workspace_id = $1 and type = 'job.failed' and entity_id = $2`,
      [workspaceId, job.id],
    );
    expect(events.map((e) => e.data)).toEqual([
      { extension: 'jobs-failing', queue: 'flaky', attempts: 3, error: 'boom on attempt 3' },
    ]);
  });

  it('completes on a retry that succeeds, without a job.failed event', async () => {
    const job = await enqueue({ queue: 'flaky', payload: { succeedOn: 2 }, retryDelayMs: 10 });
    await until(async () => (await jobs.get(job.id))?.state === 'completed');
    expect(attemptsAt.get(job.id)!.map((s) => s.attempt)).toEqual([1, 2]);
    const events = await database.query(`select 1 from events where type = 'job.failed' and entity_id = $1`, [
      job.id,
    ]);
    expect(events).toHaveLength(0);
  });
});

describe('jobs: timeouts', () => {
  it("aborts the handler's signal after timeoutMs and counts the attempt as failed", async () => {
    const job = await enqueue({
      queue: 'slow',
      payload: {},
      timeoutMs: 100,
      maxAttempts: 2,
      retryDelayMs: 10,
    });
    await until(async () => (await jobs.get(job.id))?.state === 'failed');
    const aborts = timedOut.filter((entry) => entry.id === job.id);
    expect(aborts).toHaveLength(2);
    expect(String((aborts[0]!.reason as Error).message)).toBe('timed out after 100 ms');
    expect(await jobs.get(job.id)).toMatchObject({ attempt: 2, lastError: 'timed out after 100 ms' });
  });
});

describe('jobs: a process that died mid-run', () => {
  const orphan = async (attempt: number, maxAttempts: number) => {
    const [row] = await database.query<{ id: string }>(
      `insert into jobs (extension_id, queue, workspace_id, payload, state, attempt, max_attempts, timeout_ms,
                         retry_delay_ms, locked_by, locked_until)
       values ('jobs-failing', 'flaky', $1, '{"succeedOn": ${attempt + 1}}', 'running', $2, $3, 60000, 10,
               'dead-host:1:gone', now() - interval '1 second')
       returning id`,
      [workspaceId, attempt, maxAttempts],
    );
    // Wake the worker as an enqueue would (the poll would find it too, a little later).
    await database.query(`select pg_notify('maskin_jobs', 'jobs-failing/flaky')`);
    return row!.id;
  };

  it('claims a job whose lease expired again, counting the lost attempt', async () => {
    const id = await orphan(1, 3);
    await until(async () => (await jobs.get(id))?.state === 'completed');
    expect(attemptsAt.get(id)!.map((s) => s.attempt)).toEqual([2]);
  });

  it('fails a job whose lease expired on its last attempt instead of running it again', async () => {
    const id = await orphan(2, 2);
    await until(async () => (await jobs.get(id))?.state === 'failed');
    expect(attemptsAt.get(id)).toBeUndefined();
    expect((await jobs.get(id))?.lastError).toMatch(/lease expired/);
  });

  it('leaves a job with a live lease alone', async () => {
    const [row] = await database.query<{ id: string }>(
      `insert into jobs (extension_id, queue, workspace_id, payload, state, attempt, max_attempts, timeout_ms,
                         retry_delay_ms, locked_by, locked_until)
       values ('jobs-failing', 'flaky', $1, '{}', 'running', 1, 3, 60000, 10, 'live-host:1:busy',
               now() + interval '1 hour')
       returning id`,
      [workspaceId],
    );
    // A later job completing proves the worker claimed past the leased one.
    const marker = await enqueue({ queue: 'flaky', payload: { succeedOn: 1 } });
    await until(async () => (await jobs.get(marker.id))?.state === 'completed');
    expect(attemptsAt.get(row!.id)).toBeUndefined();
    expect(await jobs.get(row!.id)).toMatchObject({ state: 'running', attempt: 1 });
  });
});
