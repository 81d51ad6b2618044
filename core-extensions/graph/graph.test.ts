import { as, createTestKernel, eventsOf, type Member, type TestKernel } from '@maskin/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';

let t: TestKernel;
let owner: Member;
let intruder: Member;
let existingInsight: string;
let foreign: string;
beforeAll(async () => {
  t = await createTestKernel();
  owner = await t.signup('Greta');
  intruder = await t.signup('Hans');
  existingInsight = (
    await t.call('POST', '/api/objects', as(owner, { body: { type: 'insight', title: 'Exports are slow' } }))
  ).body.id;
  foreign = (
    await t.call('POST', '/api/objects', as(intruder, { body: { type: 'bet', title: 'Not yours' } }))
  ).body.id;
});
afterAll(() => t?.close());

const graph = (member: Member, body: unknown) => t.call('POST', '/api/graph', as(member, { body }));
const counts = async (workspaceId: string) => {
  const [row] = await t.kernel.services.database.query<{ objects: string; edges: string; events: string }>(
    `select (select count(*) from objects where workspace_id = $1) as objects,
            (select count(*) from relationships where workspace_id = $1) as edges,
            (select count(*) from events where workspace_id = $1 and entity_type in ('object', 'relationship')) as events`,
    [workspaceId],
  );
  return { objects: Number(row!.objects), edges: Number(row!.edges), events: Number(row!.events) };
};

it('creates nodes and edges with client ids and existing objects, one event per record', async () => {
  const before = (await eventsOf(t, owner.workspaceId, ['object', 'relationship'])).length;
  const res = await graph(owner, {
    nodes: [
      { client_id: 'bet', type: 'bet', title: 'Stream exports', status: 'proposed' },
      { client_id: 't1', type: 'task', title: 'Stream rows' },
      { client_id: 't2', type: 'task', title: 'Add progress bar' },
      { type: 'insight', title: 'Unlinked note' },
    ],
    edges: [
      { type: 'informs', source_id: existingInsight, target_id: 'bet' },
      { type: 'breaks_into', source_id: 'bet', target_id: 't1' },
      { type: 'breaks_into', source_id: 'bet', target_id: 't2' },
      { type: 'blocks', source_id: 't1', target_id: 't2' },
    ],
  });
  expect(res.status).toBe(201);
  expect(res.body.objects).toHaveLength(4);
  expect(res.body.relationships).toHaveLength(4);
  expect(Object.keys(res.body.ids).sort()).toEqual(['bet', 't1', 't2']);
  expect(res.body.relationships[1]).toMatchObject({
    source_id: res.body.ids.bet,
    target_id: res.body.ids.t1,
  });
  const events = (await eventsOf(t, owner.workspaceId, ['object', 'relationship'])).slice(before);
  expect(events.map((e) => e.type)).toEqual([
    ...Array(4).fill('object.created'),
    ...Array(4).fill('relationship.created'),
  ]);
  const bet = await t.call('GET', `/api/objects/${res.body.ids.bet}`, as(owner));
  expect(bet.body.connected_objects.map((o: any) => o.title).sort()).toEqual([
    'Add progress bar',
    'Exports are slow',
    'Stream rows',
  ]);
});

it('creates nothing when a node is invalid, naming it', async () => {
  const before = await counts(owner.workspaceId);
  const res = await graph(owner, {
    nodes: [
      { client_id: 'a', type: 'bet', title: 'fine' },
      { client_id: 'b', type: 'task', title: 'bad status', status: 'nope' },
    ],
    edges: [{ type: 'breaks_into', source_id: 'a', target_id: 'b' }],
  });
  expect(res.status).toBe(400);
  expect(res.body.error.details[0].path).toBe('nodes.1.status');
  expect(await counts(owner.workspaceId)).toEqual(before);
});

it('creates nothing when an edge is invalid, naming it', async () => {
  const before = await counts(owner.workspaceId);
  const nodes = [
    { client_id: 'a', type: 'bet', title: 'fine' },
    { client_id: 'b', type: 'task', title: 'fine too' },
  ];
  const cases: [unknown[], number, string][] = [
    [
      [
        { type: 'breaks_into', source_id: 'a', target_id: 'b' },
        { type: 'explodes', source_id: 'a', target_id: 'b' },
      ],
      400,
      'edges.1.type',
    ],
    [[{ type: 'blocks', source_id: 'a', target_id: 'zzz' }], 400, 'edges.0.target_id'],
    [
      [
        { type: 'blocks', source_id: 'a', target_id: 'b' },
        { type: 'blocks', source_id: 'a', target_id: 'b' },
      ],
      409,
      'edges.1.type',
    ],
    [
      [{ type: 'blocks', source_id: 'a', target_id: '00000000-0000-4000-8000-000000000000' }],
      404,
      'edges.0.target_id',
    ],
  ];
  for (const [edges, status, path] of cases) {
    const res = await graph(owner, { nodes, edges });
    expect(res.status, path).toBe(status);
    expect(res.body.error.details[0].path).toBe(path);
  }
  const dupClient = await graph(owner, { nodes: [nodes[0], nodes[0]] });
  expect(dupClient.body.error.details[0].path).toBe('nodes.1.client_id');
  expect(await counts(owner.workspaceId)).toEqual(before);
});

it('refuses edges to objects of another workspace and leaves both workspaces untouched', async () => {
  const mine = await counts(owner.workspaceId);
  const theirs = await counts(intruder.workspaceId);
  const res = await graph(intruder, {
    nodes: [{ client_id: 'x', type: 'task', title: 'sneaky' }],
    edges: [{ type: 'relates_to', source_id: 'x', target_id: existingInsight }],
  });
  expect(res.status).toBe(404);
  expect(res.body.error.details[0].path).toBe('edges.0.target_id');
  const reverse = await graph(owner, {
    edges: [{ type: 'relates_to', source_id: existingInsight, target_id: foreign }],
  });
  expect(reverse.status).toBe(404);
  expect(await counts(owner.workspaceId)).toEqual(mine);
  expect(await counts(intruder.workspaceId)).toEqual(theirs);
});

it('enforces the size limits and needs something to create', async () => {
  const nodes = Array.from({ length: 501 }, (_, i) => ({ type: 'task', title: `t${i}` }));
  expect((await graph(owner, { nodes })).status).toBe(400);
  const edges = Array.from({ length: 1001 }, () => ({ type: 'blocks', source_id: 'a', target_id: 'b' }));
  expect((await graph(owner, { edges })).status).toBe(400);
  expect((await graph(owner, {})).status).toBe(400);
});

it('creates 500 nodes and 499 edges in one request', async () => {
  const nodes = Array.from({ length: 500 }, (_, i) => ({
    client_id: `n${i}`,
    type: 'task',
    title: `Chain ${i}`,
  }));
  const edges = nodes
    .slice(1)
    .map((_, i) => ({ type: 'blocks', source_id: `n${i}`, target_id: `n${i + 1}` }));
  const res = await graph(owner, { nodes, edges });
  expect(res.status).toBe(201);
  expect(res.body.relationships).toHaveLength(499);
});
