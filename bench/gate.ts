/**
 * What does the per-workspace enablement gate cost per request? One run mounts the
 * same route definitions (meeting-notes, from the booted registry) twice in one app,
 * through the kernel's own pipeline (buildRouter): once behind the gate, once
 * without it, and calls both through app.request() in alternating blocks, so the
 * only difference is the gate (a cached enablement lookup; the cache is warm, as it
 * is in steady state). A raw query of the same rows is the database baseline.
 *
 * Runs alone: `npx tsx bench/gate.ts` (BENCH_ITERATIONS; with DATABASE_URL a fresh
 * database on that server, otherwise a fresh PGlite folder). Numbers, not pass/fail.
 */
import { randomBytes } from 'node:crypto';
import meetingNotes from '../extensions/meeting-notes/index.ts';
import { loadConfig } from '../kernel/config.ts';
import { buildRouter } from '../kernel/http/build-router.ts';
import { createRootApp } from '../kernel/http/root-app.ts';
import { createKernel, createLogger } from '../kernel/kernel.ts';
import { enablementGate } from '../kernel/registry/workspace-extensions.ts';
import { freshDatabaseEnv, ms, percentile, type Table } from './lib.ts';

export interface GateBenchRow {
  case: string;
  p50: number;
  p99: number;
  mean: number;
  /** 1 / mean latency of sequential calls: one caller's rate, not the server's capacity. */
  sequentialPerSecond: number;
  /** Standard error of `mean`, from the spread of the means of its BLOCK-call blocks. */
  meanError: number;
}

const BLOCK = 50;

function summarise(name: string, samples: number[]): GateBenchRow {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = samples.reduce((sum, value) => sum + value, 0);
  const blockMeans: number[] = [];
  for (let i = 0; i + BLOCK <= samples.length; i += BLOCK) {
    blockMeans.push(samples.slice(i, i + BLOCK).reduce((sum, value) => sum + value, 0) / BLOCK);
  }
  const blockMean = blockMeans.reduce((sum, value) => sum + value, 0) / (blockMeans.length || 1);
  const variance =
    blockMeans.reduce((sum, value) => sum + (value - blockMean) ** 2, 0) / Math.max(1, blockMeans.length - 1);
  return {
    case: name,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: total / samples.length,
    sequentialPerSecond: (samples.length / total) * 1000,
    meanError: Math.sqrt(variance / Math.max(1, blockMeans.length)),
  };
}

export async function runGateBench(iterations = Number(process.env.BENCH_ITERATIONS ?? 2000)) {
  const database = await freshDatabaseEnv('gate');
  const config = loadConfig({
    MASKIN_RATE_LIMIT_PER_KEY: '0',
    ...database.env,
    LOG_LEVEL: 'silent',
    MASKIN_BOOTSTRAP: 'false',
  });
  const kernel = await createKernel({
    config,
    logger: createLogger('silent'),
    extensions: [{ definition: meetingNotes, tier: 'third-party', source: 'bench', dir: undefined }],
  });
  try {
    const { registry, verifier, memberships } = kernel.services;
    const db = kernel.services.database;
    const definitions = registry!.get('meeting-notes')!.contributions.routes ?? [];
    const app = createRootApp(config, createLogger('silent'));
    const deps = { database: db, verifier, memberships };
    app.route('/gated', buildRouter(definitions, deps, { gate: enablementGate(registry!, 'meeting-notes') }));
    app.route('/ungated', buildRouter(definitions, deps));

    const signup = await kernel.app.request('/api/actors/signup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Bench', email: `bench-${randomBytes(4).toString('hex')}@example.com` }),
    });
    const { api_key, workspace } = (await signup.json()) as any;
    const headers = { authorization: `Bearer ${api_key.key}`, 'x-workspace-id': workspace.id };
    const enable = await kernel.app.request(`/api/workspaces/${workspace.id}/extensions/meeting-notes`, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: true }),
    });
    if (enable.status !== 200) throw new Error(`enable failed: ${enable.status}`);
    for (let i = 0; i < 20; i++) {
      await app.request('/ungated', {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ title: `Note ${i}` }),
      });
    }

    const cases: Record<string, () => Promise<unknown>> = {
      'raw query (baseline)': () =>
        db.query(
          'select * from meeting_notes where workspace_id = $1 order by held_at desc, id desc limit 51',
          [workspace.id],
        ),
      'list notes, ungated': async () => expectOk(await app.request('/ungated', { headers })),
      'list notes, gated': async () => expectOk(await app.request('/gated', { headers })),
    };
    const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, [] as number[]]));
    const block = BLOCK;
    for (let round = 0; round < Math.ceil(iterations / block) + 2; round++) {
      for (const [name, run] of Object.entries(cases)) {
        for (let i = 0; i < block; i++) {
          const started = performance.now();
          await run();
          // The first two rounds warm up the JIT, pools and the enablement cache.
          if (round >= 2) samples[name]!.push(performance.now() - started);
        }
      }
    }
    return Object.entries(samples).map(([name, values]) => summarise(name, values));
  } finally {
    await kernel.close();
    await database.drop();
  }
}

