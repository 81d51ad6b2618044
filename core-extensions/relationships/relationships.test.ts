import {
  as,
  createTestKernel,
  disableWithDependents,
  eventsOf,
  type Member,
  setExtensionSettings,
  type TestKernel,
} from '@maskin/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relationshipObjectHooks } from './object-hooks.ts';

let t: TestKernel;
let owner: Member;
let intruder: Member;
let insight: string;
let bet: string;
let task: string;
let foreign: string;
beforeAll(async () => {
  t = await createTestKernel();
  owner = await t.signup('Rita');
  intruder = await t.signup('Igor');
  const made = await t.call(
    'POST',
    '/api/objects',
    as(owner, {
      body: [
        { type: 'insight', title: 'Slow exports' },
        { type: 'bet', title: 'Faster exports' },
        { type: 'task', title: 'Stream the CSV' },
      ],
    }),
  );
  [insight, bet, task] = made.body.items.map((o: any) => o.id);
  foreign = (await t.call('POST', '/api/objects', as(intruder, { body: { type: 'task', title: 'Theirs' } })))
    .body.id;
});
afterAll(() => t?.close());

const link = (member: Member, body: unknown) => t.call('POST', '/api/relationships', as(member, { body }));

describe('POST /api/relationships', () => {
  it('links two objects with an event, and refuses the same edge twice', async () => {
    const res = await link(owner, { type: 'informs', source_id: insight, target_id: bet });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      type: 'informs',
      source_id: insight,
      target_id: bet,
      created_by: owner.actorId,
    });
    const last = (await eventsOf(t, owner.workspaceId, ['relationship'])).at(-1)!;
    expect(last).toMatchObject({
      type: 'relationship.created',
      entity_id: res.body.id,
      data: { type: 'informs' },
    });
    const again = await link(owner, { type: 'informs', source_id: insight, target_id: bet });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
    expect((await link(owner, { type: 'relates_to', source_id: insight, target_id: bet })).status).toBe(201);
  });

  it('takes its types from its own settings', async () => {
    const bad = await link(owner, { type: 'causes', source_id: bet, target_id: task });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('type');
    expect(bad.body.error.details[0].message).toContain('breaks_into');
    const custom = await t.signup('Cara');
    await setExtensionSettings(t, custom, 'relationships', { relationship_types: ['causes'] });
    const made = await t.call(
      'POST',
      '/api/objects',
      as(custom, {
        body: [
          { type: 'task', title: 'a' },
          { type: 'task', title: 'b' },
        ],
      }),
    );
    const [a, b] = made.body.items.map((o: any) => o.id);
    expect((await link(custom, { type: 'causes', source_id: a, target_id: b })).status).toBe(201);
    expect((await link(custom, { type: 'informs', source_id: b, target_id: a })).status).toBe(400);
  });

  it('refuses a missing end and a self-link', async () => {
    const missing = await link(owner, {
      type: 'blocks',
      source_id: task,
      target_id: '00000000-0000-4000-8000-000000000000',
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.details[0].path).toBe('target_id');
    const self = await link(owner, { type: 'blocks', source_id: task, target_id: task });
    expect(self.status).toBe(400);
  });
});

