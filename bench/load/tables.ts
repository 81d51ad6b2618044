/** The load module's tables: each case, its baselines under it, and the ratio to read. */
import { type Cell, ms, type Table } from '../lib.ts';
import type { CallCost, CallPairs, McpResult } from './mcp-case.ts';
import { CONNECTIONS, DURATION_S, type Measured } from './measure.ts';
import type { SseResult } from './sse.ts';

interface Input {
  kind: string;
  results: Map<string, Measured>;
  /** Absent when BENCH_LOAD_CASES left the case out. */
  mcp?: McpResult;
  sse?: SseResult;
  settings: {
    seedSeconds: number;
    largeRows: number;
    sseClients: number;
    bulk: number;
    bulkCallers: number;
    poolSize: number;
  };
}

const ratio = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '-');
/** Whole operations per second, with a decimal below 10 (a bulk request is 500 objects). */
const rate = (value: number) => (value < 10 ? value.toFixed(1) : Math.round(value));

function row(label: string, measured: Measured | undefined, ratioCell: Cell = '-'): Cell[] {
  if (!measured) return [label, '-', '-', '-', ratioCell];
  const failed = measured.failed > 0 ? ` (${measured.failed} failed)` : '';
  return [`${label}${failed}`, rate(measured.rps), ms(measured.p50), ms(measured.p99), ratioCell];
}

function httpTable({ kind, results, settings }: Input): Table {
  const get = (key: string) => results.get(key);
  const rps = (key: string) => get(key)?.rps ?? Number.NaN;
  const pk = rps('get:driver');
  const bound = 1 / (1 / pk + 1 / rps('bare'));
  const large = settings.largeRows.toLocaleString('en');
  const pairs: [string, string, string][] = [
    [
      'create',
      'POST /api/objects (one task)',
      "same statements: insert, creator's subscription, events; one transaction (driver)",
    ],
    ['list', 'GET /api/objects?type=task&limit=50 (10,000 tasks)', 'same statement (driver)'],
    ['search10k', 'GET /api/objects/search, 10,000 objects (limit 20)', 'same statements (driver)'],
    ['searchLarge', `GET /api/objects/search, ${large} objects (limit 20)`, 'same statements (driver)'],
    [
      'bulk',
      `POST /api/objects, ${settings.bulk} tasks per request, ${settings.bulkCallers} callers`,
      `same statements for ${settings.bulk} objects, one transaction (driver)`,
    ],
  ];
  const rows: Cell[][] = [
    row('GET /api/health', get('health'), ratio(rps('health') / rps('bare'))),
    row('  vs bare Hono hello (own process)', get('bare')),
    row('GET /api/objects/:id', get('get'), ratio(rps('get') / bound)),
    row('  vs PK select (driver)', get('get:driver')),
    [
      '  bound 1/(1/PK select + 1/bare Hono)',
      Number.isFinite(bound) ? Math.round(bound) : '-',
      '-',
      '-',
      '-',
    ],
  ];
  for (const [key, label, baseline] of pairs) {
    rows.push(row(label, get(key), ratio(rps(key) / rps(`${key}:driver`))));
    rows.push(row(`  vs ${baseline}`, get(`${key}:driver`)));
  }
  return {
    title: `HTTP under load vs its baselines (${kind}, ${CONNECTIONS} connections, ${DURATION_S} s per case)`,
    columns: ['case', 'req/s', 'p50 ms', 'p99 ms', 'ratio'],
    rows,
    notes: [
      'ratio = the route\'s req/s / its baseline\'s req/s; 1.0 would be "as fast as its parts". Health:',
      '/ bare Hono. GET by id: / bound, the rate of a server that spent exactly one PK select and one bare',
      'route per request (the route also reads the edges of the object). Create, list, search, bulk:',
      "/ the same SQL with 50 concurrent callers on a prepared driver pool of the server's size",
      `(${settings.poolSize}); on PGlite one in-process connection, run after the server stopped. Bulk req/s`,
      `x ${settings.bulk} = objects/s; both sides ${settings.bulkCallers} callers in a time box. Create and bulk baselines`,
      'send the statements the route sends, built by the same functions (bench/load/statements.ts). Search: five queries',
      'in turn, one without a text hit, for which both sides also run the typo fallback (search.ts).',
      `Latency is per request under full load (not sequential). Seeding took ${settings.seedSeconds.toFixed(1)} s.`,
    ],
  };
}

