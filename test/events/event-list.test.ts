import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvent } from '../../kernel/events/record-event.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { inviteAndAccept } from '../helpers/work-graph.ts';

let t: TestKernel;
let ada: Awaited<ReturnType<TestKernel['signup']>>;
let bob: Awaited<ReturnType<TestKernel['signup']>>;
let started: string;
/** Events signup already wrote in Ada's workspace (workspace.created and whatever extensions add). */
let base: number;

const record = (workspaceId: string, actorId: string, type: string, entityType: string, entityId: string) =>
  t.kernel.services.database.db.transaction((tx) =>
    recordEvent(tx, { workspaceId, actorId, type, entityType, entityId, data: { n: entityId } }),
  );

beforeAll(async () => {
  // Taken before the database exists, so no event can be older: `until=started` is empty
  // however slow the signups below are (a second of slack was not enough on a loaded CI).
  started = new Date(Date.now() - 1000).toISOString();
  t = await createTestKernel();
  ada = await t.signup('Ada');
  bob = await t.signup('Bob');
  base = (await t.call('GET', '/api/events?limit=1', { key: ada.key, workspace: ada.workspaceId })).body
    .items[0].id;
  for (let i = 0; i < 5; i++) await record(ada.workspaceId, ada.actorId, 'task.created', 'task', `t${i}`);
  await record(ada.workspaceId, ada.actorId, 'task.updated', 'task', 't1');
  await record(ada.workspaceId, bob.actorId, 'bet.created', 'bet', 'b1');
  await record(bob.workspaceId, bob.actorId, 'task.created', 'task', 'secret');
});
afterAll(() => t?.close());

const list = (query = '', key = ada.key, workspace = ada.workspaceId) =>
  t.call('GET', `/api/events${query}`, { key, workspace });

describe('GET /api/events', () => {
  it('lists the workspace log newest first in the event shape', async () => {
    const { status, body } = await list(`?after_id=${base}`);
    expect(status).toBe(200);
    expect(body.next_cursor).toBeNull();
    expect(body.items.map((e: any) => e.type)).toEqual([
      'bet.created',
      'task.updated',
      ...Array(5).fill('task.created'),
    ]);
    expect((await list()).body.items.at(-1).type).toBe('workspace.created');
    expect(body.items[0]).toEqual({
      id: base + 7,
      workspace_id: ada.workspaceId,
      type: 'bet.created',
      actor_id: bob.actorId,
      entity_type: 'bet',
      entity_id: 'b1',
      data: { n: 'b1' },
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
    });
  });

  it('pages with a keyset cursor in both orders', async () => {
    for (const order of ['asc', 'desc']) {
      const ids: number[] = [];
      let cursor: string | null = '';
      while (cursor !== null) {
        const { body } = await list(`?order=${order}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        ids.push(...body.items.map((e: any) => e.id));
        cursor = body.next_cursor;
      }
      const expected = Array.from({ length: base + 7 }, (_, i) => i + 1);
      expect(ids).toEqual(order === 'asc' ? expected : expected.reverse());
    }
  });

  it('filters by type, entity, actor, id range and time range', async () => {
    const ids = async (query: string) => (await list(query)).body.items.map((e: any) => e.id);
    expect(await ids('?type=task.updated,bet.created')).toEqual([base + 7, base + 6]);
    expect(await ids('?type=task.updated&type=bet.created')).toEqual([base + 7, base + 6]);
    expect(await ids('?entity_type=task&entity_id=t1')).toEqual([base + 6, base + 2]);
    expect(await ids(`?actor_id=${bob.actorId}`)).toEqual([base + 7]);
    expect(await ids('?after_id=2&before_id=5&order=asc')).toEqual([3, 4]);
    expect(await ids(`?since=${started}&type=bet.created`)).toEqual([base + 7]);
    expect(await ids(`?until=${started}`)).toEqual([]);
  });

  it('never shows another workspace', async () => {
    const { body } = await list('?limit=200&entity_id=secret');
    expect(body.items).toEqual([]);
    const foreign = await list('', ada.key, bob.workspaceId);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('NOT_FOUND');
  });

  it('lets a viewer read and rejects bad input with the envelope', async () => {
    await inviteAndAccept(t, ada.key, ada.workspaceId, bob, 'viewer');
    expect((await list('', bob.key)).status).toBe(200);
    for (const query of ['?limit=500', '?cursor=bogus', '?since=yesterday', '?after_id=-1', '?order=up']) {
      const { status, body } = await list(query);
      expect(status, query).toBe(400);
      expect(body.error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('documents the list as an MCP tool and the stream as text/event-stream', async () => {
    const doc = (await t.call('GET', '/openapi.json')).body;
    expect(doc.paths['/api/events'].get['x-maskin-tool']).toBe('list_events');
    const stream = doc.paths['/api/events/stream'].get;
    expect(stream['x-maskin-tool']).toBeUndefined();
    expect(Object.keys(stream.responses['200'].content)).toEqual(['text/event-stream']);
  });
});

describe('GET /api/events/account', () => {
  const account = (key: string, query = '') => t.call('GET', `/api/events/account${query}`, { key });

  it('lists the caller’s own account-level events, newest first, and nobody else’s', async () => {
    const cleo = await t.signup('Cleo');
    const extra = await t.call('POST', '/api/actors/me/api-keys', {
      key: cleo.key,
      body: { name: 'laptop' },
    });
    await t.call('DELETE', `/api/actors/me/api-keys/${extra.body.id}`, { key: cleo.key });
    const side = await t.call('POST', '/api/workspaces', { key: cleo.key, body: { name: 'Side project' } });
    await t.call('DELETE', `/api/workspaces/${side.body.id}`, { key: cleo.key });

    const mine = await account(cleo.key);
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((e: any) => [e.type, e.entity_id])).toEqual([
      ['workspace.deleted', side.body.id],
      ['api_key.revoked', extra.body.id],
      ['api_key.created', extra.body.id],
      ['api_key.created', expect.any(String)],
      ['actor.created', cleo.actorId],
    ]);
    expect(mine.body.items.every((e: any) => e.workspace_id === null && e.actor_id === cleo.actorId)).toBe(
      true,
    );

    const theirs = await account(ada.key);
    expect(theirs.body.items.some((e: any) => e.actor_id === cleo.actorId)).toBe(false);
  });

  it('filters and pages like the workspace log, and refuses an actor_id (always the caller)', async () => {
    const dan = await t.signup('Dan');
    for (const name of ['a', 'b', 'c']) {
      await t.call('POST', '/api/actors/me/api-keys', { key: dan.key, body: { name } });
    }
    const created = await account(dan.key, '?type=api_key.created&order=asc&limit=2');
    expect(created.body.items).toHaveLength(2);
    const next = await account(
      dan.key,
      `?type=api_key.created&order=asc&limit=2&cursor=${created.body.next_cursor}`,
    );
    expect(next.body.items).toHaveLength(2);
    expect(next.body.next_cursor).toBeNull();
    // An unknown parameter is a 400 naming it (issue 10, finding 6), never a silent filter.
    const spoofed = await account(dan.key, `?actor_id=${ada.actorId}`);
    expect(spoofed.status).toBe(400);
    expect(spoofed.body.error.details).toEqual([{ path: 'actor_id', message: expect.any(String) }]);
    expect((await account(dan.key, '?limit=0')).status).toBe(400);
    expect((await t.call('GET', '/api/events/account')).status).toBe(401);
  });
});