describe('GET /api/relationships and GET /api/objects/:id', () => {
  beforeAll(async () => {
    await link(owner, { type: 'breaks_into', source_id: bet, target_id: task });
  });

  it('filters by source, target and type, and pages', async () => {
    const list = (q: string) => t.call('GET', `/api/relationships?${q}`, as(owner));
    expect((await list(`source=${insight}`)).body.items.map((r: any) => r.type).sort()).toEqual([
      'informs',
      'relates_to',
    ]);
    expect((await list(`target=${task}`)).body.items.map((r: any) => r.type)).toEqual(['breaks_into']);
    expect((await list('type=informs')).body.items).toHaveLength(1);
    const first = await list('limit=2');
    const second = await list(`limit=2&cursor=${first.body.next_cursor}`);
    expect(new Set([...first.body.items, ...second.body.items].map((r: any) => r.id)).size).toBe(3);
    // A tampered cursor whose time PostgreSQL cannot take (past year 9999) is a 400, not a 500.
    const far = Buffer.from(
      JSON.stringify(['+275760-09-13T00:00:00.000Z', '00000000-0000-4000-8000-000000000000']),
    ).toString('base64url');
    const tampered = await list(`cursor=${far}`);
    expect(tampered.status).toBe(400);
    expect(tampered.body.error.details[0].path).toBe('cursor');
  });

  it('shows an object with its edges and the connected objects', async () => {
    const res = await t.call('GET', `/api/objects/${bet}`, as(owner));
    expect(res.status).toBe(200);
    expect(res.body.relationships.map((r: any) => r.type).sort()).toEqual([
      'breaks_into',
      'informs',
      'relates_to',
    ]);
    expect(res.body.connected_objects.map((o: any) => o.title).sort()).toEqual([
      'Slow exports',
      'Stream the CSV',
    ]);
  });

  it('shows each edge exactly as the relationships list does, newest first', async () => {
    // The object's edges are written by PostgreSQL in the object's own statement (edgesSql);
    // the list maps rows in Node. Same fields, same order of keys, same time format.
    const res = await t.call('GET', `/api/objects/${bet}`, as(owner));
    const listed = [
      ...(await t.call('GET', `/api/relationships?source=${bet}`, as(owner))).body.items,
      ...(await t.call('GET', `/api/relationships?target=${bet}`, as(owner))).body.items,
    ];
    expect(res.body.relationships).toHaveLength(listed.length);
    for (const edge of res.body.relationships) {
      const same = listed.find((item: any) => item.id === edge.id);
      expect(JSON.stringify(edge)).toBe(JSON.stringify(same));
    }
    const times = res.body.relationships.map((edge: any) => edge.created_at);
    expect(times).toEqual([...times].sort().reverse());
  });
});

describe('an object with many edges', () => {
  it('shows the newest of both ends, merged, reading only as many as it shows from each end', async () => {
    const member = await t.signup('Hub');
    const made = await t.call(
      'POST',
      '/api/objects',
      as(member, {
        body: Array.from({ length: 61 }, (_, i) => ({ type: 'task', title: `Node ${i}` })),
      }),
    );
    const [hub, ...others] = made.body.items.map((o: any) => o.id as string);
    // 60 edges out of the hub and 60 into it, written directly (this is a test of the
    // read), their times interleaved so that the newest 50 take some from each end.
    const { database } = t.kernel.services;
    await database.query(
      `insert into relationships (workspace_id, type, source_id, target_id, created_at)
       select $1, 'relates_to', case when outgoing then $2 else other end,
              case when outgoing then other else $2 end,
              timestamptz '2026-01-01' + (n * (case when outgoing then 2 else 3 end)) * interval '1 second'
         from unnest($3::uuid[]) with ordinality as others(other, n), (values (true), (false)) as ends(outgoing)`,
      [member.workspaceId, hub, others],
    );

    const detail = await t.call('GET', `/api/objects/${hub}`, as(member));
    expect(detail.status).toBe(200);
    const all = [
      ...(await t.call('GET', `/api/relationships?source=${hub}&limit=200`, as(member))).body.items,
      ...(await t.call('GET', `/api/relationships?target=${hub}&limit=200`, as(member))).body.items,
    ].sort((a: any, b: any) =>
      a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1,
    );
    expect(all).toHaveLength(120);
    const shown = detail.body.relationships.map((edge: any) => edge.id);
    expect(shown).toEqual(all.slice(0, 50).map((edge: any) => edge.id));
    expect(new Set(detail.body.relationships.map((edge: any) => edge.source_id === hub))).toEqual(
      new Set([true, false]),
    );
    expect(detail.body.relationships_truncated).toBe(true);

    // The statement reads at most the limit from each end's index, not all 120 edges.
    const edgesSql = await relationshipObjectHooks(undefined as never, async () => true).edgesSql!(
      member.workspaceId,
    );
    const plan = await database.scriptTransaction(async (tx) => {
      // Few rows here: without this the planner may read the table (its cost model's
      // choice); with it, the statement must be able to stop early in each index.
      await tx.query('set local enable_seqscan = off');
      await tx.query('set local enable_bitmapscan = off');
      return tx.query<{ 'QUERY PLAN': string }>(
        `explain (analyze, costs off, timing off, summary off)
         select (${edgesSql})::text from objects o where o.workspace_id = $2 and o.id = $3`,
        [51, member.workspaceId, hub],
      );
    });
    const lines = plan.map((row) => row['QUERY PLAN']);
    const scans = lines.filter((line) => /Index (Only )?Scan .* on relationships/.test(line));
    expect(scans.join('\n'), lines.join('\n')).toMatch(/relationships_source_created/);
    expect(scans.join('\n'), lines.join('\n')).toMatch(/relationships_target_created/);
    for (const scan of scans) {
      const rows = Number(/rows=(\d+)/.exec(scan)?.[1]);
      expect(rows, lines.join('\n')).toBeLessThanOrEqual(51);
    }
  });
});

