/**
 * PostgreSQL only (on PGlite an open transaction holds the one connection, so a
 * second holder cannot exist). While another transaction holds a consumer's cursor row,
 * as a delivering instance does, delivery in that workspace answers `busy` and writes
 * nothing; once it lets go, the waiting events are delivered without any new event
 * (the busy recheck, not a NOTIFY, picks them up).
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Consumer, deliverNext } from '../../kernel/events/subscriptions/deliver-next.ts';
import { FIXTURE_CONSUMER, FIXTURE_ID } from '../fixtures/subscription-fixture/extension.ts';
import { usingPostgres } from '../helpers/test-database.ts';
import type { TestKernel } from '../helpers/test-kernel.ts';
import { bootWithFixture, deliveries, pings, writeEvents } from './harness.ts';

describe.skipIf(!usingPostgres())('a cursor held by another transaction (PostgreSQL only)', () => {
  let t: TestKernel;
  let owner: Awaited<ReturnType<TestKernel['signup']>>;

  beforeAll(async () => {
    t = await bootWithFixture();
    owner = await t.signup('Locker');
  });
  afterAll(() => t?.close());

  it('skips the locked cursor, then delivers once it is released', async () => {
    const { database } = t.kernel.services;
    const [first] = await writeEvents(database, owner.workspaceId, pings(1));
    await vi.waitFor(async () => expect(await deliveries(database, owner.workspaceId)).toHaveLength(1), {
      timeout: 20_000,
    });

    const other = postgres(t.testDatabase.url!, { max: 1, onnotice: () => {} });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = other.begin(async (tx) => {
      await tx`select 1 from event_subscription_cursors where consumer = ${FIXTURE_CONSUMER} and scope = ${owner.workspaceId} for update`;
      locked();
      await released;
    });
    try {
      await isLocked;
      const waiting = await writeEvents(database, owner.workspaceId, pings(3));
      const probe: Consumer = {
        key: FIXTURE_CONSUMER,
        extensionId: FIXTURE_ID,
        types: ['fixture.ping'],
        handler: async () => {
          throw new Error('must not be called while the cursor is held');
        },
        maxAttempts: 1,
        backoff: { initialMs: 1, maxMs: 1 },
      };
      expect(await deliverNext(database.db, probe, owner.workspaceId)).toEqual({ kind: 'busy' });
      expect((await deliveries(database, owner.workspaceId)).map((row) => row.event_id)).toEqual([first]);

      release();
      await holder;
      await vi.waitFor(
        async () =>
          expect((await deliveries(database, owner.workspaceId)).map((row) => row.event_id)).toEqual([
            first,
            ...waiting,
          ]),
        { timeout: 20_000 },
      );
    } finally {
      release();
      await holder.catch(() => {});
      await other.end();
    }
  });
});
