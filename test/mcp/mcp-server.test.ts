/**
 * The MCP surface against a real server process (kernel/main.ts, its own database),
 * with the SDK's own clients: StreamableHTTPClientTransport to /mcp, and
 * StdioClientTransport to `bin/maskin.js mcp`, which proxies to the same server. One
 * server for the whole file; fixtures are made through the HTTP API.
 */

import { spawnSync } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Client as SdkClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { createProcessDatabase } from '../helpers/test-database.ts';
import { callTool, connectMcp } from './mcp-clients.ts';

const ROOT = join(import.meta.dirname, '..', '..');
let server: ServerProcess;
let cleanup: () => Promise<void> | void = () => {};

async function api(
  method: string,
  path: string,
  options: { key: string; workspace?: string; body?: unknown },
) {
  const headers: Record<string, string> = { authorization: `Bearer ${options.key}` };
  if (options.workspace) headers['x-workspace-id'] = options.workspace;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

// The owner's two workspaces: `notes` has meeting-notes enabled, `plain` does not.
let ownerKey: string;
let ownerId: string;
let notes: string;
let plain: string;
let viewerKey: string;
let clients: Client[] = [];

async function mcp(key: string, workspace: string): Promise<Client> {
  const client = await connectMcp(server.url, { key, workspace });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  const database = await createProcessDatabase('mcp');
  cleanup = database.cleanup;
  server = await startServerProcess(database.env);

  const signup = await fetch(`${server.url}/api/actors/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Owner', email: `owner-${Date.now()}@example.com` }),
  }).then((response) => response.json());
  ownerKey = signup.api_key.key;
  ownerId = signup.actor.id;
  notes = signup.workspace.id;
  plain = (await api('POST', '/api/workspaces', { key: ownerKey, body: { name: 'Plain' } })).body.id;
  const enabled = await api('PUT', `/api/workspaces/${notes}/extensions/meeting-notes`, {
    key: ownerKey,
    body: { enabled: true },
  });
  expect(enabled.status).toBe(200);
  const agent = await api('POST', '/api/actors/agents', {
    key: ownerKey,
    workspace: notes,
    body: { name: 'Viewer bot', role: 'viewer' },
  });
  viewerKey = (
    await api('POST', `/api/actors/${agent.body.id}/api-keys`, { key: ownerKey, body: { name: 'v' } })
  ).body.key;
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close().catch(() => {})));
  clients = [];
  await server?.stop();
  await cleanup();
});

const names = (tools: Tool[]) => tools.map((tool) => tool.name);

describe('over Streamable HTTP', () => {
  it('lists different tools in workspaces with different extensions enabled', async () => {
    const inNotes = names((await (await mcp(ownerKey, notes)).listTools()).tools);
    const inPlain = names((await (await mcp(ownerKey, plain)).listTools()).tools);
    expect(inNotes).toEqual(
      expect.arrayContaining(['meeting_notes_create_note', 'meeting_notes_list_notes']),
    );
    expect(inPlain.filter((name) => name.startsWith('meeting_notes_'))).toEqual([]);
    for (const kernelTool of [
      'get_me',
      'list_workspaces',
      'list_members',
      'configure_extension',
      'list_events',
    ]) {
      expect(inNotes).toContain(kernelTool);
      expect(inPlain).toContain(kernelTool);
    }
  });

  it('creates a record with a tool call that the HTTP API then returns, with its event', async () => {
    const client = await mcp(ownerKey, notes);
    const created = await callTool(client, 'meeting_notes_create_note', {
      title: 'Planning',
      attendees: ['Ada', 'Linus'],
      duration_minutes: 45,
    });
    expect(created.isError).toBe(false);
    expect(JSON.parse(created.text)).toEqual(created.body);
    const note = await api('GET', `/api/m/meeting-notes/${created.body.id}`, {
      key: ownerKey,
      workspace: notes,
    });
    expect(note.status).toBe(200);
    expect(note.body).toEqual(created.body);
    expect(note.body).toMatchObject({ title: 'Planning', duration_minutes: 45, created_by: ownerId });

    const events = await api('GET', `/api/events?entity_id=${created.body.id}`, {
      key: ownerKey,
      workspace: notes,
    });
    expect(events.body.items).toHaveLength(1);
    expect(events.body.items[0]).toMatchObject({ type: 'meeting_notes.created', actor_id: ownerId });
    // ...and the same log through MCP.
    const viaTool = await callTool(client, 'list_events', { entity_id: created.body.id });
    expect(viaTool.body.items.map((event: { id: number }) => event.id)).toEqual([events.body.items[0].id]);
  });

  it('gives a clear tool error, and changes nothing, for invalid arguments, a viewer and a disabled extension', async () => {
    const state = async () => ({
      notes: (await api('GET', '/api/m/meeting-notes?limit=200', { key: ownerKey, workspace: notes })).body
        .items.length,
      events: [
        (await api('GET', '/api/events?limit=1', { key: ownerKey, workspace: notes })).body.items[0]?.id,
        (await api('GET', '/api/events?limit=1', { key: ownerKey, workspace: plain })).body.items[0]?.id,
      ],
    });
    const before = await state();

    const owner = await mcp(ownerKey, notes);
    const invalid = await callTool(owner, 'meeting_notes_create_note', { title: '', duration_minutes: 0 });
    expect(invalid.isError).toBe(true);
    expect(invalid.body.error.code).toBe('VALIDATION_ERROR');
    expect(invalid.body.error.details.map((detail: { path: string }) => detail.path).sort()).toEqual([
      'duration_minutes',
      'title',
    ]);

    const viewer = await mcp(viewerKey, notes);
    expect(names((await viewer.listTools()).tools)).toContain('meeting_notes_list_notes');
    const forbidden = await callTool(viewer, 'meeting_notes_create_note', { title: 'Sneaky' });
    expect(forbidden.isError).toBe(true);
    expect(forbidden.body.error.code).toBe('FORBIDDEN');
    expect(forbidden.body.error.message).toContain('member role');

    const inPlain = await mcp(ownerKey, plain);
    const disabled = await callTool(inPlain, 'meeting_notes_create_note', { title: 'Elsewhere' });
    expect(disabled.isError).toBe(true);
    expect(disabled.body.error.code).toBe('EXTENSION_NOT_ENABLED');
    expect(disabled.body.error.message).toContain('"meeting-notes"');

    expect(await state()).toEqual(before);
  });

  it('has a valid JSON Schema and a real description for every tool', async () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const tools = (await (await mcp(ownerKey, notes)).listTools()).tools;
    expect(tools.length).toBeGreaterThan(20);
    expect(new Set(names(tools)).size).toBe(tools.length);
    for (const tool of tools) {
      const label = `tool ${tool.name}`;
      expect(tool.name, label).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(tool.description?.length ?? 0, label).toBeGreaterThan(40);
      expect(tool.inputSchema.type, label).toBe('object');
      expect(ajv.validateSchema(tool.inputSchema), `${label}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
      // Compiling also proves every $ref resolves inside the schema.
      expect(() => ajv.compile(tool.inputSchema), label).not.toThrow();
    }
  });
});

