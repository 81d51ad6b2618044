/**
 * Test helpers for the MCP surface: an SDK `Client` over Streamable HTTP (to a real
 * server, or in-process through a kernel's `app.request`), and the error envelope
 * out of a tool result.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

export async function connectMcp(
  baseUrl: string,
  credentials: { key: string; workspace: string },
  fetch?: FetchLike,
): Promise<Client> {
  const client = new Client({ name: 'maskin-tests', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', baseUrl), {
      requestInit: {
        headers: { authorization: `Bearer ${credentials.key}`, 'x-workspace-id': credentials.workspace },
      },
      fetch,
    }),
  );
  return client;
}

export interface ToolOutcome {
  isError: boolean;
  /** structuredContent, or for errors the parsed envelope. */
  body: any;
  text: string;
}

/** Calls a tool and returns its outcome in one shape for assertions. */
export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as { type: string; text?: string }[];
  const text = content.map((part) => part.text ?? '').join('');
  const outcome: ToolOutcome = {
    isError: result.isError === true,
    body: result.isError ? JSON.parse(text) : (result.structuredContent ?? text),
    text,
  };
  return outcome;
}
