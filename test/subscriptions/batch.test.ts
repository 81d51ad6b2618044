/**
 * One delivery transaction handles a bounded batch of events under one savepoint: a
 * burst is delivered in a few transactions; a handler failing in the middle of a batch
 * undoes the batch, whose earlier events are handled again (each event's effect still
 * lands once) and the failing one is retried alone; the batch stops at its cap with the
 * cursor past everything it handled. The probe consumer below has no worker: the
 * test calls deliverNext itself, with a batch cap of 100 events and no time budget, so
 * every step is deterministic.
 */

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { registerConsumer } from '../../kernel/events/subscriptions/cursor-store.ts';
import {
  type BatchLimits,
  type Consumer,
  deliverNext as deliverBatch,
} from '../../kernel/events/subscriptions/deliver-next.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { pings, writeEvents } from './harness.ts';

let t: TestKernel;
let workspaceId: string;
const KEY = 'batch-probe:deliveries';
const calls: number[] = [];
const limits: BatchLimits = { maxEvents: 100, budgetMs: Number.POSITIVE_INFINITY };
const deliverNext = (db: Parameters<typeof deliverBatch>[0], consumer: Consumer, scope: string) =>
  deliverBatch(db, consumer, scope, undefined, limits);

const probe: Consumer = {
  key: KEY,
  extensionId: 'batch-probe',
  types: ['fixture.ping'],
  async handler(event, { tx, attempt }) {
    calls.push(event.id);
    await tx.execute(sql`insert into batch_probe (event_id, attempt) values (${event.id}, ${attempt})`);
    if (event.data.fail_first === true && attempt === 1) throw new Error('first attempt fails');
  },
  maxAttempts: 3,
  backoff: { initialMs: 0, maxMs: 0 },
};

const handled = async () =>
  (
    await t.kernel.services.database.query<{ event_id: string | number }>(
      'select event_id from batch_probe order by event_id',
    )
  ).map((row) => Number(row.event_id));

const attempts = async () =>
  (
    await t.kernel.services.database.query<{ attempt: number }>(
      'select attempt from batch_probe order by event_id',
    )
  ).map((row) => row.attempt);

const cursorOf = async () => {
  const [row] = await t.kernel.services.database.query<{
    last_id: string | number;
    failing_event_id: unknown;
  }>('select last_id, failing_event_id from event_subscription_cursors where consumer = $1 and scope = $2', [
    KEY,
    workspaceId,
  ]);
  return {
    lastId: Number(row!.last_id),
    failing: row!.failing_event_id === null ? null : Number(row!.failing_event_id),
  };
};

beforeAll(async () => {
  t = await createTestKernel();
  workspaceId = (await t.signup('Batcher')).workspaceId;
  const { database } = t.kernel.services;
  await database.query('create table batch_probe (event_id bigint primary key, attempt int not null)');
  await registerConsumer(database.db, KEY); // its cursor starts at the end of the log
});
afterAll(() => t?.close());

it('hands the events before a failing one again, then retries that one alone', async () => {
  const { database } = t.kernel.services;
  const ids = await writeEvents(database, workspaceId, [
    ...pings(2),
    { type: 'fixture.ping', data: { fail_first: true } },
    ...pings(2),
  ]);
  // The third handler fails: the batch's savepoint undoes all three, the first two are
  // handled again and committed with the cursor past them.
  expect(await deliverNext(database.db, probe, workspaceId)).toEqual({ kind: 'delivered' });
  expect(await handled()).toEqual(ids.slice(0, 2));
  expect(await cursorOf()).toEqual({ lastId: ids[1], failing: null });

  // Now first of its batch, its failure is counted.
  expect((await deliverNext(database.db, probe, workspaceId)).kind).toBe('retry-later');
  expect(await cursorOf()).toEqual({ lastId: ids[1], failing: ids[2] });

  expect(await deliverNext(database.db, probe, workspaceId)).toEqual({ kind: 'caught-up' });
  expect(await handled()).toEqual(ids);
  expect(await attempts()).toEqual([1, 1, 2, 1, 1]);
  expect(calls).toEqual([...ids.slice(0, 3), ...ids.slice(0, 2), ids[2], ...ids.slice(2)]);
  expect((await cursorOf()).failing).toBeNull();
});

it('stops a batch at its cap and goes on in the next transaction, each event once', async () => {
  const { database } = t.kernel.services;
  const before = (await handled()).length;
  const ids = await writeEvents(database, workspaceId, pings(150));
  const outcomes: string[] = [];
  for (;;) {
    const outcome = await deliverNext(database.db, probe, workspaceId);
    outcomes.push(outcome.kind);
    if (outcome.kind !== 'delivered') break;
    expect((await cursorOf()).lastId).toBe((await handled()).at(-1));
  }
  expect(outcomes).toEqual(['delivered', 'caught-up']); // 100, then the other 50
  const all = await handled();
  expect(all).toHaveLength(before + 150);
  expect(all.slice(before)).toEqual(ids);
});
