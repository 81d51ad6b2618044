/**
 * The first hour from an agent's side, over real MCP clients: a key without a
 * workspace gets an account session (list workspaces, get me, select one), over HTTP
 * and over the stdio proxy, where selecting really switches; describe_workspace gives
 * types, statuses, fields and relationship types up front; one object is created
 * with flat arguments; mistakes read as sentences, with the expected shape and one
 * MCP error prefix; and every operation of the API has a description, shared with its
 * tool.
 */
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { createProcessDatabase } from '../helpers/test-database.ts';
import { callTool, connectMcp } from '../mcp/mcp-clients.ts';

const ROOT = join(import.meta.dirname, '..', '..');
let server: ServerProcess;
let cleanup: () => Promise<void>;
let key: string;
let workspaceId: string;
const clients: Client[] = [];

beforeAll(async () => {
  const database = await createProcessDatabase('agent-view');
  cleanup = database.cleanup;
  server = await startServerProcess(database.env);
  const signup = await fetch(`${server.url}/api/actors/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Lead', email: 'lead@example.com' }),
  });
  const body = (await signup.json()) as { api_key: { key: string }; workspace: { id: string } };
  key = body.api_key.key;
  workspaceId = body.workspace.id;
});
afterAll(async () => {
  for (const client of clients) await client.close().catch(() => {});
  await server?.stop();
  await cleanup?.();
});

const names = (tools: { name: string }[]) => tools.map((tool) => tool.name);

async function accountClient() {
  const client = new Client({ name: 'first-hour', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', server.url), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    }),
  );
  clients.push(client);
  return client;
}

describe('a key without a workspace', () => {
  it('gets the account tools over HTTP, and select_workspace says how to continue', async () => {
    const client = await accountClient();
    const tools = names((await client.listTools()).tools);
    for (const name of [
      'get_me',
      'list_workspaces',
      'select_workspace',
      'describe_workspace',
      'get_workspace',
    ]) {
      expect(tools).toContain(name);
    }
    expect(tools).not.toContain('create_objects');
    expect(client.getInstructions()).toContain('select_workspace');
    const mine = await callTool(client, 'list_workspaces');
    expect(mine.body.items.map((w: { id: string }) => w.id)).toEqual([workspaceId]);
    const selected = await callTool(client, 'select_workspace', { workspace_id: workspaceId });
    expect(selected.body.workspace).toMatchObject({ id: workspaceId, role: 'owner' });
    expect(selected.body.next).toContain(`X-Workspace-Id: ${workspaceId}`);
    const stranger = await callTool(client, 'select_workspace', {
      workspace_id: '00000000-0000-4000-8000-000000000000',
    });
    expect(stranger.isError).toBe(true);
    expect(stranger.body.error.code).toBe('NOT_FOUND');
    // A tool that needs the connection's workspace asks for it by name.
    const described = await callTool(client, 'describe_workspace');
    expect(described.body.error.message).toBe('Argument workspace_id is required');
  });

  it('over stdio, select_workspace switches the connection and the tool list', async () => {
    const client = new Client({ name: 'first-hour-stdio', version: '1.0.0' });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [join(ROOT, 'bin/maskin.js'), 'mcp', '--url', server.url],
      env: { PATH: process.env.PATH ?? '', MASKIN_API_KEY: key },
      cwd: ROOT,
      stderr: 'pipe',
    });
    let changed!: () => void;
    const listChanged = new Promise<void>((resolve) => {
      changed = resolve;
    });
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => changed());
    await client.connect(transport);
    clients.push(client);
    expect(names((await client.listTools()).tools)).not.toContain('create_objects');

    // A protocol error crosses the proxy with its prefix once, not once per hop.
    const unknown = await client
      .callTool({ name: 'no_such_tool', arguments: {} })
      .catch((error: Error) => error);
    expect((unknown as Error).message).toBe(
      'MCP error -32602: Unknown tool "no_such_tool"; call tools/list for the available tools',
    );

    const selected = await callTool(client, 'select_workspace', { workspace_id: workspaceId });
    expect(selected.body.next).toContain('tools/list now lists');
    await listChanged;
    expect(names((await client.listTools()).tools)).toContain('create_objects');
    const created = await callTool(client, 'create_objects', { type: 'task', title: 'Picked up over stdio' });
    expect(created.body).toMatchObject({ type: 'task', status: 'todo' });
  });
});

describe('in a workspace', () => {
  let client: Client;
  beforeAll(async () => {
    client = await connectMcp(server.url, { key, workspace: workspaceId });
    clients.push(client);
  });

  it('describe_workspace gives types, statuses, fields and relationship types up front', async () => {
    const described = await callTool(client, 'describe_workspace');
    expect(described.body.workspace).toMatchObject({ id: workspaceId, role: 'owner' });
    const byId = new Map(described.body.extensions.map((e: { id: string }) => [e.id, e]));
    const objects = byId.get('objects') as { settings: { types: Record<string, { statuses: string[] }> } };
    expect(objects.settings.types.insight!.statuses[0]).toBe('new');
    expect(objects.settings.types.task!.statuses).toContain('in_progress');
    const relationships = byId.get('relationships') as { settings: { relationship_types: string[] } };
    expect(relationships.settings.relationship_types).toContain('informs');
    expect(byId.has('meeting-notes')).toBe(false); // installed, not enabled here
  });

  it('creates one object with flat arguments, several with body, and shows the shape on a mistake', async () => {
    const one = await callTool(client, 'create_objects', {
      type: 'insight',
      title: 'Exports are hard to find',
    });
    expect(one.body).toMatchObject({ type: 'insight', title: 'Exports are hard to find' });
    const many = await callTool(client, 'create_objects', {
      body: [
        { type: 'bet', title: 'Export button' },
        { type: 'task', title: 'Add it' },
      ],
    });
    expect(many.body.items).toHaveLength(2);
    // A misspelt search still finds it (typo tolerance), marked as a similar title.
    const misspelt = await callTool(client, 'search_objects', { q: 'exprt' });
    expect(
      misspelt.body.items.map((hit: { title: string; match: string }) => [hit.title, hit.match]).sort(),
    ).toEqual([
      ['Export button', 'similar'],
      ['Exports are hard to find', 'similar'],
    ]);
    const typo = await callTool(client, 'create_objects', { type: 'task', titel: 'x' });
    expect(typo.body.error.message).toBe(
      'Unknown argument titel (accepted: type, title, content, status, metadata, driver_id, body; body is [{type, title, content?, status?, metadata?, driver_id?}, ...] | {type, title, content?, status?, metadata?, driver_id?})',
    );
  });

  it('words validation and conflict messages as sentences', async () => {
    const unknownType = await callTool(client, 'create_objects', { type: 'epic', title: 'x' });
    expect(unknownType.body.error.message).toBe(
      'Invalid object: type: unknown type "epic"; this workspace defines: insight, bet, task',
    );
    const insight = await callTool(client, 'create_objects', { type: 'insight', title: 'a' });
    const bet = await callTool(client, 'create_objects', { type: 'bet', title: 'b' });
    const edge = { type: 'informs', source_id: insight.body.id, target_id: bet.body.id };
    expect((await callTool(client, 'create_relationship', edge)).isError).toBe(false);
    const again = await callTool(client, 'create_relationship', edge);
    expect(again.body.error.message).toBe(
      `Invalid relationship: type: the relationship informs from ${insight.body.id} to ${bet.body.id} already exists`,
    );
  });

  it('update_object does not offer the immutable type', async () => {
    const tools = (await client.listTools()).tools;
    const update = tools.find((tool) => tool.name === 'update_object')!;
    expect(Object.keys(update.inputSchema.properties ?? {})).not.toContain('type');
    expect(Object.keys(update.inputSchema.properties ?? {})).toContain('status');
  });
});

it('every operation has a description, and a tool shares its operation text', async () => {
  const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { description?: string; 'x-maskin-tool'?: string }>>;
  };
  const tools = new Map(
    (await (await workspaceClient()).listTools()).tools.map((tool) => [tool.name, tool.description ?? '']),
  );
  const undocumented: string[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!operation.description) undocumented.push(`${method.toUpperCase()} ${path}`);
      const tool = operation['x-maskin-tool'] && tools.get(operation['x-maskin-tool']);
      if (tool) expect(tool.startsWith(operation.description!), operation['x-maskin-tool']).toBe(true);
    }
  }
  expect(undocumented).toEqual([]);
});

async function workspaceClient() {
  const client = await connectMcp(server.url, { key, workspace: workspaceId });
  clients.push(client);
  return client;
}
