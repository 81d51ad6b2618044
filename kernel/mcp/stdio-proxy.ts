/**
 * MCP over stdio for desktop clients, as a proxy to a running server: it connects as
 * an MCP client to `<url>/mcp` (Streamable HTTP, the caller's key and workspace in
 * headers) and re-exposes tools/list and tools/call on stdin/stdout.
 *
 * Without a workspace the server offers an account session (account-session.ts);
 * this proxy is the stateful end, so it makes `select_workspace` real: after a
 * successful call it reconnects upstream with that workspace and tells its client
 * the tool list changed.
 *
 * Proxying instead of booting a kernel in the client's process means the stdio
 * tools are exactly the server's (its extensions, its enablement, its version), any
 * instance can be reached, local or remote, and the CLI needs no database. Because
 * the server is stateless, the proxy survives a server restart: each call is an
 * independent POST.
 *
 * stdout carries the protocol, so anything human-readable goes to stderr.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { KERNEL_VERSION } from '../version.ts';
import { SELECT_WORKSPACE_TOOL } from './account-session.ts';
import { protocolError } from './tool-result.ts';

export interface StdioProxyOptions {
  /** The server's base URL (`http://host:3000`) or its MCP endpoint (`.../mcp`). */
  url: string;
  apiKey: string;
  /** Absent: an account session until the client calls select_workspace. */
  workspaceId?: string;
  log(message: string): void;
}

export function mcpEndpointOf(url: string): URL {
  const endpoint = new URL(url);
  if (!endpoint.pathname.replace(/\/+$/, '').endsWith('/mcp')) {
    endpoint.pathname = `${endpoint.pathname.replace(/\/+$/, '')}/mcp`;
  }
  return endpoint;
}

/** The server's protocol errors passed on with their code and words, not re-prefixed at every hop. */
async function relay<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof McpError) throw protocolError(error.code, error.message, error.data);
    throw error;
  }
}

/** Connects upstream, then serves stdio until stdin closes. */
export async function runStdioProxy(options: StdioProxyOptions): Promise<void> {
  const endpoint = mcpEndpointOf(options.url);
  const connect = async (workspaceId: string | undefined) => {
    const client = new Client({ name: 'maskin-stdio', version: KERNEL_VERSION });
    await client.connect(
      new StreamableHTTPClientTransport(endpoint, {
        requestInit: {
          headers: {
            authorization: `Bearer ${options.apiKey}`,
            ...(workspaceId && { 'x-workspace-id': workspaceId }),
          },
        },
      }),
    );
    options.log(
      `maskin mcp: connected to ${endpoint.href} (${workspaceId ? `workspace ${workspaceId}` : 'no workspace: account tools and select_workspace'})`,
    );
    return client;
  };
  let upstream = await connect(options.workspaceId);

  const server = new Server(
    { name: 'maskin', version: upstream.getServerVersion()?.version ?? KERNEL_VERSION },
    { capabilities: { tools: { listChanged: true } }, instructions: upstream.getInstructions() },
  );
  server.setRequestHandler(ListToolsRequestSchema, (request) =>
    relay(() => upstream.listTools(request.params)),
  );
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const result = await relay(() => upstream.callTool(request.params));
    const selected = (result.structuredContent as { workspace?: { id?: unknown } } | undefined)?.workspace
      ?.id;
    if (request.params.name !== SELECT_WORKSPACE_TOOL || result.isError || typeof selected !== 'string') {
      return result;
    }
    const previous = upstream;
    upstream = await connect(selected);
    await previous.close().catch(() => {});
    await server.sendToolListChanged();
    const answer = {
      ...(result.structuredContent as object),
      next: "Selected: tools/list now lists this workspace's tools.",
    };
    return { content: [{ type: 'text' as const, text: JSON.stringify(answer) }], structuredContent: answer };
  });

  const stdio = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    stdio.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(stdio);
  await closed;
  await upstream.close().catch(() => {});
  await server.close().catch(() => {});
}
