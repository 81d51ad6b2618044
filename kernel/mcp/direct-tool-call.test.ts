/**
 * The direct tools/call path must answer exactly what the SDK server answers for the
 * same message (compared as parsed JSON), and decline everything it is not sure of.
 */
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../contract/errors.ts';
import { directToolCall } from './direct-tool-call.ts';
import { createMcpServer } from './mcp-server.ts';
import type { McpTool, ToolCaller } from './mcp-tool.ts';
import type { WorkspaceTools } from './tool-catalog.ts';
import { errorResult, protocolError, responseResult, valueResult } from './tool-result.ts';

const tool = (name: string, call: McpTool['call'], owner = 'kernel'): McpTool => ({
  owner,
  tool: { name, inputSchema: { type: 'object' } },
  call,
});

const routeAnswer = (body: string, status = 200) =>
  responseResult(new Response(body, { status, headers: { 'content-type': 'application/json' } }));

const enabled = [
  tool('echo', async (args) => valueResult({ args })),
  tool('route_object', async () => routeAnswer('{"id":"a1","title":"Say \\"hi\\"\\n","tags":["x"],"n":1.5}')),
  tool('route_array', async () => routeAnswer('[1,2,3]')),
  tool('route_large', async () => routeAnswer(JSON.stringify({ text: 'x'.repeat(70_000) }))),
  tool('route_error', async () =>
    routeAnswer('{"error":{"code":"NOT_FOUND","message":"Object not found"}}', 404),
  ),
  tool('fails', async () => errorResult(new ApiError(403, 'FORBIDDEN', 'Not for you'))),
  tool('throws_coded', async () => {
    throw protocolError(-32602, 'Bad argument', { field: 'id' });
  }),
  tool('throws', async () => {
    throw new Error('boom');
  }),
];
const tools: WorkspaceTools = {
  enabled: new Map(enabled.map((entry) => [entry.tool.name, entry])),
  disabled: new Map([['other_tool', tool('other_tool', async () => valueResult('no'), 'other')]]),
};
const caller: ToolCaller = {
  actorId: 'actor',
  workspaceId: 'workspace',
  role: 'member',
  request: () => Promise.reject(new Error('not used')),
  logError: () => {},
};

const HEADERS = {
  accept: 'application/json, text/event-stream',
  'content-type': 'application/json',
  'mcp-protocol-version': '2025-06-18',
};

async function viaSdk(message: unknown, headers: Record<string, string> = HEADERS) {
  const server = createMcpServer(tools, caller);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  try {
    return await transport.handleRequest(
      new Request('http://maskin.test/mcp', { method: 'POST', headers, body: JSON.stringify(message) }),
    );
  } finally {
    await server.close();
  }
}

const call = (name: string, args?: unknown, id: unknown = 7) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, ...(args !== undefined && { arguments: args }) },
});

describe('directToolCall', () => {
  const answered = [
    ['an object value', call('echo', { id: 'x', nested: { a: [1, null] } })],
    ['no arguments, a string id', call('echo', undefined, 'request-1')],
    ['a route answer with structuredContent', call('route_object')],
    ['a route answer that is an array', call('route_array')],
    ['a large route answer (text only)', call('route_large')],
    ['a route error', call('route_error')],
    ['an error result', call('fails')],
    ['a thrown protocol error', call('throws_coded')],
    ['a thrown error', call('throws')],
    ['a progress token', { ...call('echo'), params: { name: 'echo', _meta: { progressToken: 3 } } }],
  ] as const;

  it.each(answered)('answers %s as the SDK does', async (_label, message) => {
    const direct = await directToolCall(message, new Headers(HEADERS), tools, caller);
    expect(direct).toBeDefined();
    const sdk = await viaSdk(message);
    expect(direct!.status).toBe(sdk.status);
    expect(direct!.headers.get('content-type')).toBe(sdk.headers.get('content-type'));
    expect(JSON.parse(await direct!.text())).toEqual(JSON.parse(await sdk.text()));
  });

  it('sends a route answer once as data and once as its own JSON text', async () => {
    const direct = await directToolCall(call('route_object'), new Headers(HEADERS), tools, caller);
    const { result } = JSON.parse(await direct!.text());
    expect(result.structuredContent).toEqual({ id: 'a1', title: 'Say "hi"\n', tags: ['x'], n: 1.5 });
    expect(JSON.parse(result.content[0].text)).toEqual(result.structuredContent);
  });

  const declined: [string, unknown, Record<string, string>?][] = [
    ['another method', { jsonrpc: '2.0', id: 1, method: 'tools/list' }],
    ['a batch', [call('echo')]],
    ['a notification', { jsonrpc: '2.0', method: 'tools/call', params: { name: 'echo' } }],
    ['a tool that is not enabled here', call('other_tool')],
    ['an unknown tool', call('nope')],
    ['arguments that are not an object', call('echo', [1])],
    ['an id that is not an integer', call('echo', {}, 1.5)],
    ['an extra member', { ...call('echo'), extra: true }],
    ['a task', { ...call('echo'), params: { name: 'echo', task: { ttl: 1000 } } }],
    ['other _meta', { ...call('echo'), params: { name: 'echo', _meta: { other: 1 } } }],
    ['a client that does not accept SSE', call('echo'), { ...HEADERS, accept: 'application/json' }],
    ['a body not declared as JSON', call('echo'), { ...HEADERS, 'content-type': 'text/plain' }],
    ['an unsupported protocol version', call('echo'), { ...HEADERS, 'mcp-protocol-version': '1999-01-01' }],
  ];

  it.each(declined)('leaves %s to the SDK', async (_label, message, headers = HEADERS) => {
    expect(await directToolCall(message, new Headers(headers), tools, caller)).toBeUndefined();
  });
});
