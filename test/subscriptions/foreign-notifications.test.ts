/**
 * The events channel also carries the stream hubs' listener probes (`probe:<token>`):
 * the subscription engine must not take them for workspace ids. Before the fix each
 * probe logged a failed cursor insert ("invalid input syntax for type uuid").
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { EVENTS_CHANNEL } from '../../kernel/events/record-event.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { deliveries, fixtureInstalled, pings, writeEvents } from './harness.ts';

const errors: string[] = [];
const logger = pino(
  { level: 'error' },
  new Writable({
    write(chunk, _encoding, done) {
      errors.push(String(chunk));
      done();
    },
  }),
);

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ extensions: fixtureInstalled(), logger });
});
afterAll(() => t?.close());

it('ignores probes on the events channel and keeps delivering', async () => {
  const owner = await t.signup('Prober');
  const { database } = t.kernel.services;
  for (let i = 0; i < 3; i++) await database.notify(EVENTS_CHANNEL, `probe:test-${i}`);
  const [id] = await writeEvents(database, owner.workspaceId, pings(1));
  await vi.waitFor(
    async () =>
      expect((await deliveries(database, owner.workspaceId)).map((row) => row.event_id)).toEqual([id]),
    { timeout: 20_000 },
  );
  expect(errors.filter((line) => line.includes('subscriptions'))).toEqual([]);
});
