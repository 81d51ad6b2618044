/**
 * The MCP endpoint in-process (the SDK's client, its fetch pointed at `app.request`):
 * the checks before MCP, route-derived argument mapping, and hand-written extension
 * tools, whose arguments and role the kernel checks and whose `callApi` goes through
 * the HTTP pipeline as the caller. The real-process suite is mcp-server.test.ts.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import meetingNotes from '../../extensions/meeting-notes/index.ts';
import { ApiError, defineExtension, z } from '../../kernel/contract/index.ts';
import { installed } from '../helpers/extensions.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { callTool, connectMcp } from './mcp-clients.ts';

/** A composite tool: several notes in one call, each created through the notes route. */
const noteDigest = defineExtension({
  manifest: {
    id: 'note-digest',
    version: '1.0.0',
    kernel: '^1.0.0',
    description: 'Test extension with a hand-written MCP tool over meeting-notes.',
    enablement: 'opt-in',
    requires: ['meeting-notes'],
  },
  setup: () => ({
    tools: [
      {
        name: 'create_notes',
        description: 'Creates several meeting notes at once, one per title; returns their ids.',
        inputSchema: z.object({ titles: z.array(z.string()).min(1).max(10) }),
        access: { auth: 'workspace', role: 'member' },
        async handler(args, context) {
          const ids: string[] = [];
          for (const title of args.titles as string[]) {
            const { status, body } = await context.callApi('POST', '/api/m/meeting-notes', { title });
            const error = (body as { error?: { code: any; message: string } }).error;
            if (error) throw new ApiError(status as 400, error.code, error.message);
            ids.push((body as { id: string }).id);
          }
          return { ids, workspace_id: context.workspaceId, actor_id: context.actorId };
        },
      },
    ],
  }),
});

let t: TestKernel;
/** Every line the kernel logs, parsed. */
const logLines: Record<string, unknown>[] = [];
let owner: Awaited<ReturnType<TestKernel['signup']>>;
let viewerKey: string;
const inProcess = (url: string | URL, init?: RequestInit) => Promise.resolve(t.kernel.app.request(url, init));
const connect = (key: string, workspace: string) =>
  connectMcp('http://maskin.test', { key, workspace }, inProcess);

beforeAll(async () => {
  t = await createTestKernel({
    extensions: [installed(meetingNotes), installed(noteDigest)],
    logger: pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line)) }),
  });
  owner = await t.signup('Owner');
  const agent = await t.call('POST', '/api/actors/agents', {
    key: owner.key,
    workspace: owner.workspaceId,
    body: { name: 'Viewer bot', role: 'viewer' },
  });
  const key = await t.call('POST', `/api/actors/${agent.body.id}/api-keys`, {
    key: owner.key,
    body: { name: 'viewer' },
  });
  viewerKey = key.body.key;
});
afterAll(() => t?.close());

describe('before MCP is involved', () => {
  const post = (headers: Record<string, string>) =>
    t.call('POST', '/mcp', {
      headers: { accept: 'application/json, text/event-stream', ...headers },
      body: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    });

  it('answers the API error envelopes for a missing key and a non-member', async () => {
    expect((await post({})).body.error.code).toBe('UNAUTHORIZED');
    // No workspace is an account session (test/first-hour/agent-view.test.ts), not an error.
    const noWorkspace = await post({ authorization: `Bearer ${owner.key}` });
    expect(noWorkspace.status).toBe(200);
    expect(noWorkspace.body.result.tools.map((tool: { name: string }) => tool.name)).toContain(
      'select_workspace',
    );
    const stranger = await t.signup('Stranger');
    const other = await post({
      authorization: `Bearer ${stranger.key}`,
      'x-workspace-id': owner.workspaceId,
    });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('NOT_FOUND');
  });

  it('leaves a body that is not JSON-RPC to the SDK, which answers its own errors', async () => {
    const raw = (rawBody: string, headers: Record<string, string> = {}) =>
      t.call('POST', '/mcp', {
        key: owner.key,
        workspace: owner.workspaceId,
        rawBody,
        headers: {
          accept: 'application/json, text/event-stream',
          'content-type': 'application/json',
          ...headers,
        },
      });
    const garbled = await raw('{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(garbled.status).toBe(400);
    expect(garbled.body.error).toMatchObject({ code: -32700, message: 'Parse error: Invalid JSON' });
    const call = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_me' } });
    const wrongAccept = await raw(call, { accept: 'application/json' });
    expect(wrongAccept.status).toBe(406);
    const answered = await raw(call);
    expect(answered.status).toBe(200);
    expect(answered.body.result.structuredContent.id).toBe(owner.actorId);
  });

  it('refuses GET and DELETE with 405 and the envelope (stateless: no stream, no session)', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await t.call(method, '/mcp', { key: owner.key, workspace: owner.workspaceId });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(response.body.error.code).toBe('METHOD_NOT_ALLOWED');
    }
  });
});

