/**
 * Shared pieces of `npm run bench`: the module and table shapes bench/run.ts prints,
 * percentiles, and a fresh database per module (a new database on the DATABASE_URL
 * server, else a new PGlite folder), so modules never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';

export type Cell = string | number;

export interface Table {
  title: string;
  columns: string[];
  rows: Cell[][];
  /** Printed under the table: what was measured, and how to read it. */
  notes?: string[];
}

export interface BenchModule {
  /** Short id, also the CLI filter: `npm run bench -- events`. */
  name: string;
  run(): Promise<Table[]>;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, value) => sum + value, 0) / (sorted.length || 1);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean };
}

/**
 * Sequential latency of `run` after a warm-up, then throughput with `concurrency`
 * callers sharing `calls` more calls (default: as many as the latency samples).
 */
export async function measureCalls(
  run: () => Promise<unknown>,
  options: { iterations: number; concurrency: number; warmup?: number; calls?: number },
): Promise<Summary & { throughput: number }> {
  for (let i = 0; i < (options.warmup ?? Math.min(200, options.iterations)); i++) await run();
  const latencies: number[] = [];
  for (let i = 0; i < options.iterations; i++) {
    const started = performance.now();
    await run();
    latencies.push(performance.now() - started);
  }
  const calls = options.calls ?? options.iterations;
  let remaining = calls;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (remaining-- > 0) await run();
    }),
  );
  return { ...summarize(latencies), throughput: calls / ((performance.now() - started) / 1000) };
}

/** Milliseconds with a precision that suits their size. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return value < 1 ? value.toFixed(3) : value < 100 ? value.toFixed(2) : value.toFixed(0);
}

/** Rows of plain objects (the shape older bench modules return) as a table. */
export function tableFromRows(title: string, rows: readonly object[], notes?: string[]): Table {
  const columns = Object.keys(rows[0] ?? {});
  return {
    title,
    columns,
    rows: rows.map((row) =>
      columns.map((column) => {
        const value = (row as Record<string, unknown>)[column];
        return typeof value === 'number' ? Number(value.toFixed(3)) : String(value);
      }),
    ),
    notes,
  };
}

export function formatTable(table: Table): string {
  const cells = [table.columns, ...table.rows.map((row) => row.map(String))];
  const widths = table.columns.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const numeric = table.columns.map((_, i) =>
    table.rows.every((row) => /^-?[\d.]+$|^-$/.test(String(row[i]))),
  );
  const line = (row: string[]) =>
    row
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [table.title, '', line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of cells.slice(1)) out.push(line(row));
  for (const note of table.notes ?? []) out.push(`  ${note}`);
  return out.join('\n');
}

export const databaseKind = () => (process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite');

/** Environment for createKernel/loadConfig pointing at a database nobody else uses; `drop` removes it. */
export async function freshDatabaseEnv(
  label: string,
): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dataDir = mkdtempSync(join(tmpdir(), `maskin-bench-${label}-`));
    return {
      env: { MASKIN_DATA_DIR: dataDir },
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `maskin_bench_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    drop: async () => {
      const dropper = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
