/**
 * The per-workspace concurrency limit: with max_concurrent_sessions = 1, further
 * sessions wait `queued` and start one at a time in the order they were created (FIFO)
 * as running ones end. The agent profile's own limit applies the same way.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bench, createBench } from './harness.ts';

let bench: Bench;
beforeAll(async () => {
  bench = await createBench();
  await bench.call('PUT', `/api/workspaces/${bench.owner.workspaceId}/extensions/sessions`, {
    settings: { max_concurrent_sessions: 1 },
  });
});
afterAll(() => bench?.close());

const statusOf = async (id: string) => (await bench.call('GET', `/api/sessions/${id}`)).body.status;
const finish = async (id: string) => {
  await bench.waitStatus(id, ['running']);
  expect((await bench.call('POST', `/api/sessions/${id}/input`, { text: 'exit' })).status).toBe(202);
  await bench.waitStatus(id, ['completed']);
};

it('runs one session at a time, the rest in FIFO order', async () => {
  const first = await bench.start('long=1');
  const second = await bench.start('long=1');
  const third = await bench.start('long=1');
  await bench.waitStatus(first.id, ['running']);
  expect(await statusOf(second.id)).toBe('queued');
  expect(await statusOf(third.id)).toBe('queued');
  const running = await bench.call('GET', '/api/sessions?status=running');
  expect(running.body.items.map((item: any) => item.id)).toEqual([first.id]);

  await finish(first.id);
  await bench.waitStatus(second.id, ['running']);
  expect(await statusOf(third.id)).toBe('queued');
  await finish(second.id);
  await finish(third.id);
  const started = (
    await Promise.all(
      [first, second, third].map(async (s) => (await bench.call('GET', `/api/sessions/${s.id}`)).body),
    )
  ).map((s) => s.started_at);
  expect([...started].sort()).toEqual(started);
});

it("holds an agent to its profile's limit while the workspace has room", async () => {
  await bench.call('PUT', `/api/workspaces/${bench.owner.workspaceId}/extensions/sessions`, {
    settings: { max_concurrent_sessions: 5 },
  });
  const limited = await bench.createAgent('Limited', { max_concurrent_sessions: 1 });
  const a = await bench.call('POST', '/api/sessions', { agent_id: limited, prompt: 'long=1' });
  const b = await bench.call('POST', '/api/sessions', { agent_id: limited, prompt: 'long=1' });
  const other = await bench.start('long=1');
  await bench.waitStatus(a.body.id, ['running']);
  await bench.waitStatus(other.id, ['running']);
  expect(await statusOf(b.body.id)).toBe('queued');
  await finish(a.body.id);
  await finish(b.body.id);
  await finish(other.id);
});
