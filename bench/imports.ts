/**
 * `npm run bench -- imports`: rows imported per second for a generated CSV through the
 * whole path (POST /api/imports upload + preview, confirm, the job's batches, completed),
 * next to the same rows written straight through the kernel's driver in the same run.
 *
 * The CSV has BENCH_IMPORT_ROWS (default 20000) rows of `title,content`; the proposed
 * mapping is confirmed as is. The import job writes batch_size (500, the default) rows
 * per transaction through the objects service (validation, insert, the creator's
 * subscriptions, their events in one statement, progress, checkpoint). Baseline: per
 * 500 rows one transaction with the statements a create sends, built by the same
 * functions (bench/load/statements.ts createAsTheRouteDoes). Numbers, never pass/fail.
 */
import { type BenchModule, databaseKind, ms, type Table } from './lib.ts';
import { createAsTheRouteDoes } from './load/statements.ts';
import { type ProductServer, startProductServer, until } from './product/harness.ts';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 20_000);
const BATCH = 500;

async function driverBaseline(server: ProductServer): Promise<number> {
  const { workspaceId, actorId } = server.account;
  const { database } = server.kernel.services;
  const started = performance.now();
  for (let offset = 0; offset < ROWS; offset += BATCH) {
    const count = Math.min(BATCH, ROWS - offset);
    const titles = Array.from({ length: count }, (_, i) => `Baseline row ${offset + i}`);
    await database.scriptTransaction((tx) =>
      createAsTheRouteDoes(tx.query, { workspaceId, actorId }, titles),
    );
  }
  return (performance.now() - started) / 1000;
}

async function run(): Promise<Table[]> {
  const server = await startProductServer('imports');
  try {
    const lines = ['title,content'];
    for (let i = 0; i < ROWS; i++) lines.push(`Imported row ${i},Generated content of row ${i}`);
    const csv = `${lines.join('\n')}\n`;
    const headers = {
      authorization: `Bearer ${server.account.key}`,
      'x-workspace-id': server.account.workspaceId,
    };

    const started = performance.now();
    const form = new FormData();
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'bench.csv');
    const uploaded = await fetch(`${server.url}/api/imports`, { method: 'POST', headers, body: form });
    const preview = (await uploaded.json()) as any;
    if (uploaded.status !== 201) throw new Error(`upload: ${uploaded.status} ${JSON.stringify(preview)}`);
    const previewed = performance.now();
    const confirmed = await server.call('POST', `/api/imports/${preview.id}/confirm`);
    if (confirmed.status !== 202)
      throw new Error(`confirm: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
    const done = await until(
      'the import to finish',
      async () => {
        const got = await server.call('GET', `/api/imports/${preview.id}`);
        return ['completed', 'failed', 'cancelled'].includes(got.body.status) ? got.body : undefined;
      },
      { everyMs: 50, timeoutMs: 30 * 60_000 },
    );
    const completed = performance.now();
    if (done.status !== 'completed' || done.progress.imported_rows !== ROWS) {
      throw new Error(`import ended ${done.status}: ${JSON.stringify(done.progress)}`);
    }

    const baselineSeconds = await driverBaseline(server);
    const baselineRate = ROWS / baselineSeconds;
    const [check] = await server.query<{ n: number; objects: number }>(
      `select count(*)::int as n,
              count(*) filter (where jsonb_typeof(metadata) = 'object')::int as objects
         from objects where workspace_id = $1 and title like 'Baseline row %'`,
      [server.account.workspaceId],
    );
    if (check!.n !== ROWS || check!.objects !== ROWS) {
      throw new Error(`baseline wrote ${check!.n} rows, ${check!.objects} with object metadata`);
    }
    const row = (name: string, seconds: number) => [
      name,
      ms(seconds * 1000),
      Math.round(ROWS / seconds),
      (ROWS / seconds / baselineRate).toFixed(2),
    ];
    return [
      {
        title: `Imports: ${ROWS} CSV rows, ${BATCH} per transaction (${databaseKind()})`,
        columns: ['measure', 'ms', 'rows/s', 'x driver'],
        rows: [
          row('driver: the statements of a create, per batch (baseline)', baselineSeconds),
          row('upload + preview (POST /api/imports)', (previewed - started) / 1000),
          row('confirm -> completed (the job)', (completed - previewed) / 1000),
          row('upload -> completed', (completed - started) / 1000),
        ],
        notes: [
          `CSV of ${(csv.length / 1e6).toFixed(2)} MB (title,content), the proposed mapping (type ${preview.mapping?.objects?.[0]?.type}).`,
          "Baseline: the objects insert, the creator's subscriptions and one events statement, built by",
          'the functions the objects service calls, one transaction per batch; no validation, progress,',
          'checkpoint or parsing.',
          'Completion is seen by polling GET /api/imports/{id} every 50 ms.',
        ],
      },
    ];
  } finally {
    await server.close();
  }
}

export const importsBench: BenchModule = { name: 'imports', run };

if (import.meta.filename === process.argv[1]) {
  const { formatTable } = await import('./lib.ts');
  for (const table of await run()) process.stdout.write(`${formatTable(table)}\n\n`);
}