async function expectOk(response: Response) {
  if (response.status !== 200) throw new Error(`unexpected ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
}

/**
 * The gate's cost per request: gated minus ungated, in µs and as a share of the
 * request, next to the noise it must exceed to mean anything: the standard error of
 * that difference, from the spread of the block means of both cases (within one run;
 * the drift between runs is larger still).
 */
export function gateCostLine(rows: GateBenchRow[]): string | undefined {
  const gated = rows.find((row) => row.case === 'list notes, gated');
  const ungated = rows.find((row) => row.case === 'list notes, ungated');
  if (!gated || !ungated) return undefined;
  const cost = (gated.mean - ungated.mean) * 1000;
  const noise = Math.hypot(gated.meanError, ungated.meanError) * 1000;
  const verdict =
    Math.abs(cost) < 2 * noise
      ? 'within the noise: this run cannot tell the gate from no gate'
      : 'above the noise';
  return (
    `Gate cost per request: ${cost.toFixed(1)} µs mean, ${((gated.p50 - ungated.p50) * 1000).toFixed(1)} µs p50 ` +
    `(${(cost / 10 / ungated.mean).toFixed(1)}% of the ungated request); standard error of that ` +
    `difference ${noise.toFixed(1)} µs, so ${verdict}.`
  );
}

/** The gate rows as a bench table; `sequential ops/s` is one caller's rate (1 / mean latency). */
export function gateTable(title: string, rows: GateBenchRow[]): Table {
  return {
    title,
    columns: ['case', 'p50 ms', 'p99 ms', 'mean ms', 'sequential ops/s'],
    rows: rows.map((r) => [r.case, ms(r.p50), ms(r.p99), ms(r.mean), Math.round(r.sequentialPerSecond)]),
    notes: [
      gateCostLine(rows) ?? '',
      'Sequential calls through app.request() in this process (no socket): ops/s is 1 / mean latency of one',
      'caller, not what the server sustains under load (see the load module for that).',
    ],
  };
}

export function printGateTable(rows: GateBenchRow[]): string {
  const ms = (value: number) => value.toFixed(3);
  const lines = [
    '| case | p50 ms | p99 ms | mean ms | sequential ops/s |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.case} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.mean)} | ${Math.round(r.sequentialPerSecond)} |`,
    ),
  ];
  const cost = gateCostLine(rows);
  if (cost) lines.push('', cost);
  return lines.join('\n');
}

if (import.meta.filename === process.argv[1]) {
  const rows = await runGateBench();
  process.stdout.write(
    `Enablement gate (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}, warm cache)\n\n${printGateTable(rows)}\n`,
  );
}
