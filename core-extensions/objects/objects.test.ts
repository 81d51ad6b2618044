import { addMember, as, createTestKernel, eventsOf, type Member, type TestKernel } from '@maskin/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getObject } from './queries.ts';

let t: TestKernel;
let owner: Member;
beforeAll(async () => {
  t = await createTestKernel();
  owner = await t.signup('Olga');
});
afterAll(() => t?.close());

const create = (member: Member, body: unknown) => t.call('POST', '/api/objects', as(member, { body }));
const countObjects = async (workspaceId: string) =>
  Number(
    (
      await t.kernel.services.database.query<{ n: string }>(
        'select count(*) as n from objects where workspace_id = $1',
        [workspaceId],
      )
    )[0]!.n,
  );

describe('POST /api/objects', () => {
  it('creates one object with the default status of its type, an ETag and an event', async () => {
    const res = await create(owner, { type: 'insight', title: 'Users churn at checkout', content: '# Why' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      type: 'insight',
      title: 'Users churn at checkout',
      content: '# Why',
      status: 'new',
      metadata: {},
      driver_id: null,
      created_by: owner.actorId,
      version: 1,
    });
    expect(res.headers.get('etag')).toBe('"1"');
    const events = await eventsOf(t, owner.workspaceId, ['object']);
    expect(events.at(-1)).toMatchObject({
      type: 'object.created',
      entity_id: res.body.id,
      actor_id: owner.actorId,
      data: { type: 'insight', status: 'new' },
    });
  });

  it('creates a bulk array all at once, in order, one event each', async () => {
    const before = (await eventsOf(t, owner.workspaceId, ['object'])).length;
    const res = await create(owner, [
      { type: 'bet', title: 'Simplify checkout', status: 'proposed' },
      { type: 'task', title: 'Remove step 3' },
      { type: 'task', title: 'Measure drop-off', status: 'in_progress' },
    ]);
    expect(res.status).toBe(201);
    expect(res.body.items.map((o: any) => [o.title, o.status])).toEqual([
      ['Simplify checkout', 'proposed'],
      ['Remove step 3', 'todo'],
      ['Measure drop-off', 'in_progress'],
    ]);
    const events = await eventsOf(t, owner.workspaceId, ['object']);
    expect(events.slice(before).map((e) => e.entity_id)).toEqual(res.body.items.map((o: any) => o.id));
  });

  it('refuses a bulk array with one bad item, naming its index, and creates nothing', async () => {
    const before = await countObjects(owner.workspaceId);
    const res = await create(owner, [
      { type: 'task', title: 'ok 0' },
      { type: 'task', title: 'ok 1' },
      { type: 'task', title: 'ok 2' },
      { type: 'task', title: 'bad', status: 'shipped' },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details[0].path).toBe('3.status');
    expect(res.body.error.details[0].message).toContain('todo');
    expect(await countObjects(owner.workspaceId)).toBe(before);
  });

  it('names the index of a structurally invalid bulk item and refuses more than 500', async () => {
    const res = await create(owner, [
      { type: 'task', title: 'ok' },
      { type: 'task', title: '' },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('1.title');
    // A missing field fails both union branches: the message names the item and field.
    const missing = await create(owner, [{ type: 'task', title: 'ok' }, { type: 'task' }]);
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body.error)).toContain('1.title');
    const single = await create(owner, { type: 'task' });
    expect(JSON.stringify(single.body.error)).toContain('title');
    const tooMany = Array.from({ length: 501 }, (_, i) => ({ type: 'task', title: `t${i}` }));
    expect((await create(owner, tooMany)).status).toBe(400);
  });

  it('refuses an unknown type and a status of another type, naming the field', async () => {
    const unknown = await create(owner, { type: 'epic', title: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0]).toMatchObject({ path: 'type' });
    expect(unknown.body.error.details[0].message).toContain('insight, bet, task');
    const wrong = await create(owner, { type: 'insight', title: 'x', status: 'todo' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details[0].path).toBe('status');
  });

  it('requires driver_id to be a member of the workspace', async () => {
    const colleague = await addMember(t, owner, 'member', 'Dev');
    const ok = await create(owner, { type: 'task', title: 'Driven', driver_id: colleague.actorId });
    expect(ok.status).toBe(201);
    expect(ok.body.driver_id).toBe(colleague.actorId);
    const stranger = await t.signup('Stranger');
    const bad = await create(owner, [
      { type: 'task', title: 'a' },
      { type: 'task', title: 'b', driver_id: stranger.actorId },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('1.driver_id');
  });

  it('refuses metadata nested thousands of levels deep with a 400 naming the key, not a 500', async () => {
    const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    const send = (method: string, path: string, rawBody: string) =>
      t.call(method, path, {
        ...as(owner),
        rawBody,
        headers: { 'content-type': 'application/json' },
      });
    const before = await countObjects(owner.workspaceId);
    const nested = await send(
      'POST',
      '/api/objects',
      `[{"type":"task","title":"ok"},{"type":"task","title":"x","metadata":{"tree":${deep(5000)}}}]`,
    );
    expect(nested.status).toBe(400);
    // Refused by the kernel's nesting bound on every JSON body (issue 10, finding 8).
    expect(nested.body.error.details[0].path).toMatch(/^1\.metadata\.tree\b/);
    expect(await countObjects(owner.workspaceId)).toBe(before);
    const made = await create(owner, {
      type: 'task',
      title: 'Shallow',
      metadata: { tree: JSON.parse(deep(32)) },
    });
    expect(made.status).toBe(201);
    const patched = await send(
      'PATCH',
      `/api/objects/${made.body.id}`,
      `{"metadata":{"tree":${deep(5000)}}}`,
    );
    expect(patched.status).toBe(400);
    expect(patched.body.error.details[0].path).toMatch(/^metadata\.tree\b/);
  });

  it('lets a viewer read but not write', async () => {
    const viewer = await addMember(t, owner, 'viewer', 'Vera');
    expect((await create(viewer, { type: 'task', title: 'nope' })).status).toBe(403);
    expect((await t.call('GET', '/api/objects', as(viewer))).status).toBe(200);
  });
});

describe('GET /api/objects', () => {
  let lister: Member;
  let ids: Record<string, string>;
  beforeAll(async () => {
    lister = await t.signup('Lisa');
    const driver = await addMember(t, lister, 'member', 'Driver');
    const res = await create(lister, [
      { type: 'insight', title: 'c insight' },
      { type: 'bet', title: 'a bet', status: 'active', driver_id: driver.actorId },
      { type: 'task', title: 'b task', driver_id: driver.actorId },
      { type: 'task', title: 'd task', status: 'done' },
      { type: 'task', title: 'e task' },
    ]);
    ids = Object.fromEntries(res.body.items.map((o: any) => [o.title, o.id]));
    ids.driver = driver.actorId;
  });
  const list = (query: string) => t.call('GET', `/api/objects?${query}`, as(lister));

  it('filters by type, status and driver', async () => {
    expect((await list('type=task')).body.items).toHaveLength(3);
    expect((await list('type=task&status=todo')).body.items.map((o: any) => o.title).sort()).toEqual([
      'b task',
      'e task',
    ]);
    expect((await list(`driver=${ids.driver}`)).body.items.map((o: any) => o.title).sort()).toEqual([
      'a bet',
      'b task',
    ]);
  });

  it('filters by updated_since', async () => {
    const since = new Date(Date.now() + 60_000).toISOString();
    expect((await list(`updated_since=${encodeURIComponent(since)}`)).body.items).toEqual([]);
    await t.call('PATCH', `/api/objects/${ids['c insight']}`, as(lister, { body: { status: 'processing' } }));
    const updated = (await list('sort=updated_at&order=desc&limit=1')).body.items[0];
    const after = await list(`updated_since=${encodeURIComponent(updated.updated_at)}`);
    expect(after.body.items.map((o: any) => o.id)).toContain(ids['c insight']);
  });

  it('refuses times PostgreSQL cannot take (past year 9999) in updated_since and cursors with a 400', async () => {
    const far = await list(`updated_since=${encodeURIComponent('9999-12-31T23:59:59-14:00')}`);
    expect(far.status).toBe(400);
    expect(far.body.error.details[0].path).toBe('updated_since');
    const zero = await list('updated_since=0000-01-01T00:00:00Z');
    expect(zero.status).toBe(400);
    expect(zero.body.error.details[0].path).toBe('updated_since');
    const uuid = '00000000-0000-4000-8000-000000000000';
    const cursor = Buffer.from(
      JSON.stringify(['updated_at', 'desc', '+275760-09-13T00:00:00.000Z', uuid]),
    ).toString('base64url');
    const tampered = await list(`cursor=${cursor}`);
    expect(tampered.status).toBe(400);
    expect(tampered.body.error.details[0].path).toBe('cursor');
  });

  it('sorts by title and pages with a keyset cursor, without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await list(`sort=title&order=asc&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((o: any) => o.title));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['a bet', 'b task', 'c insight', 'd task', 'e task']);
  });

  it('pages by created_at descending and refuses a cursor of another sort or a tampered one', async () => {
    const first = await list('sort=created_at&limit=3');
    const second = await list(`sort=created_at&limit=3&cursor=${first.body.next_cursor}`);
    const all = [...first.body.items, ...second.body.items].map((o: any) => o.id);
    expect(new Set(all).size).toBe(5);
    expect(second.body.next_cursor).toBeNull();
    expect((await list(`sort=title&limit=3&cursor=${first.body.next_cursor}`)).status).toBe(400);
    const tampered = Buffer.from(JSON.stringify(['created_at', 'desc', 'not a date', 'x'])).toString(
      'base64url',
    );
    expect((await list(`sort=created_at&cursor=${tampered}`)).status).toBe(400);
    expect((await list('sort=color')).status).toBe(400);
  });
});

describe('PATCH and DELETE /api/objects/:id', () => {
  it('updates fields, bumps the version and ETag, and records updated and status_changed', async () => {
    const made = await create(owner, { type: 'bet', title: 'Old', status: 'signal' });
    const id = made.body.id;
    const res = await t.call(
      'PATCH',
      `/api/objects/${id}`,
      as(owner, { body: { title: 'New', status: 'active' } }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ title: 'New', status: 'active', version: 2, type: 'bet' });
    expect(res.headers.get('etag')).toBe('"2"');
    const events = (await eventsOf(t, owner.workspaceId, ['object'])).filter((e) => e.entity_id === id);
    expect(events.map((e) => e.type)).toEqual(['object.created', 'object.updated', 'object.status_changed']);
    expect(events[1]!.data).toEqual({ type: 'bet', changed: ['title', 'status'], version: 2 });
    expect(events[2]!.data).toEqual({ type: 'bet', from: 'signal', to: 'active' });
  });

  it('refuses a stale If-Match with 412 and changes nothing; a current one succeeds', async () => {
    const made = await create(owner, { type: 'task', title: 'Contended' });
    const id = made.body.id;
    await t.call('PATCH', `/api/objects/${id}`, as(owner, { body: { title: 'First writer' } }));
    const stale = await t.call(
      'PATCH',
      `/api/objects/${id}`,
      as(owner, { body: { title: 'Second writer' }, headers: { 'if-match': '"1"' } }),
    );
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('PRECONDITION_FAILED');
    const staleBody = await t.call(
      'PATCH',
      `/api/objects/${id}`,
      as(owner, { body: { title: 'Third', expected_version: 1 } }),
    );
    expect(staleBody.status).toBe(412);
    const current = await t.call('GET', `/api/objects/${id}`, as(owner));
    expect(current.body.title).toBe('First writer');
    const fresh = await t.call(
      'PATCH',
      `/api/objects/${id}`,
      as(owner, { body: { title: 'Second writer' }, headers: { 'if-match': current.headers.get('etag')! } }),
    );
    expect(fresh.status).toBe(200);
    expect(fresh.body.version).toBe(3);
    const garbage = await t.call(
      'PATCH',
      `/api/objects/${id}`,
      as(owner, { body: { title: 'x' }, headers: { 'if-match': 'abc' } }),
    );
    expect(garbage.status).toBe(412);
  });

  it('refuses to change the type, an empty patch, and a driver from outside', async () => {
    const made = await create(owner, { type: 'task', title: 'Typed' });
    const type = await t.call('PATCH', `/api/objects/${made.body.id}`, as(owner, { body: { type: 'bet' } }));
    expect(type.status).toBe(400);
    expect(type.body.error.details.map((d: any) => d.path)).toContain('type');
    expect((await t.call('PATCH', `/api/objects/${made.body.id}`, as(owner, { body: {} }))).status).toBe(400);
    const stranger = await t.signup('Outsider');
    const driver = await t.call(
      'PATCH',
      `/api/objects/${made.body.id}`,
      as(owner, { body: { driver_id: stranger.actorId } }),
    );
    expect(driver.status).toBe(400);
    expect(driver.body.error.details[0].path).toBe('driver_id');
  });

  it('deletes an object with an event; then it is gone', async () => {
    const made = await create(owner, { type: 'task', title: 'Doomed' });
    const res = await t.call('DELETE', `/api/objects/${made.body.id}`, as(owner));
    expect(res.status).toBe(204);
    expect((await t.call('GET', `/api/objects/${made.body.id}`, as(owner))).status).toBe(404);
    expect((await t.call('DELETE', `/api/objects/${made.body.id}`, as(owner))).status).toBe(404);
    const last = (await eventsOf(t, owner.workspaceId, ['object'])).at(-1)!;
    expect(last).toMatchObject({ type: 'object.deleted', entity_id: made.body.id });
  });
});

describe('isolation', () => {
  it('gives a member of another workspace nothing of this one by id', async () => {
    const made = await create(owner, { type: 'task', title: 'Private' });
    const id = made.body.id;
    const intruder = await t.signup('Ivan');
    const eventsBefore = (await eventsOf(t, owner.workspaceId, ['object'])).length;
    expect((await t.call('GET', `/api/objects/${id}`, as(intruder))).status).toBe(404);
    expect(
      (await t.call('PATCH', `/api/objects/${id}`, as(intruder, { body: { title: 'pwned' } }))).status,
    ).toBe(404);
    expect((await t.call('DELETE', `/api/objects/${id}`, as(intruder))).status).toBe(404);
    const list = await t.call('GET', '/api/objects?limit=200', as(intruder));
    expect(list.body.items.map((o: any) => o.id)).not.toContain(id);
    // Naming the other workspace in the header is refused before any route runs.
    const header = await t.call('GET', `/api/objects/${id}`, {
      key: intruder.key,
      workspace: owner.workspaceId,
    });
    expect(header.status).toBe(404);
    expect((await t.call('GET', `/api/objects/${id}`, as(owner))).body.title).toBe('Private');
    expect((await eventsOf(t, owner.workspaceId, ['object'])).length).toBe(eventsBefore);
  });
});

describe('list pages continue by keyset', () => {
  it('pages through objects that share their times, in every time order, each once', async () => {
    const member = await t.signup('Ties');
    // One bulk create: one transaction, so all seven share created_at and updated_at.
    const made = await t.call(
      'POST',
      '/api/objects',
      as(member, { body: Array.from({ length: 7 }, (_, i) => ({ type: 'task', title: `tie ${i}` })) }),
    );
    expect(new Set(made.body.items.map((o: any) => o.updated_at)).size).toBe(1);
    const ids = made.body.items.map((o: any) => o.id as string).sort();
    for (const sort of ['updated_at', 'created_at']) {
      for (const order of ['desc', 'asc']) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const query = `sort=${sort}&order=${order}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
          const page: any = await t.call('GET', `/api/objects?${query}`, as(member));
          expect(page.status).toBe(200);
          seen.push(...page.body.items.map((o: any) => o.id));
          cursor = page.body.next_cursor;
        } while (cursor);
        // Ties are broken by id, in the same direction as the time.
        expect(seen).toEqual(order === 'asc' ? ids : [...ids].reverse());
      }
    }
  });

  it('finds where a page continues in the index, instead of filtering out the pages before it', async () => {
    const { listStatement } = await import('./queries.ts');
    const after = { value: '2026-01-01T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000000' };
    for (const sort of ['updated_at', 'created_at', 'title'] as const) {
      const { text, params } = listStatement(
        owner.workspaceId,
        { sort, order: 'desc', limit: 50 } as never,
        sort === 'title' ? { ...after, value: 'm' } : after,
      );
      // Few rows here: without this the planner may read the table instead (the cost
      // model, not the statement, decides that); with it, the index must carry the keyset.
      const plan = await t.kernel.services.database.scriptTransaction(async (tx) => {
        await tx.query('set local enable_seqscan = off');
        await tx.query('set local enable_bitmapscan = off');
        return tx.query<{ 'QUERY PLAN': string }>(`explain ${text}`, params);
      });
      const lines = plan.map((row) => row['QUERY PLAN']);
      const condition = lines.find((line) => line.includes('Index Cond'));
      expect(condition, lines.join('\n')).toMatch(new RegExp(`ROW\\(${sort}, id\\) <`));
    }
  });
});

describe('list items and objects read by id are built by PostgreSQL', () => {
  it('equal the row as Node maps it, field for field, whatever their text and metadata hold', async () => {
    const member = await t.signup('Json');
    const awkward = [
      { type: 'task', title: 'Quotes " and \\ backslash', content: 'line\nbreak\ttab \u0001 control' },
      { type: 'task', title: 'Unicode: café, 日本語, emoji 🚀, RTL שלום', content: '' },
      {
        type: 'insight',
        title: '</script><b>html</b>',
        content: 'x'.repeat(5_000),
        metadata: {
          nested: { deep: [1, 2.5, -0, 1e21, null, true, 'ü'] },
          'key with spaces': 'v',
          empty: {},
          n: 12345678.125,
        },
      },
    ];
    const created = await t.call('POST', '/api/objects', as(member, { body: awkward }));
    expect(created.status).toBe(201);
    // Microseconds that round up at the millisecond: the text must truncate like JavaScript.
    await t.kernel.services.database.query(
      `update objects set updated_at = '2026-01-02T03:04:05.999999Z' where id = $1`,
      [created.body.items[0].id],
    );
    const listed = await t.call('GET', '/api/objects?limit=10', as(member));
    expect(listed.status).toBe(200);
    expect(listed.headers.get('content-type')).toContain('application/json');
    expect(listed.body.items).toHaveLength(3);
    for (const item of listed.body.items) {
      const { relationships, relationships_truncated, connected_objects, ...byId } = (
        await t.call('GET', `/api/objects/${item.id}`, as(member))
      ).body;
      expect(item).toStrictEqual(byId);
      expect(Object.keys(item)).toEqual(Object.keys(byId));
      expect(relationships).toEqual([]);
      expect(relationships_truncated).toBe(false);
      expect(connected_objects).toEqual([]);
      // The row through drizzle and toObjectJson: what Node would have written.
      const mapped = await getObject(t.kernel.services.database.db, member.workspaceId, item.id);
      expect(byId).toStrictEqual(JSON.parse(JSON.stringify(mapped)));
      expect(Object.keys(byId)).toEqual(Object.keys(mapped));
    }
    const moved = listed.body.items.find((item: any) => item.id === created.body.items[0].id);
    expect(moved.updated_at).toBe('2026-01-02T03:04:05.999Z');
  });
});
