/**
 * MCP `get_object` next to `GET /api/objects/:id` for the same objects, both from this
 * process through fetch (the SDK's Streamable HTTP client uses fetch too), so the
 * client side costs alike: sequential calls for the per-call cost, then CONNECTIONS
 * concurrent callers. The figure to read is the latency ratio MCP / HTTP.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CONNECTIONS, type Measured, timeBox } from './measure.ts';
import type { Account } from './setup.ts';

export interface McpResult {
  tool: string;
  sequential: { http: Measured; mcp: Measured };
  concurrent: { http: Measured; mcp: Measured };
}

export async function measureMcp(url: string, account: Account, ids: string[]): Promise<McpResult> {
  const headers = { authorization: `Bearer ${account.key}`, 'x-workspace-id': account.list };
  const client = new Client({ name: 'maskin-load-bench', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', url), {
      requestInit: { headers },
      // The SDK hands one AbortSignal to every POST and Node's fetch keeps a listener on
      // it per request until GC (MaxListenersExceeded floods). The bench never aborts.
      fetch: (input, init) => fetch(input, { ...init, signal: undefined }),
    }),
  );
  try {
    const { tools } = await client.listTools();
    const tool =
      tools.find((t) => t.name === 'get_object')?.name ??
      tools.find((t) => t.name.endsWith('get_object'))?.name;
    if (!tool) throw new Error(`no get_object tool among ${tools.map((t) => t.name).join(', ')}`);
    const id = (i: number) => ids[i % ids.length]!;
    const viaMcp = async (i: number) => {
      const result = await client.callTool({ name: tool, arguments: { id: id(i) } });
      if (result.isError) throw new Error(`${tool}: ${JSON.stringify(result.content)}`);
    };
    const viaHttp = async (i: number) => {
      const response = await fetch(`${url}/api/objects/${id(i)}`, { headers });
      if (response.status !== 200) throw new Error(`GET answered ${response.status}`);
      await response.arrayBuffer();
    };
    return {
      tool,
      sequential: { http: await timeBox(1, viaHttp), mcp: await timeBox(1, viaMcp) },
      concurrent: { http: await timeBox(CONNECTIONS, viaHttp), mcp: await timeBox(CONNECTIONS, viaMcp) },
    };
  } finally {
    await client.close().catch(() => {});
  }
}