describe('hand-written extension tools', () => {
  let client: Client;
  beforeAll(async () => {
    client = await connect(owner.key, owner.workspaceId);
  });
  afterAll(() => client?.close());

  const enable = (extension: string, enabled: boolean) =>
    t.call('PUT', `/api/workspaces/${owner.workspaceId}/extensions/${extension}`, {
      key: owner.key,
      body: { enabled, enable_requires: true },
    });
  const noteCount = async () =>
    (await t.call('GET', '/api/m/meeting-notes?limit=200', { key: owner.key, workspace: owner.workspaceId }))
      .body.items.length;

  it('are neither listed nor callable until their extension is enabled', async () => {
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).not.toContain('note_digest_create_notes');
    expect(names).not.toContain('meeting_notes_create_note');
    const outcome = await callTool(client, 'note_digest_create_notes', { titles: ['x'] });
    expect(outcome.isError).toBe(true);
    expect(outcome.body.error.code).toBe('EXTENSION_NOT_ENABLED');
    expect(outcome.body.error.message).toContain('"note-digest"');
  });

  it('run through the API as the caller once enabled, and the next tools/list shows them', async () => {
    expect((await enable('note-digest', true)).status).toBe(200);
    const tools = (await client.listTools()).tools;
    const digest = tools.find((tool) => tool.name === 'note_digest_create_notes')!;
    expect(digest.inputSchema).toMatchObject({ type: 'object', required: ['titles'] });
    expect(tools.map((tool) => tool.name)).toContain('meeting_notes_create_note');

    logLines.length = 0;
    const outcome = await callTool(client, 'note_digest_create_notes', { titles: ['Kickoff', 'Retro'] });
    expect(outcome.isError).toBe(false);
    // One log line for the call, listing both requests the tool made through the API.
    const lines = logLines.filter((line) => line.msg === 'request');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.in_process_requests).toEqual([
      expect.objectContaining({ method: 'POST', path: '/api/m/meeting-notes', status: 201 }),
      expect.objectContaining({ method: 'POST', path: '/api/m/meeting-notes', status: 201 }),
    ]);
    expect(outcome.body).toMatchObject({ workspace_id: owner.workspaceId, actor_id: owner.actorId });
    expect(outcome.body.ids).toHaveLength(2);
    const note = await t.call('GET', `/api/m/meeting-notes/${outcome.body.ids[0]}`, {
      key: owner.key,
      workspace: owner.workspaceId,
    });
    expect(note.body).toMatchObject({ title: 'Kickoff', created_by: owner.actorId });
  });

  it('refuse invalid arguments and too-low roles before the handler runs', async () => {
    const before = await noteCount();
    const invalid = await callTool(client, 'note_digest_create_notes', { titles: [] });
    expect(invalid.body.error.code).toBe('VALIDATION_ERROR');
    expect(invalid.body.error.details[0].path).toBe('titles');

    const viewer = await connect(viewerKey, owner.workspaceId);
    const forbidden = await callTool(viewer, 'note_digest_create_notes', { titles: ['Nope'] });
    await viewer.close();
    expect(forbidden.isError).toBe(true);
    expect(forbidden.body.error.code).toBe('FORBIDDEN');
    expect(forbidden.body.error.message).toContain('member');
    expect(await noteCount()).toBe(before);
  });

  it('report a route error met by callApi as the envelope', async () => {
    const outcome = await callTool(client, 'note_digest_create_notes', { titles: ['   '] });
    expect(outcome.isError).toBe(true);
    expect(outcome.body.error.code).toBe('VALIDATION_ERROR');
  });
});

describe('route-derived tools', () => {
  let client: Client;
  beforeAll(async () => {
    client = await connect(owner.key, owner.workspaceId);
  });
  afterAll(() => client?.close());

  it('default workspace_id to the connection workspace and accept query arguments', async () => {
    const workspace = await callTool(client, 'get_workspace');
    expect(workspace.body.id).toBe(owner.workspaceId);
    const members = await callTool(client, 'list_members', { limit: 1 });
    expect(members.body.items).toHaveLength(1);
    expect(members.body.next_cursor).toEqual(expect.any(String));
  });

  it('resolve `me` and return created secrets once, as the route does', async () => {
    const created = await callTool(client, 'create_api_key', { actor_id: 'me', name: 'from mcp' });
    expect(created.body.key).toMatch(/^ank_/);
    const listed = await callTool(client, 'list_api_keys', { actor_id: 'me' });
    expect(listed.body.items.map((key: { id: string }) => key.id)).toContain(created.body.id);
    const revoked = await callTool(client, 'revoke_api_key', { actor_id: 'me', key_id: created.body.id });
    expect(revoked.body.revoked_at).toEqual(expect.any(String));
  });

  it('run the route as the caller the /mcp request authenticated, listed in its one log line', async () => {
    logLines.length = 0;
    const me = await callTool(client, 'get_me');
    expect(me.body.id).toBe(owner.actorId);
    const requests = logLines.filter((line) => line.msg === 'request');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      method: 'POST',
      path: '/mcp',
      status: 200,
      actor_id: owner.actorId,
      request_id: expect.any(String),
      in_process_requests: [
        { method: 'GET', path: '/api/actors/me', status: 200, duration_ms: expect.any(Number) },
      ],
    });
  });

  it('list a failed route with its status, and keep lines of requests that came over the network apart', async () => {
    logLines.length = 0;
    const missing = await callTool(client, 'get_actor', { actor_id: '00000000-0000-4000-8000-000000000000' });
    expect(missing.body.error).toBeDefined();
    const health = await t.call('GET', '/api/health');
    expect(health.status).toBe(200);
    const requests = logLines.filter((line) => line.msg === 'request');
    expect(requests.map((line) => line.path)).toEqual(['/mcp', '/api/health']);
    expect(requests[0]!.in_process_requests).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/api/actors/00000000-0000-4000-8000-000000000000',
        status: 404,
      }),
    ]);
    expect(requests[1]).not.toHaveProperty('in_process_requests');
  });

  it('refuse unknown arguments and missing path parameters with VALIDATION_ERROR', async () => {
    const unknown = await callTool(client, 'get_me', { verbose: true });
    expect(unknown.body.error).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(unknown.body.error.message).toContain('verbose');
    const missing = await callTool(client, 'get_actor', {});
    expect(missing.body.error.details).toEqual([{ path: 'actor_id', message: 'required' }]);
  });

  it('answer an unknown tool name with a protocol error', async () => {
    await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toThrow(/Unknown tool/);
  });
});
