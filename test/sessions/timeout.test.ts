/** A session that outlives its timeout is ended `timeout`, its process killed, its key revoked. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bench, createBench } from './harness.ts';

let bench: Bench;
beforeAll(async () => {
  bench = await createBench();
});
afterAll(() => bench?.close());

it('times out a session that runs past its timeout', async () => {
  const created = await bench.start('long=1', { config: { timeout_seconds: 1 } });
  const ended = await bench.waitStatus(created.id, ['timeout', 'completed', 'failed', 'stopped']);
  expect(ended.status).toBe('timeout');
  expect(ended.reason).toBe('timed out after 1 s');
  expect((await bench.eventsOf(created.id)).at(-1).type).toBe('session.timeout');
});

it('refuses a timeout above the workspace maximum', async () => {
  await bench.call('PUT', `/api/workspaces/${bench.owner.workspaceId}/extensions/sessions`, {
    settings: { max_timeout_seconds: 60 },
  });
  const created = await bench.call('POST', '/api/sessions', {
    agent_id: bench.agentId,
    prompt: 'x',
    config: { timeout_seconds: 61 },
  });
  expect(created.status).toBe(400);
  expect(created.body.error.details[0].path).toBe('config.timeout_seconds');
});
