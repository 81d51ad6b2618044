/**
 * MCP over stdio for desktop clients, as a proxy to a running server: it connects as
 * an MCP client to `<url>/mcp` (Streamable HTTP, the caller's key and workspace in
 * headers) and re-exposes tools/list and tools/call on stdin/stdout.
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
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { KERNEL_VERSION } from '../version.ts';

export interface StdioProxyOptions {
  /** The server's base URL (`http://host:3000`) or its MCP endpoint (`.../mcp`). */
  url: string;
  apiKey: string;
  workspaceId: string;
  log(message: string): void;
}

export function mcpEndpointOf(url: string): URL {
  const endpoint = new URL(url);
  if (!endpoint.pathname.replace(/\/+$/, '').endsWith('/mcp')) {
    endpoint.pathname = `${endpoint.pathname.replace(/\/+$/, '')}/mcp`;
  }
  return endpoint;
}

/** Connects upstream, then serves stdio until stdin closes. */
export async function runStdioProxy(options: StdioProxyOptions): Promise<void> {
  const endpoint = mcpEndpointOf(options.url);
  const upstream = new Client({ name: 'maskin-stdio', version: KERNEL_VERSION });
  await upstream.connect(
    new StreamableHTTPClientTransport(endpoint, {
      requestInit: {
        headers: { authorization: `Bearer ${options.apiKey}`, 'x-workspace-id': options.workspaceId },
      },
    }),
  );
  options.log(`maskin mcp: connected to ${endpoint.href} (workspace ${options.workspaceId})`);

  const server = new Server(
    { name: 'maskin', version: upstream.getServerVersion()?.version ?? KERNEL_VERSION },
    { capabilities: { tools: { listChanged: false } }, instructions: upstream.getInstructions() },
  );
  server.setRequestHandler(ListToolsRequestSchema, (request) => upstream.listTools(request.params));
  server.setRequestHandler(CallToolRequestSchema, (request) => upstream.callTool(request.params));

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
