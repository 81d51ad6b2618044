/**
 * Events recorded while no kernel ran are delivered when one starts again: the
 * consumer's cursors are in the database, and onReady sweeps every workspace whose
 * log is past them. A workspace created while it was down is delivered from its start.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createKernel, createLogger, type Kernel } from '../../kernel/kernel.ts';
import { createTestKernel, type TestKernel, testConfig } from '../helpers/test-kernel.ts';
import { deliveries, fixtureInstalled, pings, writeEvents } from './harness.ts';

describe('catch-up after downtime', () => {
  let first: TestKernel | undefined;
  let second: Kernel | undefined;
  afterAll(async () => {
    await second?.beforeShutdown();
    await second?.close();
    await first?.testDatabase.drop();
  });

  it('delivers what was written while the kernel was stopped', async () => {
    first = await createTestKernel({ extensions: fixtureInstalled() });
    const owner = await first.signup('Sleeper');
    const { database } = first.kernel.services;
    const before = await writeEvents(database, owner.workspaceId, pings(2));
    await vi.waitFor(async () => expect(await deliveries(database)).toHaveLength(2), { timeout: 20_000 });

    await first.kernel.beforeShutdown();
    await first.kernel.close();
    // Written by another connection while no kernel listens or sweeps.
    const whileDown = await writeEvents(database, owner.workspaceId, pings(5));
    const [late] = await database.query<{ id: string }>(
      "insert into workspaces (name) values ('Created while down') returning id",
    );
    const inLateWorkspace = await writeEvents(database, late!.id, pings(2));
    expect(await deliveries(database)).toHaveLength(2);

    second = await createKernel({
      config: testConfig(),
      database,
      logger: createLogger('silent'),
      extensions: fixtureInstalled(),
    });
    await second.ready();
    await vi.waitFor(
      async () =>
        expect((await deliveries(database, owner.workspaceId)).map((row) => row.event_id)).toEqual([
          ...before,
          ...whileDown,
        ]),
      { timeout: 20_000 },
    );
    // No cursor existed for it: it is newer than the consumer, so all of its log is delivered.
    await vi.waitFor(
      async () =>
        expect((await deliveries(database, late!.id)).map((row) => row.event_id)).toEqual(inLateWorkspace),
      { timeout: 20_000 },
    );
    expect(inLateWorkspace[0]).toBe(1);
  });
});