function writersTable({ kind, results }: Input): Table {
  const one = results.get('writersOne');
  const many = results.get('writersMany');
  return {
    title: `Concurrent writers: POST /api/objects (${kind}, 8 connections, ${DURATION_S} s each)`,
    columns: ['case', 'req/s', 'p50 ms', 'p99 ms', 'ratio'],
    rows: [
      row('8 writers, 1 workspace', one, ratio((one?.rps ?? Number.NaN) / (many?.rps ?? Number.NaN))),
      row('8 writers, 8 workspaces', many),
    ],
    notes: [
      'ratio = one workspace / eight: writers of one workspace share its event counter row, so they',
      'queue on it while it is locked; 1.0 means that queue costs nothing.',
    ],
  };
}

/** The p50 ratio of every alternating round, where the pair was measured in rounds. */
function roundsNote({ sequential, concurrent }: CallPairs): string[] {
  const list = (ratios: number[]) => ratios.map((value) => value.toFixed(2)).join(', ');
  if (!sequential.ratios || !concurrent.ratios || sequential.ratios.length < 2) return [];
  return [
    `autocannon rows: the round with the median ratio of ${sequential.ratios.length} alternating rounds; every round's`,
    `p50 ratio: 1 connection ${list(sequential.ratios)}; ${CONNECTIONS} connections ${list(concurrent.ratios)}.`,
  ];
}

function mcpTable(kind: string, mcp: McpResult): Table {
  const us = (value: number) => (Number.isFinite(value) ? Math.round(value) : '-');
  const line = (label: string, cost: CallCost, baseline?: CallCost): Cell[] => [
    ...row(label, cost, baseline ? ratio(cost.p50 / baseline.p50) : '-'),
    us(cost.serverCpuUs),
    baseline ? ratio(cost.serverCpuUs / baseline.serverCpuUs) : '-',
    us(cost.clientCpuUs),
  ];
  const pairs = (one: string, many: string, { sequential, concurrent }: CallPairs): Cell[][] => [
    line(`HTTP GET, ${one}`, sequential.http),
    line(`MCP get_object, ${one}`, sequential.mcp, sequential.http),
    line(`HTTP GET, ${many}`, concurrent.http),
    line(`MCP get_object, ${many}`, concurrent.mcp, concurrent.http),
  ];
  return {
    title: `MCP ${mcp.tool} vs HTTP GET /api/objects/:id (${kind}, ${DURATION_S} s each)`,
    columns: [
      'case',
      'calls/s',
      'p50 ms',
      'p99 ms',
      'ratio',
      'server CPU µs/call',
      'ratio',
      'client CPU µs/call',
    ],
    rows: [
      ...pairs('autocannon, 1 connection', `autocannon, ${CONNECTIONS} connections`, mcp.cannon),
      ...pairs('SDK client / fetch, 1 caller', `SDK client / fetch, ${CONNECTIONS} callers`, mcp.sdk),
    ],
    notes: [
      ...roundsNote(mcp.cannon),
      "ratio = MCP / HTTP for the same objects: p50 latency, then the server process's CPU time per call;",
      '1.0 = no MCP overhead. autocannon rows: one load generator sends both (MCP as the tools/call POST',
      "a long-lived client sends), so the ratio is the server's. SDK rows: the MCP SDK's client against",
      'fetch, both in this process: what an agent pays, its client included; on a shared machine the SDK',
      "client's extra cost (client CPU) also slows the server's answers.",
    ],
  };
}

function sseTable({ kind, settings }: Input, sse: SseResult): Table {
  const complete = `${sse.delivered}/${sse.expected}`;
  return {
    title: `SSE delivery under writes (${kind}, ${settings.sseClients} clients on one server)`,
    columns: ['case', 'writes', 'frames delivered', 'p50 ms', 'p99 ms'],
    rows: [
      [
        `${settings.sseClients} clients, ~20 writes/s for ${Math.max(DURATION_S, 3)} s`,
        sse.writes,
        complete,
        ms(sse.p50),
        ms(sse.p99),
      ],
    ],
    notes: [
      "Latency per (client, event): arrival at the client minus the event's created_at (the writing",
      "transaction's start on the database clock, ms precision), so an upper bound of commit-to-client.",
      'The clients are raw HTTP sockets in the bench process; writes are POST /api/objects over HTTP.',
    ],
  };
}

export function loadTables(input: Input): Table[] {
  return [
    httpTable(input),
    writersTable(input),
    ...(input.mcp ? [mcpTable(input.kind, input.mcp)] : []),
    ...(input.sse ? [sseTable(input, input.sse)] : []),
  ];
}
