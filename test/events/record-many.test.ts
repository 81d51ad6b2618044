/**
 * recordEvents writes a batch of one workspace's events in one statement: consecutive,
 * dense ids in the given order after whatever came before, visible to the event list
 * and to a live stream like single events; a batch across workspaces is refused.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordEvent, recordEvents } from '../../kernel/events/record-event.ts';
import { collectUntil, connectSse, type ServedKernel, serveKernel } from '../helpers/sse-client.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';

let t: TestKernel;
let server: ServedKernel;
let user: Awaited<ReturnType<TestKernel['signup']>>;
beforeAll(async () => {
  t = await createTestKernel({ extensions: [] });
  server = await serveKernel(t.kernel);
  user = await t.signup('Batch');
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

const tick = (n: number) => ({
  workspaceId: user.workspaceId,
  actorId: user.actorId,
  type: 'batch.tick',
  entityType: 'tick',
  entityId: String(n),
  data: { n },
});

it('gives a batch consecutive ids in order, after single events, and streams every one', async () => {
  const { db } = t.kernel.services.database;
  const before = await t.call('GET', '/api/events?limit=200', { key: user.key, workspace: user.workspaceId });
  const lastBefore = Math.max(0, ...before.body.items.map((e: { id: number }) => e.id));
  const stream = await connectSse(`${server.url}/api/events/stream`, {
    key: user.key,
    workspace: user.workspaceId,
    lastEventId: lastBefore,
  });

  const single = await db.transaction((tx) => recordEvent(tx, tick(0)));
  const batch = await db.transaction((tx) => recordEvents(tx, [tick(1), tick(2), tick(3)]));
  expect(single.id).toBe(lastBefore + 1);
  expect(batch.map((event) => event.id)).toEqual([lastBefore + 2, lastBefore + 3, lastBefore + 4]);

  const listed = await t.call('GET', `/api/events?limit=200`, { key: user.key, workspace: user.workspaceId });
  const ticks = listed.body.items.filter((e: { type: string }) => e.type === 'batch.tick');
  expect(
    ticks
      .map((e: { id: number; data: { n: number } }) => [e.id, e.data.n])
      .sort((a: number[], b: number[]) => a[0]! - b[0]!),
  ).toEqual([
    [lastBefore + 1, 0],
    [lastBefore + 2, 1],
    [lastBefore + 3, 2],
    [lastBefore + 4, 3],
  ]);

  const received = await collectUntil(stream, (messages) =>
    messages.some((message) => message.id === String(lastBefore + 4)),
  );
  expect(received.filter((m) => m.id !== undefined).map((m) => Number(m.id))).toEqual([
    lastBefore + 1,
    lastBefore + 2,
    lastBefore + 3,
    lastBefore + 4,
  ]);
  stream.close();
});

it('refuses a batch across workspaces and writes nothing', async () => {
  const other = await t.signup('Other');
  const { db } = t.kernel.services.database;
  await expect(
    db.transaction((tx) => recordEvents(tx, [tick(9), { ...tick(10), workspaceId: other.workspaceId }])),
  ).rejects.toThrow(/one workspace/);
  const [row] = await t.kernel.services.database.query<{ n: number }>(
    "select count(*)::int as n from events where type = 'batch.tick' and data->>'n' in ('9', '10')",
  );
  expect(row!.n).toBe(0);
});

it("records another extension's prepared events in the same statement, and only prepared ones", async () => {
  const { eventsFactory } = await import('../../kernel/capabilities/events.ts');
  const manifest = (id: string, events: string[]) =>
    ({ id, version: '1.0.0', kernel: '^1.0.0', description: id, events }) as never;
  const writer = (await eventsFactory.create({}, { extension: manifest('writer', ['batch.tick']) })) as any;
  const hook = (await eventsFactory.create({}, { extension: manifest('hook', ['hook.seen']) })) as any;
  const seen = (n: number) => ({ ...tick(n), type: 'hook.seen', entityType: 'seen' });

  // The owner checks its own types when it prepares.
  expect(() => hook.prepare([tick(9)])).toThrow(/does not declare/);
  const prepared = hook.prepare([seen(1), seen(2)]);
  const { db } = t.kernel.services.database;
  const recorded: { id: number }[] = await db.transaction((tx) =>
    writer.recordMany(tx, [tick(10)], [prepared]),
  );
  expect(recorded.map((event: { id: number }) => event.id)).toEqual([
    recorded[0]!.id,
    recorded[0]!.id + 1,
    recorded[0]!.id + 2,
  ]);
  const listed = await t.call('GET', `/api/events?limit=3&order=desc`, {
    key: user.key,
    workspace: user.workspaceId,
  });
  expect(listed.body.items.map((e: { type: string }) => e.type)).toEqual([
    'hook.seen',
    'hook.seen',
    'batch.tick',
  ]);

  // A look-alike of prepared events cannot smuggle a type past its owner's check.
  await expect(db.transaction((tx) => writer.recordMany(tx, [], [{ events: [seen(3)] }]))).rejects.toThrow(
    /prepared events only/,
  );
});
