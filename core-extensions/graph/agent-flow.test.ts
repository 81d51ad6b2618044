import {
  callTool,
  connectMcp,
  createProcessDatabase,
  type ServerProcess,
  startServerProcess,
} from '@maskin/test-kit';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, expect, it } from 'vitest';

let server: ServerProcess;
let cleanup: () => Promise<void> | void = () => {};
let agent: Client;

async function api(
  method: string,
  path: string,
  key: string | undefined,
  body?: unknown,
  workspace?: string,
) {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (workspace) headers['x-workspace-id'] = workspace;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response.json() as Promise<any>;
}

beforeAll(async () => {
  const database = await createProcessDatabase('agent-flow');
  cleanup = database.cleanup;
  server = await startServerProcess(database.env);
  const owner = await api('POST', '/api/actors/signup', undefined, {
    name: 'Product lead',
    email: `lead-${Date.now()}@example.com`,
  });
  const workspace = owner.workspace.id;
  const bot = await api(
    'POST',
    '/api/actors/agents',
    owner.api_key.key,
    { name: 'Planner', role: 'member' },
    workspace,
  );
  const key = await api('POST', `/api/actors/${bot.id}/api-keys`, owner.api_key.key, { name: 'planner' });
  agent = await connectMcp(server.url, { key: key.key, workspace });
});

afterAll(async () => {
  await agent?.close().catch(() => {});
  await server?.stop();
  await cleanup();
});

it('turns insights into a bet broken into tasks, through MCP tools only', async () => {
  const tools = (await agent.listTools()).tools;
  for (const name of [
    'create_objects',
    'list_objects',
    'search_objects',
    'get_object',
    'update_object',
    'delete_object',
    'create_relationship',
    'list_relationships',
    'delete_relationship',
    'create_graph',
  ]) {
    const tool = tools.find((candidate) => candidate.name === name);
    expect(tool, name).toBeDefined();
    expect(tool!.description!.length).toBeGreaterThan(40);
  }

  // 1. Capture insights in bulk.
  const captured = await callTool(agent, 'create_objects', {
    body: [
      {
        type: 'insight',
        title: 'Customers cannot find CSV export',
        content: 'Five tickets this week about exporting.',
      },
      {
        type: 'insight',
        title: 'Exports time out on large workspaces',
        content: 'Export of 50k rows fails.',
      },
      { type: 'insight', title: 'Dark mode requests', content: 'Several users want a darker theme.' },
    ],
  });
  expect(captured.isError).toBe(false);
  expect(captured.body.items).toHaveLength(3);

  // 2. Find the insights about exports.
  const found = await callTool(agent, 'search_objects', { q: 'export', type: 'insight' });
  expect(found.isError).toBe(false);
  const exportInsights = found.body.items.map((hit: any) => hit.id);
  expect(exportInsights).toHaveLength(2);

  // 3. Propose a bet informed by them, broken into tasks, in one step.
  const planned = await callTool(agent, 'create_graph', {
    nodes: [
      { client_id: 'bet', type: 'bet', title: 'Reliable exports', status: 'proposed' },
      { client_id: 'button', type: 'task', title: 'Add an Export button to the list view' },
      { client_id: 'stream', type: 'task', title: 'Stream exports instead of buffering' },
    ],
    edges: [
      ...exportInsights.map((id: string) => ({ type: 'informs', source_id: id, target_id: 'bet' })),
      { type: 'breaks_into', source_id: 'bet', target_id: 'button' },
      { type: 'breaks_into', source_id: 'bet', target_id: 'stream' },
    ],
  });
  expect(planned.isError).toBe(false);
  const { bet, button, stream } = planned.body.ids;

  // 4. Mark the insights as clustered, guarding against concurrent edits.
  for (const id of exportInsights) {
    const current = await callTool(agent, 'get_object', { id });
    const updated = await callTool(agent, 'update_object', {
      id,
      status: 'clustered',
      expected_version: current.body.version,
    });
    expect(updated.isError).toBe(false);
    expect(updated.body.status).toBe('clustered');
  }
  const stale = await callTool(agent, 'update_object', {
    id: exportInsights[0],
    status: 'new',
    expected_version: 1,
  });
  expect(stale.isError).toBe(true);
  expect(stale.body.error.code).toBe('PRECONDITION_FAILED');

  // 5. One task blocks the other; the bet becomes active.
  const blocks = await callTool(agent, 'create_relationship', {
    type: 'blocks',
    source_id: stream,
    target_id: button,
  });
  expect(blocks.isError).toBe(false);
  expect((await callTool(agent, 'update_object', { id: bet, status: 'active' })).body.status).toBe('active');

  // 6. The bet shows where it came from and what it breaks into.
  const detail = await callTool(agent, 'get_object', { id: bet });
  expect(detail.body.relationships.map((edge: any) => edge.type).sort()).toEqual([
    'breaks_into',
    'breaks_into',
    'informs',
    'informs',
  ]);
  expect(detail.body.connected_objects).toHaveLength(4);
  const tasks = await callTool(agent, 'list_objects', { type: 'task', status: 'todo' });
  expect(tasks.body.items.map((task: any) => task.id).sort()).toEqual([button, stream].sort());
  const edges = await callTool(agent, 'list_relationships', { source: bet, type: 'breaks_into' });
  expect(edges.body.items).toHaveLength(2);

  // 7. Changes of mind: drop the blocking edge, then one task altogether.
  expect((await callTool(agent, 'delete_relationship', { id: blocks.body.id })).isError).toBe(false);
  expect((await callTool(agent, 'delete_object', { id: button })).isError).toBe(false);
  const after = await callTool(agent, 'get_object', { id: bet });
  expect(after.body.connected_objects.map((object: any) => object.id)).not.toContain(button);

  // Invalid arguments come back as a tool error naming the field, and change nothing.
  const invalid = await callTool(agent, 'create_objects', {
    body: { type: 'task', title: 'x', status: 'shipped' },
  });
  expect(invalid.isError).toBe(true);
  expect(invalid.body.error.details[0].path).toBe('status');
});
