/**
 * A consumer skips workspaces where its extension is disabled: their events pass its
 * cursor undelivered (enabling later does not replay them), while other workspaces
 * are delivered.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../kernel/db/database.ts';
import { FIXTURE_CONSUMER, FIXTURE_ID } from '../fixtures/subscription-fixture/extension.ts';
import type { TestKernel } from '../helpers/test-kernel.ts';
import { bootWithFixture, deliveries, pings, writeEvents } from './harness.ts';

async function cursorOf(database: Database, workspaceId: string): Promise<number> {
  const [row] = await database.query<{ last_id: string | number }>(
    'select last_id from event_subscription_cursors where consumer = $1 and scope = $2',
    [FIXTURE_CONSUMER, workspaceId],
  );
  return row ? Number(row.last_id) : -1;
}

describe('subscriptions and per-workspace enablement', () => {
  let t: TestKernel;
  let owner: Awaited<ReturnType<TestKernel['signup']>>;
  let disabledWorkspace: string;
  let enabledWorkspace: string;

  const setEnabled = async (workspaceId: string, enabled: boolean) => {
    const changed = await t.call('PUT', `/api/workspaces/${workspaceId}/extensions/${FIXTURE_ID}`, {
      key: owner.key,
      body: { enabled },
    });
    expect(changed.status).toBe(200);
  };

  beforeAll(async () => {
    t = await bootWithFixture({ enablement: 'opt-in' });
    owner = await t.signup('Operator');
    disabledWorkspace = owner.workspaceId;
    const created = await t.call('POST', '/api/workspaces', { key: owner.key, body: { name: 'Enabled' } });
    enabledWorkspace = created.body.id;
    await setEnabled(enabledWorkspace, true);
  });
  afterAll(() => t?.close());

  it('delivers where enabled and passes the events of a workspace where it is disabled', async () => {
    const { database } = t.kernel.services;
    const skipped = await writeEvents(database, disabledWorkspace, pings(3));
    const delivered = await writeEvents(database, enabledWorkspace, pings(3));
    await vi.waitFor(async () => expect(await cursorOf(database, disabledWorkspace)).toBe(skipped.at(-1)), {
      timeout: 20_000,
    });
    await vi.waitFor(
      async () =>
        expect((await deliveries(database, enabledWorkspace)).map((row) => row.event_id)).toEqual(delivered),
      { timeout: 20_000 },
    );
    expect(await deliveries(database, disabledWorkspace)).toEqual([]);

    // Enabled later: only what is recorded from now on is delivered there.
    await setEnabled(disabledWorkspace, true);
    const later = await writeEvents(database, disabledWorkspace, pings(1));
    await vi.waitFor(
      async () =>
        expect((await deliveries(database, disabledWorkspace)).map((row) => row.event_id)).toEqual(later),
      { timeout: 20_000 },
    );
  });

  it('stops delivering in a workspace once the extension is disabled there', async () => {
    const { database } = t.kernel.services;
    const before = (await deliveries(database, enabledWorkspace)).length;
    await setEnabled(enabledWorkspace, false);
    const [ping] = await writeEvents(database, enabledWorkspace, pings(1));
    await vi.waitFor(
      async () => expect(await cursorOf(database, enabledWorkspace)).toBeGreaterThanOrEqual(ping!),
      {
        timeout: 20_000,
      },
    );
    expect(await deliveries(database, enabledWorkspace)).toHaveLength(before);
  });
});
