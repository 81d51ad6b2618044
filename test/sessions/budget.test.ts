/**
 * Budgets: when recorded usage crosses the agent's monthly budget, its running session
 * is stopped mid-flight with reason budget_exceeded, session.budget_exceeded is
 * recorded, and new sessions are refused with a clear error. The workspace budget
 * refuses new sessions of every agent the same way.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bench, createBench } from './harness.ts';

let bench: Bench;
beforeAll(async () => {
  bench = await createBench({ profile: { monthly_budget_usd: 0.5 } });
});
afterAll(() => bench?.close());

it('stops a running session when its usage crosses the agent budget', async () => {
  // Three results of 0.2, 0.4, 0.6 USD cumulative, then the agent waits for input.
  const created = await bench.start('results=3 cost=0.2 long=1');
  const stopped = await bench.waitStatus(created.id, ['stopped', 'completed', 'failed']);
  expect(stopped).toMatchObject({ status: 'stopped', reason: 'budget_exceeded' });
  expect(stopped.usage.cost_usd).toBeCloseTo(0.6, 6);
  const events = await bench.call('GET', '/api/events?type=session.budget_exceeded&limit=5');
  expect(events.body.items).toHaveLength(1);
  expect(events.body.items[0].data).toMatchObject({
    scope: 'agent',
    budget_usd: 0.5,
    stopped_sessions: [created.id],
  });

  const refused = await bench.call('POST', '/api/sessions', { agent_id: bench.agentId, prompt: 'again' });
  expect(refused.status).toBe(402);
  expect(refused.body.error.code).toBe('SESSIONS_BUDGET_EXCEEDED');
  expect(refused.body.error.message).toContain("agent's monthly budget of 0.5 USD");
});

it('refuses new sessions of any agent once the workspace budget is used up', async () => {
  const other = await bench.createAgent('Other agent');
  await bench.call('PUT', `/api/workspaces/${bench.owner.workspaceId}/extensions/sessions`, {
    settings: { monthly_budget_usd: 0.5 },
  });
  const refused = await bench.call('POST', '/api/sessions', { agent_id: other, prompt: 'x' });
  expect(refused.status).toBe(402);
  expect(refused.body.error.message).toContain("workspace's monthly budget");
});
