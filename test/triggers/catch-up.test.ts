/**
 * Events recorded while no instance delivered them fire once delivery starts (the
 * durable cursor), and a workspace where triggers is disabled stops firing while
 * another goes on.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKernel, createLogger } from '../../kernel/kernel.ts';
import { waitFor } from '../helpers/sse-client.ts';
import { type TestKernel, testConfig } from '../helpers/test-kernel.ts';
import { as, type Member } from '../helpers/work-graph.ts';
import { extensionsWithFakeSessions, kernelWithFakeSessions } from './kernel-with-fake-sessions.ts';

const kernels: TestKernel[] = [];
afterAll(async () => {
  for (const t of kernels) await t.close();
});

const moveToInProgress = {
  name: 'start new tasks',
  type: 'event',
  config: { types: ['object.created'], conditions: { entity_type: 'task' } },
  action: {
    kind: 'operation',
    method: 'PATCH',
    path: '/api/objects/{{event.entity_id}}',
    body: { status: 'in_progress' },
  },
};

async function statusOf(call: TestKernel['call'], member: Member, id: string) {
  return (await call('GET', `/api/objects/${id}`, as(member))).body.status as string;
}

describe('event triggers catch up', () => {
  it('after a restart, fires for the events recorded while delivery was down, once each', async () => {
    const t = await kernelWithFakeSessions();
    const owner = await t.signup('Owner');
    const trigger = (await t.call('POST', '/api/triggers', as(owner, { body: moveToInProgress }))).body;
    const runs = async (call: TestKernel['call']) =>
      (await call('GET', `/api/triggers/${trigger.id}/runs`, as(owner))).body.items as any[];
    const first = (
      await t.call('POST', '/api/objects', as(owner, { body: { type: 'task', title: 'before' } }))
    ).body;
    await waitFor(async () => (await statusOf(t.call, owner, first.id)) === 'in_progress', 30_000);

    // the instance stops; a new one on the same database answers requests but has not
    // started delivering (no onReady yet): events pile up behind the stored cursor
    await t.kernel.beforeShutdown();
    await t.kernel.close();
    const restarted = await createKernel({
      config: testConfig({ MASKIN_BLOB_DIR: mkdtempSync(join(tmpdir(), 'maskin-blobs-')) }),
      database: t.testDatabase.database,
      extensions: await extensionsWithFakeSessions(),
      logger: createLogger('silent'),
    });
    const call: TestKernel['call'] = async (method, path, o = {}) => {
      const response = await restarted.app.request(path, {
        method,
        headers: {
          authorization: `Bearer ${o.key}`,
          'x-workspace-id': o.workspace ?? '',
          'content-type': 'application/json',
        },
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
      });
      return { status: response.status, body: await response.json(), headers: response.headers };
    };
    try {
      const ids: string[] = [];
      for (const title of ['one', 'two', 'three']) {
        ids.push((await call('POST', '/api/objects', as(owner, { body: { type: 'task', title } }))).body.id);
      }
      expect(await runs(call)).toHaveLength(1);
      await restarted.ready();
      await waitFor(
        async () => (await runs(call)).filter((run) => run.status === 'succeeded').length === 4,
        30_000,
      );
      for (const id of ids) expect(await statusOf(call, owner, id)).toBe('in_progress');
      const keys = (await runs(call)).map((run) => run.fire_key);
      expect(new Set(keys).size).toBe(4);
    } finally {
      await restarted.beforeShutdown();
      await restarted.close();
      await t.testDatabase.drop();
    }
  });
});

describe('enablement', () => {
  it('a workspace that disables triggers stops firing; another workspace goes on', async () => {
    const t = await kernelWithFakeSessions();
    kernels.push(t);
    const first = await t.signup('First');
    const second = await t.signup('Second');
    for (const member of [first, second]) {
      expect((await t.call('POST', '/api/triggers', as(member, { body: moveToInProgress }))).status).toBe(
        201,
      );
    }
    const off = await t.call('PUT', `/api/workspaces/${first.workspaceId}/extensions/triggers`, {
      key: first.key,
      body: { enabled: false },
    });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    const quiet = (
      await t.call('POST', '/api/objects', as(first, { body: { type: 'task', title: 'quiet' } }))
    ).body;
    const busy = (await t.call('POST', '/api/objects', as(second, { body: { type: 'task', title: 'busy' } })))
      .body;
    await waitFor(async () => (await statusOf(t.call, second, busy.id)) === 'in_progress', 30_000);
    // the consumer passes the disabled workspace's event without firing: wait until its
    // stored cursor is past it (an event still behind the cursor when the extension is
    // enabled again is delivered then)
    const [created] = await t.kernel.services.database.query<{ id: string }>(
      "select id from events where entity_id = $1 and type = 'object.created'",
      [quiet.id],
    );
    await waitFor(async () => {
      const [cursor] = await t.kernel.services.database.query<{ last_id: string }>(
        "select last_id from event_subscription_cursors where consumer = 'triggers:event-triggers' and scope = $1",
        [first.workspaceId],
      );
      return cursor !== undefined && Number(cursor.last_id) >= Number(created!.id);
    }, 30_000);
    // enabled again, the first workspace fires for new events; once that one fired, the
    // cursor is past the event of the disabled period, which stayed unfired
    await t.call('PUT', `/api/workspaces/${first.workspaceId}/extensions/triggers`, {
      key: first.key,
      body: { enabled: true },
    });
    const later = (
      await t.call('POST', '/api/objects', as(first, { body: { type: 'task', title: 'later' } }))
    ).body;
    await waitFor(async () => (await statusOf(t.call, first, later.id)) === 'in_progress', 30_000);
    expect(await statusOf(t.call, first, quiet.id)).toBe('todo');
  });
});
