/**
 * The process's fallback poll (kernel/jobs/due-queues-poll.ts): one statement per tick
 * for all queues, and only the queues with a job to claim now are woken: a pending
 * job that is due, or a running job whose lease expired. Ticks are driven by hand
 * (`tick(now)`), so nothing here depends on timers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../kernel/db/database.ts';
import { DueQueuesPoll } from '../../kernel/jobs/due-queues-poll.ts';
import { insertJob } from '../../kernel/jobs/job-store.ts';
import { createLogger } from '../../kernel/kernel.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';

let t: TestKernel;
let database: Database;
let workspaceId: string;

beforeAll(async () => {
  t = await createTestKernel({ extensions: [] });
  database = t.kernel.services.database;
  ({ workspaceId } = await t.signup('Poll'));
});
afterAll(async () => {
  await t?.close();
});

/** A job in `queue` of extension `poll`, then put in the given state by hand. */
async function job(queue: string, state: 'due' | 'later' | 'leaseExpired' | 'leaseHeld' | 'completed') {
  const row = await database.db.transaction((tx) =>
    insertJob(tx, {
      extensionId: 'poll',
      queue,
      workspaceId,
      payload: {},
      runAt: undefined,
      singletonKey: undefined,
      maxAttempts: 3,
      timeoutMs: 60_000,
      retryDelayMs: 0,
    }),
  );
  const set = {
    due: `run_at = now() - interval '1 second'`,
    later: `run_at = now() + interval '1 hour'`,
    leaseExpired: `state = 'running', locked_by = 'gone', locked_until = now() - interval '1 second'`,
    leaseHeld: `state = 'running', locked_by = 'alive', locked_until = now() + interval '1 hour'`,
    completed: `state = 'completed', finished_at = now()`,
  }[state];
  await database.query(`update jobs set ${set} where id = $1`, [row.id]);
}

/** Counts the statements the poll sends through `database.query`. */
function counting(inner: Database): { database: Database; statements: () => number } {
  let statements = 0;
  const database = Object.create(inner) as Database;
  database.query = (text, params) => {
    statements++;
    return inner.query(text, params);
  };
  return { database, statements: () => statements };
}

describe('jobs: the shared fallback poll', () => {
  it('asks about every queue in one statement and wakes only those with work to claim', async () => {
    const states = ['due', 'later', 'leaseExpired', 'leaseHeld', 'completed'] as const;
    for (const state of states) await job(state, state);
    const { database: counted, statements } = counting(database);
    const poll = new DueQueuesPoll(counted, createLogger('silent'));
    const woken: string[] = [];
    const start = Date.now();
    for (const queue of [...states, 'empty']) {
      poll.add({ extensionId: 'poll', queue, intervalMs: 1_000, wake: () => woken.push(queue) });
    }
    // Another extension's queue of the same name is a different queue.
    poll.add({ extensionId: 'other', queue: 'due', intervalMs: 1_000, wake: () => woken.push('other:due') });

    await poll.tick(start + 1_000);
    expect(statements()).toBe(1);
    expect(woken.sort()).toEqual(['due', 'leaseExpired']);
  });

  it('asks about a queue only once its own interval has passed, and never after it is removed', async () => {
    await job('slow', 'due');
    await job('fast', 'due');
    await job('removed', 'due');
    const poll = new DueQueuesPoll(database, createLogger('silent'));
    const woken: string[] = [];
    const start = Date.now();
    poll.add({ extensionId: 'poll', queue: 'slow', intervalMs: 10_000, wake: () => woken.push('slow') });
    poll.add({ extensionId: 'poll', queue: 'fast', intervalMs: 100, wake: () => woken.push('fast') });
    const remove = poll.add({
      extensionId: 'poll',
      queue: 'removed',
      intervalMs: 100,
      wake: () => woken.push('removed'),
    });
    remove();

    await poll.tick(start + 200);
    expect(woken).toEqual(['fast']);
    await poll.tick(start + 400);
    expect(woken).toEqual(['fast', 'fast']);
    await poll.tick(start + 10_100);
    expect(woken.sort()).toEqual(['fast', 'fast', 'fast', 'slow']);
  });

  it('survives a failing statement: it logs, and the next tick asks again', async () => {
    await job('flaky', 'due');
    let failures = 1;
    const flaky = Object.create(database) as Database;
    flaky.query = (text, params) => {
      if (failures-- > 0) return Promise.reject(new Error('connection reset'));
      return database.query(text, params);
    };
    const warnings: unknown[] = [];
    const logger = createLogger('silent');
    logger.warn = ((object: unknown) => {
      warnings.push(object);
    }) as typeof logger.warn;
    const poll = new DueQueuesPoll(flaky, logger);
    const woken: string[] = [];
    const start = Date.now();
    poll.add({ extensionId: 'poll', queue: 'flaky', intervalMs: 100, wake: () => woken.push('flaky') });

    await poll.tick(start + 200);
    expect(woken).toEqual([]);
    expect(warnings).toHaveLength(1);
    await poll.tick(start + 400);
    expect(woken).toEqual(['flaky']);
  });
});
