/**
 * Durable subscriptions in one process: every matching event's effect happens exactly
 * once, a handler that throws after writing leaves nothing and is retried, other types
 * pass the cursor undelivered, and eventLog.read returns the API's event shape.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventLogRef } from '../../kernel/contract/index.ts';
import { FIXTURE_ID } from '../fixtures/subscription-fixture/extension.ts';
import type { TestKernel } from '../helpers/test-kernel.ts';
import { bootWithFixture, deliveries, pings, writeEvents } from './harness.ts';

describe('durable subscriptions', () => {
  let t: TestKernel;
  let owner: Awaited<ReturnType<TestKernel['signup']>>;

  beforeAll(async () => {
    t = await bootWithFixture();
    owner = await t.signup('Subscriber');
  });
  afterAll(() => t?.close());

  it('applies each event exactly once, in order, with only matching types', async () => {
    const { database } = t.kernel.services;
    const written = await writeEvents(database, owner.workspaceId, [
      ...pings(10),
      { type: 'fixture.other' },
      ...pings(10),
    ]);
    const pingIds = written.filter((_, index) => index !== 10);
    await vi.waitFor(async () => expect(await deliveries(database, owner.workspaceId)).toHaveLength(20), {
      timeout: 20_000,
    });
    const rows = await deliveries(database, owner.workspaceId);
    expect(rows.map((row) => row.event_id)).toEqual(pingIds);
    expect(rows.every((row) => row.event_type === 'fixture.ping' && row.attempt === 1)).toBe(true);
    // The events before the consumer existed (signup's workspace.created) are not delivered.
    expect(rows[0]!.event_id).toBeGreaterThan(1);
  });

  it('rolls back the writes of a failed attempt and retries until it succeeds', async () => {
    const { database } = t.kernel.services;
    const [failing] = await writeEvents(database, owner.workspaceId, pings(1, { fail_attempts: 2 }));
    const [after] = await writeEvents(database, owner.workspaceId, pings(1));
    await vi.waitFor(
      async () =>
        expect((await deliveries(database, owner.workspaceId)).some((row) => row.event_id === after)).toBe(
          true,
        ),
      { timeout: 20_000 },
    );
    const rows = (await deliveries(database, owner.workspaceId)).filter((row) => row.event_id === failing);
    // Attempts 1 and 2 wrote a row and threw: both rows were rolled back with their savepoint.
    expect(rows.map((row) => row.attempt)).toEqual([3]);
    const dead = await t.call('GET', `/api/workspaces/${owner.workspaceId}/dead-letters`, { key: owner.key });
    expect(dead.body.items).toEqual([]);
  });

  it('reads the log in the API event shape', async () => {
    const eventLog = await t.kernel.container.get(eventLogRef, {
      id: FIXTURE_ID,
      version: '1.0.0',
      kernel: '^1.0.0',
      description: 'reader',
      enablement: 'default-on',
    });
    const page = await t.call('GET', '/api/events?order=asc&type=fixture.ping&limit=3', {
      key: owner.key,
      workspace: owner.workspaceId,
    });
    const read = await eventLog.read(owner.workspaceId, { types: ['fixture.ping'], limit: 3 });
    expect(read).toEqual(page.body.items);
    const afterFirst = await eventLog.read(owner.workspaceId, { afterId: read[0]!.id, limit: 2 });
    expect(afterFirst.map((event) => event.id)).toEqual([read[0]!.id + 1, read[0]!.id + 2]);
    await expect(eventLog.read(owner.workspaceId, { limit: 0 })).rejects.toThrow(/limit/);
  });
});
