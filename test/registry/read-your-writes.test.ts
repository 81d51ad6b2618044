/**
 * A settings change is seen by the next request on the same process at once, not when
 * its NOTIFY arrives. PostgreSQL only: the stale read happens on another connection
 * while the change's transaction is open (PGlite has one connection, so there a read
 * waits for the transaction and cannot see the old rows).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usingPostgres } from '../helpers/test-database.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';

describe.skipIf(!usingPostgres())('enablement cache, read your writes (PostgreSQL only)', () => {
  let t: TestKernel;
  beforeAll(async () => {
    t = await createTestKernel();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('drops rows a reader cached while the change was not yet committed', async () => {
    const owner = await t.signup('Owner');
    const enablement = t.kernel.services.registry!.enablement;
    const settingsOf = async () => (await enablement.rowsOf(owner.workspaceId)).get('sessions')?.settings;
    await t.kernel.services.database.db.transaction(async (tx) => {
      await enablement.write(tx, {
        workspaceId: owner.workspaceId,
        extensionId: 'sessions',
        enabled: true,
        settings: { max_timeout_seconds: 60 },
        actorId: owner.actorId,
      });
      // another request reads before the commit, on its own connection: old rows, cached
      expect(await settingsOf()).toEqual({});
    });
    // what the route does once the change committed
    t.kernel.services.workspaceExtensions!.forget(owner.workspaceId);
    expect(await settingsOf()).toEqual({ max_timeout_seconds: 60 });
  });

  it('answers the next request with the new settings', async () => {
    const owner = await t.signup('Again');
    for (const max of [60, 120, 90]) {
      const put = await t.call('PUT', `/api/workspaces/${owner.workspaceId}/extensions/sessions`, {
        key: owner.key,
        body: { settings: { max_timeout_seconds: max } },
      });
      expect(put.status).toBe(200);
      const read = await t.call('GET', `/api/workspaces/${owner.workspaceId}/extensions`, { key: owner.key });
      const sessions = read.body.items.find((item: any) => item.id === 'sessions');
      expect(sessions.settings.max_timeout_seconds).toBe(max);
    }
  });
});