describe('deleting', () => {
  it('deletes a relationship with an event', async () => {
    const made = await link(owner, { type: 'blocks', source_id: task, target_id: insight });
    expect((await t.call('DELETE', `/api/relationships/${made.body.id}`, as(owner))).status).toBe(204);
    const last = (await eventsOf(t, owner.workspaceId, ['relationship'])).at(-1)!;
    expect(last).toMatchObject({ type: 'relationship.deleted', entity_id: made.body.id });
    expect((await t.call('DELETE', `/api/relationships/${made.body.id}`, as(owner))).status).toBe(404);
  });

  it('removes the relationships of a deleted object, each with an event, before object.deleted', async () => {
    const made = await t.call(
      'POST',
      '/api/objects',
      as(owner, { body: { type: 'task', title: 'Temporary' } }),
    );
    const temp = made.body.id;
    const edge1 = await link(owner, { type: 'breaks_into', source_id: bet, target_id: temp });
    const edge2 = await link(owner, { type: 'blocks', source_id: temp, target_id: task });
    expect((await t.call('DELETE', `/api/objects/${temp}`, as(owner))).status).toBe(204);
    const events = await eventsOf(t, owner.workspaceId, ['relationship', 'object']);
    expect(events.slice(-3).map((e) => [e.type, e.entity_id])).toEqual(
      expect.arrayContaining([
        ['relationship.deleted', edge1.body.id],
        ['relationship.deleted', edge2.body.id],
      ]),
    );
    expect(events.at(-1)).toMatchObject({ type: 'object.deleted', entity_id: temp });
    const left = await t.call('GET', `/api/relationships?target=${temp}`, as(owner));
    expect(left.body.items).toEqual([]);
    expect(
      (await t.call('GET', `/api/objects/${bet}`, as(owner))).body.relationships.map((r: any) => r.target_id),
    ).not.toContain(temp);
  });
});

describe('isolation', () => {
  it('cannot link to, list or delete anything of another workspace', async () => {
    const fromMine = await link(intruder, { type: 'relates_to', source_id: foreign, target_id: bet });
    expect(fromMine.status).toBe(404);
    expect(fromMine.body.error.details[0].path).toBe('target_id');
    expect((await link(intruder, { type: 'relates_to', source_id: bet, target_id: task })).status).toBe(404);
    expect((await link(owner, { type: 'relates_to', source_id: bet, target_id: foreign })).status).toBe(404);
    const listed = await t.call('GET', `/api/relationships?source=${insight}`, as(intruder));
    expect(listed.body.items).toEqual([]);
    const edges = await t.call('GET', `/api/relationships?source=${insight}`, as(owner));
    const edgeId = edges.body.items[0].id;
    expect((await t.call('DELETE', `/api/relationships/${edgeId}`, as(intruder))).status).toBe(404);
    expect((await t.call('GET', `/api/relationships?source=${insight}`, as(owner))).body.items).toHaveLength(
      edges.body.items.length,
    );
    const detail = await t.call('GET', `/api/objects/${foreign}`, as(intruder));
    expect(detail.body.relationships).toEqual([]);
  });
});

