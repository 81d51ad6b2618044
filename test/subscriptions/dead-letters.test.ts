/**
 * A poison event (its handler always throws) is retried maxAttempts times, then
 * parked: a dead-letter row, a subscription.event_parked event, listed to admins by
 * GET /api/workspaces/{id}/dead-letters (keyset-paginated; 403 for a member). The
 * consumer carries on with the events after it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FIXTURE_CONSUMER, FIXTURE_ID } from '../fixtures/subscription-fixture/extension.ts';
import type { TestKernel } from '../helpers/test-kernel.ts';
import { addMember } from '../helpers/work-graph.ts';
import { bootWithFixture, deliveries, pings, writeEvents } from './harness.ts';

describe('dead letters', () => {
  let t: TestKernel;
  let owner: Awaited<ReturnType<TestKernel['signup']>>;
  let poisonIds: number[];
  let healthyIds: number[];

  beforeAll(async () => {
    t = await bootWithFixture({ maxAttempts: 3 });
    owner = await t.signup('Admin');
    const { database } = t.kernel.services;
    const [firstPoison] = await writeEvents(database, owner.workspaceId, pings(1, { poison: true }));
    const [firstHealthy] = await writeEvents(database, owner.workspaceId, pings(1));
    const [secondPoison] = await writeEvents(database, owner.workspaceId, pings(1, { poison: true }));
    const [secondHealthy] = await writeEvents(database, owner.workspaceId, pings(1));
    poisonIds = [firstPoison!, secondPoison!];
    healthyIds = [firstHealthy!, secondHealthy!];
    await vi.waitFor(
      async () =>
        expect((await deliveries(database, owner.workspaceId)).map((row) => row.event_id)).toEqual(
          healthyIds,
        ),
      { timeout: 20_000 },
    );
  });
  afterAll(() => t?.close());

  it('parks a poison event after maxAttempts, with its event, and moves on', async () => {
    const parked = await t.call('GET', '/api/events?order=asc&type=subscription.event_parked', {
      key: owner.key,
      workspace: owner.workspaceId,
    });
    expect(parked.status).toBe(200);
    expect(parked.body.items.map((event: any) => event.data)).toEqual(
      poisonIds.map((eventId) => ({
        extension_id: FIXTURE_ID,
        consumer: FIXTURE_CONSUMER,
        event_id: eventId,
        event_type: 'fixture.ping',
        attempts: 3,
      })),
    );
    // Every attempt wrote a row and threw: none of them remains.
    const rows = await deliveries(t.kernel.services.database, owner.workspaceId);
    expect(rows.filter((row) => poisonIds.includes(row.event_id))).toEqual([]);
  });

  it('lists dead letters to admins, newest first, a page at a time', async () => {
    const path = `/api/workspaces/${owner.workspaceId}/dead-letters`;
    const first = await t.call('GET', `${path}?limit=1`, { key: owner.key });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.items[0]).toMatchObject({
      workspace_id: owner.workspaceId,
      extension_id: FIXTURE_ID,
      consumer: FIXTURE_CONSUMER,
      event_id: poisonIds[1],
      event_type: 'fixture.ping',
      attempts: 3,
    });
    expect(first.body.items[0].last_error).toContain(`poison event ${poisonIds[1]}`);
    const second = await t.call('GET', `${path}?limit=1&cursor=${first.body.next_cursor}`, {
      key: owner.key,
    });
    expect(second.body.items.map((item: any) => item.event_id)).toEqual([poisonIds[0]]);
    expect(second.body.next_cursor).toBeNull();
    const tampered = await t.call('GET', `${path}?cursor=nonsense`, { key: owner.key });
    expect(tampered.status).toBe(400);
  });

  it('refuses members (403) and hides the workspace from outsiders (404)', async () => {
    const path = `/api/workspaces/${owner.workspaceId}/dead-letters`;
    const member = await addMember(t, owner, 'member');
    const asMember = await t.call('GET', path, { key: member.key });
    expect(asMember.status).toBe(403);
    expect(asMember.body.error.code).toBe('FORBIDDEN');
    const outsider = await t.signup('Outsider');
    expect((await t.call('GET', path, { key: outsider.key })).status).toBe(404);
  });
});
