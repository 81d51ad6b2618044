/**
 * Triggers with the real sessions extension and a real agent process (the sessions
 * tests' fake agent): an event starts a session with the rendered prompt, and the
 * object the agent creates through MCP during that session does not fire the trigger
 * again (loop guard), while the same trigger fired for the human's object.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bench, createBench } from '../sessions/harness.ts';

let bench: Bench;
beforeAll(async () => {
  bench = await createBench();
});
afterAll(async () => {
  await bench?.close();
});

it('an event starts a session; the agent acting in it does not re-fire the trigger', async () => {
  const trigger = await bench.call('POST', '/api/triggers', {
    name: 'agent looks at new tasks',
    type: 'event',
    config: { types: ['object.created'], conditions: { entity_type: 'task' } },
    action: { kind: 'session', agent_id: bench.agentId, prompt: 'object=1 lines=1 task={{event.entity_id}}' },
  });
  expect(trigger.status, JSON.stringify(trigger.body)).toBe(201);
  const task = await bench.call('POST', '/api/objects', { type: 'task', title: 'by a human' });

  const run = await bench.waitFor('the run that started a session', async () => {
    const runs = (await bench.call('GET', `/api/triggers/${trigger.body.id}/runs`)).body.items as any[];
    return runs.find((item) => item.status === 'succeeded');
  });
  const session = await bench.waitStatus(run.session_id, ['completed'], 30_000);
  expect(session).toMatchObject({
    trigger_id: trigger.body.id,
    prompt: `object=1 lines=1 task=${task.body.id}`,
  });
  const made = (await bench.logs(session.id))
    .map((line) => line.text)
    .find((text) => text.startsWith('object: '));
  expect(made).toMatch(/^object: [0-9a-f-]{36}$/);

  // the agent's object was created during the session: its event is guarded
  const runs = await bench.waitFor('the guarded run', async () => {
    const items = (await bench.call('GET', `/api/triggers/${trigger.body.id}/runs`)).body.items as any[];
    return items.length === 2 ? items : undefined;
  });
  expect(runs.map((item) => `${item.status}:${item.reason ?? ''}`).sort()).toEqual([
    'skipped:loop_guard',
    'succeeded:',
  ]);
  const sessions = (await bench.call('GET', `/api/sessions?trigger_id=${trigger.body.id}`)).body;
  expect(sessions.items ?? sessions).toHaveLength(1);
});