describe('enablement', () => {
  it('refuses to disable relationships while graph is enabled, then allows it after graph', async () => {
    const admin = await t.signup('Enid');
    const put = (ext: string, enabled: boolean) =>
      t.call('PUT', `/api/workspaces/${admin.workspaceId}/extensions/${ext}`, {
        key: admin.key,
        body: { enabled },
      });
    const refused = await put('relationships', false);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('"graph"');
    // graph (and whatever else requires relationships) goes first
    expect(await disableWithDependents(t, admin, 'relationships')).toContain('graph');
    const gated = await t.call('GET', '/api/relationships', as(admin));
    expect(gated.status).toBe(404);
    expect(gated.body.error.code).toBe('EXTENSION_NOT_ENABLED');
    expect((await disableWithDependents(t, admin, 'objects')).at(-1)).toBe('objects');
    expect((await t.call('GET', '/api/objects', as(admin))).body.error.code).toBe('EXTENSION_NOT_ENABLED');
  });

  it('hides edges on objects while disabled, keeps them, and shows them again once re-enabled', async () => {
    const admin = await t.signup('Hidda');
    const put = (ext: string, enabled: boolean) =>
      t.call('PUT', `/api/workspaces/${admin.workspaceId}/extensions/${ext}`, {
        key: admin.key,
        body: { enabled },
      });
    const made = await t.call(
      'POST',
      '/api/objects',
      as(admin, {
        body: [
          { type: 'insight', title: 'Seen' },
          { type: 'bet', title: 'Tried' },
        ],
      }),
    );
    const [from, to] = made.body.items.map((o: any) => o.id);
    expect((await link(admin, { type: 'informs', source_id: from, target_id: to })).status).toBe(201);
    const edgesOf = async () => (await t.call('GET', `/api/objects/${from}`, as(admin))).body;
    expect((await edgesOf()).relationships).toHaveLength(1);

    await disableWithDependents(t, admin, 'relationships');
    const hidden = await edgesOf();
    expect(hidden.relationships).toEqual([]);
    expect(hidden.connected_objects).toEqual([]);

    expect((await put('relationships', true)).status).toBe(200);
    const shown = await edgesOf();
    expect(shown.relationships).toHaveLength(1);
    expect(shown.connected_objects.map((o: any) => o.id)).toEqual([to]);
  });
});

describe('relationships settings', () => {
  it('refuse to drop a relationship type that edges use, until those edges are gone', async () => {
    const admin = await t.signup('Tilda');
    const made = await t.call(
      'POST',
      '/api/objects',
      as(admin, {
        body: [
          { type: 'task', title: 'First' },
          { type: 'task', title: 'Second' },
        ],
      }),
    );
    const [a, b] = made.body.items.map((o: any) => o.id);
    const edge = await link(admin, { type: 'blocks', source_id: a, target_id: b });
    expect(edge.status).toBe(201);
    const put = (relationshipTypes: string[]) =>
      t.call('PUT', `/api/workspaces/${admin.workspaceId}/extensions/relationships`, {
        key: admin.key,
        body: { settings: { relationship_types: relationshipTypes } },
      });
    const refused = await put(['informs', 'relates_to']);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('relationship type "blocks" is used by 1 relationship');
    expect((await link(admin, { type: 'blocks', source_id: b, target_id: a })).status).toBe(201);

    const edges = await t.call('GET', `/api/relationships?type=blocks`, as(admin));
    for (const item of edges.body.items) {
      expect((await t.call('DELETE', `/api/relationships/${item.id}`, as(admin))).status).toBe(204);
    }
    expect((await put(['informs', 'relates_to'])).status).toBe(200);
    expect((await link(admin, { type: 'blocks', source_id: a, target_id: b })).status).toBe(400);
  });
});
