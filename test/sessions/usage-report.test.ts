/**
 * A runtime whose output the server does not parse reports its usage through the API
 * with its session key: it counts in the session's totals, the usage buckets and the
 * budget (crossing it stops the session); nobody else may report for it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bench, createBench } from './harness.ts';

let bench: Bench;
beforeAll(async () => {
  bench = await createBench();
});
afterAll(async () => {
  await bench?.close();
});

it('counts reported usage in totals and buckets, from the session agent only', async () => {
  const session = await bench.start('report=0.25 long=1');
  await bench.waitFor('the report', async () =>
    (await bench.logs(session.id)).some((line) => line.text === 'reported: 200'),
  );
  const read = (await bench.call('GET', `/api/sessions/${session.id}`)).body;
  expect(read).toMatchObject({ status: 'running' });
  expect(Number(read.usage?.cost_usd ?? read.cost_usd)).toBeCloseTo(0.25, 6);

  const usage = (await bench.call('GET', '/api/sessions/usage?bucket=day&group_by=model')).body;
  const model = usage.items.find((item: any) => item.key === 'custom-1');
  expect(model).toMatchObject({ input_tokens: 1000, output_tokens: 200 });

  // the owner is not the session's agent
  const forged = await bench.call('POST', `/api/sessions/${session.id}/usage`, { cost_usd: 5 });
  expect(forged.status).toBe(403);
  await bench.call('POST', `/api/sessions/${session.id}/stop`);
  await bench.waitStatus(session.id, ['stopped']);
});

it('a reported cost that crosses the agent budget stops the session', async () => {
  const agent = await bench.createAgent('Metered', { monthly_budget_usd: 0.1 });
  const created = await bench.call('POST', '/api/sessions', { agent_id: agent, prompt: 'report=0.5 long=1' });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const ended = await bench.waitStatus(created.body.id, ['stopped', 'failed'], 30_000);
  expect(ended.reason).toBe('budget_exceeded');
});
