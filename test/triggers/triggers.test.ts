/**
 * Triggers on a real kernel (PGlite, or PostgreSQL with DATABASE_URL), with a stand-in
 * sessions extension (fake-sessions/) that records the sessions it is asked to start.
 * Firings are awaited by polling the runs with a deadline; nothing asserts on time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/sse-client.ts';
import type { TestKernel } from '../helpers/test-kernel.ts';
import { as, type Member, setExtensionSettings } from '../helpers/work-graph.ts';
import { REFUSED_PROMPT } from './fake-sessions/index.ts';
import { kernelWithFakeSessions } from './kernel-with-fake-sessions.ts';

let t: TestKernel;
let owner: Member;
let agent: { id: string; key: string };

async function createAgent(member: Member, name = 'Bot') {
  const created = await t.call('POST', '/api/actors/agents', as(member, { body: { name } }));
  expect(created.status).toBe(201);
  const key = await t.call(
    'POST',
    `/api/actors/${created.body.id}/api-keys`,
    as(member, { body: { name: 'k' } }),
  );
  expect(key.status).toBe(201);
  return { id: created.body.id as string, key: key.body.key as string };
}

const runsOf = async (member: Member, triggerId: string) => {
  const page = await t.call('GET', `/api/triggers/${triggerId}/runs?limit=200`, as(member));
  expect(page.status).toBe(200);
  return page.body.items as any[];
};
const finished = (items: any[]) =>
  items.filter((run) => run.status !== 'pending' && run.status !== 'running');

async function createTrigger(member: Member, body: Record<string, unknown>) {
  const created = await t.call('POST', '/api/triggers', as(member, { body }));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

const createTask = (member: Member, title: string, extra: Record<string, unknown> = {}) =>
  t.call('POST', '/api/objects', as(member, { body: { type: 'task', title, ...extra } }));

beforeAll(async () => {
  t = await kernelWithFakeSessions();
  owner = await t.signup('Owner');
  agent = await createAgent(owner);
});
afterAll(async () => {
  await t?.close();
});

describe('validation', () => {
  it('names the bad cron expression, time zone and event type', async () => {
    const action = { kind: 'operation', method: 'GET', path: '/api/objects' };
    const badCron = await t.call(
      'POST',
      '/api/triggers',
      as(owner, { body: { name: 'x', type: 'cron', config: { expression: 'every day' }, action } }),
    );
    expect(badCron.status).toBe(400);
    expect(JSON.stringify(badCron.body.error)).toContain('config.expression');
    const badZone = await t.call(
      'POST',
      '/api/triggers',
      as(owner, {
        body: { name: 'x', type: 'cron', config: { expression: '* * * * *', timezone: 'Mars/Base' }, action },
      }),
    );
    expect(badZone.status).toBe(400);
    expect(JSON.stringify(badZone.body.error)).toContain('config.timezone');
    const badType = await t.call(
      'POST',
      '/api/triggers',
      as(owner, { body: { name: 'x', type: 'event', config: { types: ['NOT A TYPE'] }, action } }),
    );
    expect(badType.status).toBe(400);
    expect(JSON.stringify(badType.body.error)).toContain('config.types.0');
  });

  it('refuses a session action for an actor that is not an agent member, and paths outside the API', async () => {
    const notAgent = await t.call(
      'POST',
      '/api/triggers',
      as(owner, {
        body: {
          name: 'x',
          type: 'reminder',
          config: { at: '2099-01-01T00:00:00Z' },
          action: { kind: 'session', agent_id: owner.actorId, prompt: 'hi' },
        },
      }),
    );
    expect(notAgent.status).toBe(422);
    expect(notAgent.body.error.code).toBe('AGENT_NOT_AVAILABLE');
    const outside = await t.call(
      'POST',
      '/api/triggers',
      as(owner, {
        body: {
          name: 'x',
          type: 'reminder',
          config: { at: '2099-01-01T00:00:00Z' },
          action: { kind: 'operation', method: 'GET', path: '/x/other' },
        },
      }),
    );
    expect(outside.status).toBe(400);
  });
});

describe('cron', () => {
  it('fires every second with a seconds expression, one run per slot, each its own object', async () => {
    const trigger = await createTrigger(owner, {
      name: 'every second',
      type: 'cron',
      config: { expression: '* * * * * *' },
      action: {
        kind: 'operation',
        method: 'POST',
        path: '/api/objects',
        body: { type: 'task', title: 'tick {{scheduled_for}}' },
      },
    });
    expect(trigger.next_run_at).not.toBeNull();
    await waitFor(async () => finished(await runsOf(owner, trigger.id)).length >= 3, 30_000);
    const off = await t.call('PATCH', `/api/triggers/${trigger.id}`, as(owner, { body: { enabled: false } }));
    expect(off.body.next_run_at).toBeNull();
    const done = finished(await runsOf(owner, trigger.id));
    const slots = done.map((run) => run.scheduled_for);
    expect(new Set(slots).size).toBe(slots.length);
    for (const slot of slots) expect(new Date(slot).getUTCMilliseconds()).toBe(0);
    const succeeded = done.filter((run) => run.status === 'succeeded');
    expect(succeeded.length).toBeGreaterThan(0);
    for (const run of succeeded) {
      expect(run.result.status).toBe(201);
      expect(run.result.body.title).toBe(`tick ${run.scheduled_for}`);
    }
  });

  it('test shows the next slots and the rendered action', async () => {
    const trigger = await createTrigger(owner, {
      name: 'morning',
      type: 'cron',
      config: { expression: '0 30 9 * * 1-5', timezone: 'Europe/Oslo' },
      action: { kind: 'session', agent_id: agent.id, prompt: 'Plan the day ({{scheduled_for}})' },
    });
    const tested = await t.call('POST', `/api/triggers/${trigger.id}/test`, as(owner));
    expect(tested.status).toBe(200);
    expect(tested.body.next_runs).toHaveLength(5);
    expect(tested.body.action.prompt).toBe(`Plan the day (${tested.body.next_runs[0]})`);
    await t.call('DELETE', `/api/triggers/${trigger.id}`, as(owner));
  });
});

describe('reminders', () => {
  it('fire once, then disable themselves', async () => {
    const trigger = await createTrigger(owner, {
      name: 'remind',
      type: 'reminder',
      config: { at: new Date(Date.now() + 500).toISOString() },
      action: { kind: 'session', agent_id: agent.id, prompt: 'Follow up on {{trigger.name}}' },
    });
    await waitFor(async () => finished(await runsOf(owner, trigger.id)).length === 1, 20_000);
    const [run] = await runsOf(owner, trigger.id);
    expect(run).toMatchObject({ status: 'succeeded', fire_key: 'reminder' });
    expect(run.session_id).toBeTruthy();
    const after = await t.call('GET', `/api/triggers/${trigger.id}`, as(owner));
    expect(after.body).toMatchObject({
      enabled: false,
      disabled_reason: 'reminder fired',
      next_run_at: null,
    });
    const sessions = await t.kernel.services.database.query<{ prompt: string; trigger_id: string }>(
      'select prompt, trigger_id from sessions_fake where trigger_id = $1',
      [trigger.id],
    );
    expect(sessions).toEqual([{ prompt: 'Follow up on remind', trigger_id: trigger.id }]);
  });
});

describe('event triggers', () => {
  it('fire once per matching event with the event in the prompt, and not for others', async () => {
    const trigger = await createTrigger(owner, {
      name: 'done tasks',
      type: 'event',
      config: { types: ['object.status_changed'], conditions: { entity_type: 'task', to_status: 'done' } },
      action: {
        kind: 'session',
        agent_id: agent.id,
        prompt: 'Review {{event.entity_id}}: {{event.data.from}} -> {{event.data.to}}',
      },
    });
    const task = (await createTask(owner, 'ship it')).body;
    const other = (await createTask(owner, 'not this one')).body;
    await t.call('PATCH', `/api/objects/${other.id}`, as(owner, { body: { status: 'in_progress' } }));
    const moved = await t.call('PATCH', `/api/objects/${task.id}`, as(owner, { body: { status: 'done' } }));
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await waitFor(async () => finished(await runsOf(owner, trigger.id)).length === 1, 20_000);
    const [run] = await runsOf(owner, trigger.id);
    expect(run.status).toBe('succeeded');
    expect(run.action.prompt).toBe(`Review ${task.id}: todo -> done`);
    const tested = await t.call('POST', `/api/triggers/${trigger.id}/test`, as(owner));
    expect(tested.body.matches.map((m: any) => m.event.entity_id)).toEqual([task.id]);
    expect(tested.body.checked_events).toBeGreaterThanOrEqual(2);
    await t.call('PATCH', `/api/triggers/${trigger.id}`, as(owner, { body: { enabled: false } }));
  });

  it('loop guard: the agent acting in a session this trigger started does not re-fire it', async () => {
    const trigger = await createTrigger(owner, {
      name: 'on any task',
      type: 'event',
      config: { types: ['object.created'], conditions: { entity_type: 'task' } },
      action: { kind: 'session', agent_id: agent.id, prompt: 'Look at {{event.entity_id}}' },
    });
    const agentMember = { key: agent.key, actorId: agent.id, workspaceId: owner.workspaceId };
    await createTask(owner, 'by a human');
    await waitFor(async () => finished(await runsOf(owner, trigger.id)).length === 1, 20_000);
    // the session the trigger started is running: the agent's own task is guarded
    await createTask(agentMember, 'by the agent during its session');
    await waitFor(async () => finished(await runsOf(owner, trigger.id)).length === 2, 20_000);
    expect((await runsOf(owner, trigger.id))[0]).toMatchObject({ status: 'skipped', reason: 'loop_guard' });
    // once it ended, the agent's actions fire the trigger like anyone's
    await t.kernel.services.database.query(
      'update sessions_fake set ended_at = now() where trigger_id = $1',
      [trigger.id],
    );
    await createTask(agentMember, 'by the agent later');
    await waitFor(async () => finished(await runsOf(owner, trigger.id)).length === 3, 20_000);
    expect((await runsOf(owner, trigger.id))[0]).toMatchObject({ status: 'succeeded' });
    await t.call('PATCH', `/api/triggers/${trigger.id}`, as(owner, { body: { enabled: false } }));
  });

  it('rate limit: firings past max_fires_per_hour are skipped', async () => {
    const trigger = await createTrigger(owner, {
      name: 'limited',
      type: 'event',
      max_fires_per_hour: 2,
      config: {
        types: ['object.created'],
        conditions: { metadata: [{ field: 'data.title', operator: 'contains', value: 'limited' }] },
      },
      action: { kind: 'session', agent_id: agent.id, prompt: 'x' },
    });
    for (const n of [1, 2, 3]) await createTask(owner, `limited ${n}`);
    await waitFor(async () => finished(await runsOf(owner, trigger.id)).length === 3, 20_000);
    const statuses = (await runsOf(owner, trigger.id)).map((run) => `${run.status}:${run.reason ?? ''}`);
    expect(statuses.sort()).toEqual(['skipped:rate_limited', 'succeeded:', 'succeeded:']);
    await t.call('PATCH', `/api/triggers/${trigger.id}`, as(owner, { body: { enabled: false } }));
  });

  it('back-off, then the circuit breaker disables a failing trigger and says so', async () => {
    await setExtensionSettings(t, owner, 'triggers', {
      max_consecutive_failures: 2,
      failure_backoff_seconds: 1,
    });
    const trigger = await createTrigger(owner, {
      name: 'always refused',
      type: 'event',
      config: {
        types: ['object.created'],
        conditions: { metadata: [{ field: 'data.title', operator: 'contains', value: 'breaker' }] },
      },
      action: { kind: 'session', agent_id: agent.id, prompt: `${REFUSED_PROMPT} {{event.entity_id}}` },
    });
    await createTask(owner, 'breaker 1');
    await waitFor(async () => finished(await runsOf(owner, trigger.id)).length === 1, 20_000);
    const first = await t.call('GET', `/api/triggers/${trigger.id}`, as(owner));
    expect(first.body).toMatchObject({ enabled: true, consecutive_failures: 1 });
    expect(first.body.backoff_until).not.toBeNull();
    // during the back-off a matching event is skipped, not fired
    await createTask(owner, 'breaker 2');
    await waitFor(async () => finished(await runsOf(owner, trigger.id)).length === 2, 20_000);
    const during = (await runsOf(owner, trigger.id))[0];
    if (Date.parse(during.created_at) < Date.parse(first.body.backoff_until)) {
      expect(during).toMatchObject({ status: 'skipped', reason: 'backing_off' });
    }
    // after it, the next failure is the second in a row: the breaker opens
    await waitFor(() => Date.now() > Date.parse(first.body.backoff_until) + 50, 10_000);
    await createTask(owner, 'breaker 3');
    await waitFor(
      async () => (await t.call('GET', `/api/triggers/${trigger.id}`, as(owner))).body.enabled === false,
      20_000,
    );
    const after = await t.call('GET', `/api/triggers/${trigger.id}`, as(owner));
    expect(after.body).toMatchObject({ consecutive_failures: 2, disabled_reason: 'failed 2 times in a row' });
    const events = await t.call('GET', `/api/events?entity_id=${trigger.id}&order=asc`, as(owner));
    const types = events.body.items.map((event: any) => event.type);
    expect(types.filter((type: string) => type === 'trigger.failed')).toHaveLength(2);
    expect(types.at(-1)).toBe('trigger.disabled');
    // enabling it again clears the failures
    const enabled = await t.call(
      'PATCH',
      `/api/triggers/${trigger.id}`,
      as(owner, { body: { enabled: true } }),
    );
    expect(enabled.body).toMatchObject({
      enabled: true,
      consecutive_failures: 0,
      backoff_until: null,
      disabled_reason: null,
    });
    await t.call('DELETE', `/api/triggers/${trigger.id}`, as(owner));
    await setExtensionSettings(t, owner, 'triggers', {});
  });

  it('an operation action acts as the creator, with the event in path and body', async () => {
    const trigger = await createTrigger(owner, {
      name: 'start what is assigned',
      type: 'event',
      config: {
        types: ['object.created'],
        conditions: { metadata: [{ field: 'data.title', operator: 'contains', value: 'auto-start' }] },
      },
      action: {
        kind: 'operation',
        method: 'PATCH',
        path: '/api/objects/{{event.entity_id}}',
        body: { status: 'in_progress' },
      },
    });
    const task = (await createTask(owner, 'auto-start me')).body;
    await waitFor(async () => finished(await runsOf(owner, trigger.id)).length === 1, 20_000);
    const [run] = await runsOf(owner, trigger.id);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect(run.action.path).toBe(`/api/objects/${task.id}`);
    const read = await t.call('GET', `/api/objects/${task.id}`, as(owner));
    expect(read.body.status ?? read.body.object?.status).toBe('in_progress');
    await t.call('DELETE', `/api/triggers/${trigger.id}`, as(owner));
  });
});

describe('isolation', () => {
  it('another workspace cannot read, test or change a trigger', async () => {
    const trigger = await createTrigger(owner, {
      name: 'private',
      type: 'reminder',
      config: { at: '2099-01-01T00:00:00Z' },
      action: { kind: 'session', agent_id: agent.id, prompt: 'x' },
    });
    const stranger = await t.signup('Stranger');
    for (const [method, path] of [
      ['GET', `/api/triggers/${trigger.id}`],
      ['POST', `/api/triggers/${trigger.id}/test`],
      ['GET', `/api/triggers/${trigger.id}/runs`],
      ['DELETE', `/api/triggers/${trigger.id}`],
    ] as const) {
      const answer = await t.call(method, path, as(stranger));
      expect(answer.status, `${method} ${path}`).toBe(404);
    }
  });
});
