import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startServerProcess } from '../test/helpers/server-process.ts';
import { freshDatabaseEnv, measureCalls } from './lib.ts';

export interface McpBenchRow {
  operation: string;
  via: 'HTTP' | 'MCP';
  p50: number;
  p99: number;
  mean: number;
  throughput: number;
}

interface Case {
  operation: string;
  http: () => Promise<void>;
  mcp: () => Promise<void>;
}

export async function runMcpBench(
  options: { iterations?: number; concurrency?: number } = {},
): Promise<McpBenchRow[]> {
  const iterations = options.iterations ?? 300;
  const concurrency = options.concurrency ?? 8;
  const database = await freshDatabaseEnv('mcp');
  const server = await startServerProcess({ ...database.env, LOG_LEVEL: 'error' }, 120_000);
  let client: Client | undefined;
  try {
    const signup = await fetch(`${server.url}/api/actors/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Bench', email: `bench-${Date.now()}@example.com` }),
    }).then((response) => response.json());
    const headers = {
      authorization: `Bearer ${signup.api_key.key}`,
      'x-workspace-id': signup.workspace.id,
    };
    const http = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = await response.json();
      if (response.status >= 400) throw new Error(`${method} ${path}: ${JSON.stringify(json)}`);
      return json;
    };
    await http('PUT', `/api/workspaces/${signup.workspace.id}/extensions/meeting-notes`, { enabled: true });
    const note = await http('POST', '/api/m/meeting-notes', { title: 'Bench note' });

    client = new Client({ name: 'maskin-bench', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL('/mcp', server.url), {
        requestInit: { headers },
        // The SDK passes one AbortSignal to every POST and Node's fetch leaves a listener
        // on it per request until GC, which floods stderr with MaxListenersExceeded
        // warnings over thousands of calls. The bench never aborts: drop the signal.
        fetch: (url, init) => fetch(url, { ...init, signal: undefined }),
      }),
    );
    const mcp = async (name: string, args: Record<string, unknown>) => {
      const result = await client!.callTool({ name, arguments: args });
      if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
    };

    const cases: Case[] = [
      {
        operation: 'get_me (auth only)',
        http: () => http('GET', '/api/actors/me'),
        mcp: () => mcp('get_me', {}),
      },
      {
        operation: 'get_note (read)',
        http: () => http('GET', `/api/m/meeting-notes/${note.id}`),
        mcp: () => mcp('meeting_notes_get_note', { id: note.id }),
      },
      {
        operation: 'create_note (write + event)',
        http: () => http('POST', '/api/m/meeting-notes', { title: 'Via HTTP' }),
        mcp: () => mcp('meeting_notes_create_note', { title: 'Via MCP' }),
      },
    ];
    const rows: McpBenchRow[] = [];
    for (const { operation, http: viaHttp, mcp: viaMcp } of cases) {
      rows.push({
        operation,
        via: 'HTTP',
        ...(await measureCalls(viaHttp, { iterations, concurrency, warmup: 50, calls: iterations * 2 })),
      });
      rows.push({
        operation,
        via: 'MCP',
        ...(await measureCalls(viaMcp, { iterations, concurrency, warmup: 50, calls: iterations * 2 })),
      });
    }
    return rows;
  } finally {
    await client?.close().catch(() => {});
    await server.stop();
    await database.drop();
  }
}

export function formatMcpBench(rows: McpBenchRow[]): string {
  const header = ['operation', 'via', 'p50 ms', 'p99 ms', 'mean ms', 'req/s', 'p50 overhead'];
  const lines = rows.map((row) => {
    const baseline = rows.find((other) => other.operation === row.operation && other.via === 'HTTP')!;
    const overhead =
      row.via === 'HTTP'
        ? ''
        : `+${(row.p50 - baseline.p50).toFixed(2)} ms (x${(row.p50 / baseline.p50).toFixed(2)})`;
    return [
      row.operation,
      row.via,
      row.p50.toFixed(2),
      row.p99.toFixed(2),
      row.mean.toFixed(2),
      row.throughput.toFixed(0),
      overhead,
    ];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const format = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [format(header), format(widths.map((width) => '-'.repeat(width))), ...lines.map(format)].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const iterations = Number(process.env.BENCH_ITERATIONS ?? 300);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
  const rows = await runMcpBench({ iterations, concurrency });
  process.stdout.write(
    `MCP tool call vs direct HTTP (${iterations} sequential calls for latency, ${iterations * 2} at ` +
      `concurrency ${concurrency} for throughput; database: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})\n\n` +
      `${formatMcpBench(rows)}\n`,
  );
}
