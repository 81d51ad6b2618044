/**
 * MCP `get_object` next to `GET /api/objects/:id` for the same objects, two ways.
 *
 * Over autocannon, like every other case: the same load generator sends both, so the
 * client costs alike and the ratio is the server's. The MCP requests are what a
 * long-lived client of this stateless server sends for each call: a JSON-RPC
 * tools/call POST with its key and workspace (the SDK client below initialises first
 * and checks the tool exists; a stateless server keeps no session to resume). One
 * connection (the cost of one call), then CONNECTIONS, each in alternating rounds
 * (`alternating`).
 *
 * With the SDK's own client (Streamable HTTP, which uses fetch) against plain fetch
 * from this process: one initialize, then tools/call after tools/call, every answer
 * parsed and checked by the SDK, as an agent pays. Client and server share this
 * machine's cores and the SDK client costs about twice fetch per call, so these rows
 * also say how much of an MCP caller's latency is its own client.
 *
 * Each run records CPU time per call of the server process (from /proc, where there is
 * one) and of this process (the client).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { CONNECTIONS, cannon, type Measured, processCpuUs, timeBox } from './measure.ts';
import type { ChildServer } from './processes.ts';
import type { Account } from './setup.ts';

export interface CallCost extends Measured {
  /** CPU microseconds per call of the server process (NaN where /proc is missing). */
  serverCpuUs: number;
  /** CPU microseconds per call of this process (the client). */
  clientCpuUs: number;
}

/** One HTTP and one MCP measurement taken back to back. */
export interface CallPair {
  http: CallCost;
  mcp: CallCost;
  /** With alternating rounds: each round's p50 ratio MCP / HTTP, in the order run. */
  ratios?: number[];
}

/** HTTP and MCP, one caller and CONNECTIONS. */
export interface CallPairs {
  sequential: CallPair;
  concurrent: CallPair;
}

/** Alternating rounds per autocannon pair (BENCH_MCP_ROUNDS, default 3). */
const ROUNDS = Math.max(1, Number(process.env.BENCH_MCP_ROUNDS ?? 3));

/**
 * HTTP and MCP in ROUNDS alternating rounds (HTTP first, then MCP first, ...), so
 * that the machine's drift within a run, which moves one measurement against the
 * other, shows as a spread instead of a ratio: the pair returned is the round with
 * the median ratio, and every round's ratio comes with it.
 */
async function alternating(http: () => Promise<CallCost>, mcp: () => Promise<CallCost>): Promise<CallPair> {
  const rounds: CallPair[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      const first = await http();
      rounds.push({ http: first, mcp: await mcp() });
    } else {
      const first = await mcp();
      rounds.push({ mcp: first, http: await http() });
    }
  }
  const ratio = (pair: CallPair) => pair.mcp.p50 / pair.http.p50;
  const sorted = [...rounds].sort((a, b) => ratio(a) - ratio(b));
  return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, ratios: rounds.map(ratio) };
}

export interface McpResult {
  tool: string;
  /** Both sent by autocannon: the server's cost. */
  cannon: CallPairs;
  /** The SDK's client against fetch: what an agent pays, client included. */
  sdk: CallPairs;
}

/**
 * `measure`, plus CPU per call (warm-up included on both sides of the division):
 * `measure` counts every call it makes through the counter it is given.
 */
async function withCpu(pid: number, measure: (count: () => void) => Promise<Measured>): Promise<CallCost> {
  let calls = 0;
  const server = processCpuUs(pid);
  const client = process.cpuUsage();
  const measured = await measure(() => calls++);
  const { user, system } = process.cpuUsage(client);
  return {
    ...measured,
    serverCpuUs: (processCpuUs(pid) - server) / calls,
    clientCpuUs: (user + system) / calls,
  };
}

const boxed = (pid: number, concurrency: number, call: (i: number) => Promise<void>) =>
  withCpu(pid, (count) =>
    timeBox(concurrency, (i) => {
      count();
      return call(i);
    }),
  );

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
    // The same calls from autocannon: each request built from the next id (drains included).
    const cannonGet = (connections: number) =>
      withCpu(server.pid, (count) => {
        let next = 0;
        return cannon({
          url,
          headers,
          connections,
          requests: [
            {
              setupRequest: (request: any) => {
                count();
                return { ...request, path: `/api/objects/${id(next++)}` };
              },
            },
          ],
        });
      });
    const cannonMcp = (connections: number) =>
      withCpu(server.pid, (count) => {
        let next = 0;
        const call = (i: number) =>
          JSON.stringify({
            jsonrpc: '2.0',
            id: i,
            method: 'tools/call',
            params: { name: tool, arguments: { id: id(i) } },
          });
        return cannon({
          url,
          method: 'POST',
          headers: { ...headers, ...MCP_POST_HEADERS },
          body: call(0),
          connections,
          requests: [
            {
              setupRequest: (request: any) => {
                count();
                return { ...request, path: '/mcp', body: call(next++) };
              },
            },
          ],
        });
      });
    await expectToolAnswer(url, { ...headers, ...MCP_POST_HEADERS }, tool, id(0));
    return {
      tool,
      cannon: {
        sequential: await alternating(
          () => cannonGet(1),
          () => cannonMcp(1),
        ),
        concurrent: await alternating(
          () => cannonGet(CONNECTIONS),
          () => cannonMcp(CONNECTIONS),
        ),
      },
      sdk: {
        sequential: { http: await boxed(server.pid, 1, viaHttp), mcp: await boxed(server.pid, 1, viaMcp) },
        concurrent: {
          http: await boxed(server.pid, CONNECTIONS, viaHttp),
          mcp: await boxed(server.pid, CONNECTIONS, viaMcp),
        },
      },
    };
  } finally {
    await client.close().catch(() => {});
  }
}

/** The headers of a Streamable HTTP POST, as the SDK's client sends them. */
const MCP_POST_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
};

/** One raw call answers with the object, not an error: the raw requests are right. */
async function expectToolAnswer(url: string, headers: Record<string, string>, tool: string, id: string) {
  const response = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: tool, arguments: { id } },
    }),
  });
  const answer = (await response.json()) as {
    result?: { isError?: boolean; structuredContent?: { id?: string } };
  };
  if (response.status !== 200 || answer.result?.isError || answer.result?.structuredContent?.id !== id) {
    throw new Error(
      `a raw ${tool} call answered ${response.status}: ${JSON.stringify(answer).slice(0, 500)}`,
    );
  }
}