describe('over stdio (maskin mcp)', () => {
  const spawnProxy = async (env: Record<string, string>, args: string[] = []) => {
    const client = new SdkClient({ name: 'maskin-tests-stdio', version: '1.0.0' });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [join(ROOT, 'bin/maskin.js'), 'mcp', '--url', server.url, ...args],
      env,
      cwd: ROOT,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await client.connect(transport);
    clients.push(client);
    return { client, stderr: () => stderr };
  };

  it('serves the same tools as the server, and calls reach it as the caller', async () => {
    const { client } = await spawnProxy({ MASKIN_API_KEY: ownerKey }, ['--workspace', notes]);
    const overHttp = names((await (await mcp(ownerKey, notes)).listTools()).tools);
    expect(names((await client.listTools()).tools)).toEqual(overHttp);

    const created = await callTool(client, 'meeting_notes_create_note', { title: 'Over stdio' });
    expect(created.isError).toBe(false);
    const note = await api('GET', `/api/m/meeting-notes/${created.body.id}`, {
      key: ownerKey,
      workspace: notes,
    });
    expect(note.body).toMatchObject({ title: 'Over stdio', created_by: ownerId });

    const refused = await callTool(client, 'meeting_notes_create_note', { title: '' });
    expect(refused.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('takes the workspace from MASKIN_WORKSPACE_ID and lets --key override MASKIN_API_KEY', async () => {
    const { client } = await spawnProxy(
      { MASKIN_API_KEY: 'ank_not_a_real_key', MASKIN_WORKSPACE_ID: plain },
      ['--key', ownerKey],
    );
    const workspace = await callTool(client, 'get_workspace');
    expect(workspace.body.id).toBe(plain);
    expect(
      names((await client.listTools()).tools).filter((name) => name.startsWith('meeting_notes_')),
    ).toEqual([]);
  });

  it('explains why it cannot start: no key, nothing listening at --url', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const run = (args: string[], env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [join(ROOT, 'bin/maskin.js'), 'mcp', ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
        input: '',
        encoding: 'utf8',
        timeout: 30_000,
      });
    const noKey = run(['--url', server.url, '--workspace', plain]);
    expect(noKey.status).toBe(2);
    expect(noKey.stderr).toContain('no API key: set MASKIN_API_KEY');
    const closed = run(['--url', `http://127.0.0.1:${closedPort}`, '--workspace', plain], {
      MASKIN_API_KEY: ownerKey,
    });
    expect(closed.status).toBe(1);
    expect(closed.stderr).toContain('nothing is listening there');
  });
});
