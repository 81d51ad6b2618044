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
import { freshDatabaseEnv, percentile } from './lib.ts';

export interface GateBenchRow {
  case: string;
  p50: number;
  p99: number;
  mean: number;
  throughput: number;
}

function summarise(name: string, samples: number[]): GateBenchRow {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = samples.reduce((sum, value) => sum + value, 0);
  return {
    case: name,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: total / samples.length,
    throughput: (samples.length / total) * 1000,
  };
}

export async function runGateBench(iterations = Number(process.env.BENCH_ITERATIONS ?? 2000)) {
  const database = await freshDatabaseEnv('gate');
  const config = loadConfig({ ...database.env, LOG_LEVEL: 'silent', MASKIN_BOOTSTRAP: 'false' });
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
    const block = 50;
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

/** The gate's cost per request: gated minus ungated, in µs and as a share of the request. */
export function gateCostLine(rows: GateBenchRow[]): string | undefined {
  const gated = rows.find((row) => row.case === 'list notes, gated');
  const ungated = rows.find((row) => row.case === 'list notes, ungated');
  if (!gated || !ungated) return undefined;
  const cost = (gated.mean - ungated.mean) * 1000;
  return (
    `Gate cost per request: ${cost.toFixed(1)} µs mean, ${((gated.p50 - ungated.p50) * 1000).toFixed(1)} µs p50 ` +
    `(${(cost / 10 / ungated.mean).toFixed(1)}% of the ungated request).`
  );
}

export function printGateTable(rows: GateBenchRow[]): string {
  const ms = (value: number) => value.toFixed(3);
  const lines = [
    '| case | p50 ms | p99 ms | mean ms | req/s |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) => `| ${r.case} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.mean)} | ${Math.round(r.throughput)} |`,
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
