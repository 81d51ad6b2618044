/**
 * MCP `get_object` next to `GET /api/objects/:id` for the same objects, both from this
 * process through fetch (the SDK's Streamable HTTP client uses fetch too), so the
 * client side costs alike: sequential calls for the per-call cost, then CONNECTIONS
 * concurrent callers. The figure to read is the latency ratio MCP / HTTP.
 *
 * Both clients do what a long-lived client does per call and no more: one SDK client
 * (one initialize, then tools/call after tools/call; the SDK parses and checks every
 * answer) and plain fetch whose JSON answer is parsed. Client and server share this
 * machine's cores, and the SDK client costs more per call than fetch, so each run
 * also records CPU time per call of the server process (from /proc, where there is
 * one) and of this process: the server's ratio is the MCP layer's own cost.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CONNECTIONS, type Measured, processCpuUs, timeBox } from './measure.ts';
import type { ChildServer } from './processes.ts';
import type { Account } from './setup.ts';

export interface CallCost extends Measured {
  /** CPU microseconds per call of the server process (NaN where /proc is missing). */
  serverCpuUs: number;
  /** CPU microseconds per call of this process (the client). */
  clientCpuUs: number;
}

export interface McpResult {
  tool: string;
  sequential: { http: CallCost; mcp: CallCost };
  concurrent: { http: CallCost; mcp: CallCost };
}

/** timeBox, plus CPU per call (warm-up included on both sides of the division). */
async function withCpu(pid: number, concurrency: number, call: (i: number) => Promise<void>) {
  let calls = 0;
  const server = processCpuUs(pid);
  const client = process.cpuUsage();
  const measured = await timeBox(concurrency, (i) => {
    calls++;
    return call(i);
  });
  const { user, system } = process.cpuUsage(client);
  return {
    ...measured,
    serverCpuUs: (processCpuUs(pid) - server) / calls,
    clientCpuUs: (user + system) / calls,
  };
}

export async function measureMcp(server: ChildServer, account: Account, ids: string[]): Promise<McpResult> {
  const { url } = server;
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
      await response.json();
    };
    return {
      tool,
      sequential: { http: await withCpu(server.pid, 1, viaHttp), mcp: await withCpu(server.pid, 1, viaMcp) },
      concurrent: {
        http: await withCpu(server.pid, CONNECTIONS, viaHttp),
        mcp: await withCpu(server.pid, CONNECTIONS, viaMcp),
      },
    };
  } finally {
    await client.close().catch(() => {});
  }
}
