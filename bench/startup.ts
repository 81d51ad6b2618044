/**
 * How long does `npm start` take on the embedded database? The real server as a
 * child process (node + tsx, as `npm start` runs it), timed from spawn to the first
 * GET /api/health answering 200 (the port is bound at once and answers 503 until the
 * kernel is booted), three cases side by side:
 *
 *   - cold, no seed: a new data folder on an installation without the blank seed
 *     (initdb in WebAssembly, then every migration): what the very first start costs
 *     when postinstall did not run;
 *   - cold, seeded: a new data folder loaded from the blank seed that `npm install`
 *     made (kernel/db/pglite-seed.ts), then every migration: the usual first start;
 *   - warm: a restart on that same folder (nothing to migrate).
 *
 * Each case runs in its own cache folder (MASKIN_CACHE_DIR) so the installation's
 * seed is neither used nor disturbed by the no-seed case. PGlite only: with
 * DATABASE_URL the database already exists. Runs alone: `npm run bench -- startup`
 * (BENCH_STARTUP_ROUNDS, default 3).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSeed } from '../kernel/db/pglite-seed.ts';
import { startServerProcess } from '../test/helpers/server-process.ts';
import { type BenchModule, ms, summarize, type Table } from './lib.ts';

async function timedStart(env: Record<string, string>): Promise<{ wall: number; reported: number }> {
  const started = performance.now();
  const server = await startServerProcess({ ...env, DATABASE_URL: '' }, 180_000);
  const wall = performance.now() - started;
  const reported = Number(server.output().match(/started in ([\d.]+) s/)?.[1] ?? Number.NaN) * 1000;
  await server.stop();
  return { wall, reported };
}

async function run(): Promise<Table[]> {
  if (process.env.DATABASE_URL) {
    return [
      {
        title: 'Startup',
        columns: ['case'],
        rows: [['skipped: the embedded database only (unset DATABASE_URL)']],
      },
    ];
  }
  const rounds = Number(process.env.BENCH_STARTUP_ROUNDS ?? 3);
  const scratch = mkdtempSync(join(tmpdir(), 'maskin-bench-startup-'));
  const samples: Record<string, { wall: number[]; reported: number[] }> = {
    'cold, no seed': { wall: [], reported: [] },
    'cold, seeded': { wall: [], reported: [] },
    'warm restart': { wall: [], reported: [] },
  };
  const record = (name: string, sample: { wall: number; reported: number }) => {
    samples[name]!.wall.push(sample.wall);
    samples[name]!.reported.push(sample.reported);
  };
  try {
    const seededCache = join(scratch, 'seeded-cache');
    await createSeed(seededCache);
    for (let round = 0; round < rounds; round++) {
      const emptyCache = join(scratch, `empty-cache-${round}`);
      record(
        'cold, no seed',
        await timedStart({
          MASKIN_DATA_DIR: join(scratch, `unseeded-${round}`),
          MASKIN_CACHE_DIR: emptyCache,
        }),
      );
      const dataDir = join(scratch, `seeded-${round}`);
      record('cold, seeded', await timedStart({ MASKIN_DATA_DIR: dataDir, MASKIN_CACHE_DIR: seededCache }));
      record('warm restart', await timedStart({ MASKIN_DATA_DIR: dataDir, MASKIN_CACHE_DIR: seededCache }));
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return [
    {
      title: `Startup on the embedded database (PGlite, ${rounds} rounds)`,
      columns: ['case', 'to healthy p50', 'min', 'max', 'boot (server-reported) p50'],
      rows: Object.entries(samples).map(([name, { wall, reported }]) => {
        const w = summarize(wall);
        return [name, ms(w.p50), ms(Math.min(...wall)), ms(Math.max(...wall)), ms(summarize(reported).p50)];
      }),
      notes: [
        'To healthy: spawn of `node --import tsx kernel/main.ts` until GET /api/health answers 200 (polled every 100 ms), so it includes loading the code.',
        'Boot: what the summary line reports ("started in"), from the first line of main() to listening with every extension loaded.',
      ],
    },
  ];
}

export const startupBench: BenchModule = { name: 'startup', run };
