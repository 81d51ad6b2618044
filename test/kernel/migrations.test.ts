/**
 * The migration runner on a real database: applied once and in order, each file in
 * its own transaction, guarded by checksums, and serialised between processes.
 * Every test uses its own owner name and table names, in folders of tiny SQL files.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openPostgres } from '../../kernel/db/database.ts';
import { MigrationError, readMigrationFolder, runMigrations } from '../../kernel/db/migrate.ts';
import {
  createPostgresDatabase,
  createTestDatabase,
  type TestDatabase,
  usingPostgres,
} from '../helpers/test-database.ts';

let testDatabase: TestDatabase;
let database: Database;
const folders: string[] = [];

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  database = testDatabase.database;
});
afterAll(async () => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  await testDatabase?.drop();
});

/** A fresh folder holding `files`, plus a unique owner and table-name prefix for the test. */
function fixture(files: (prefix: string) => Record<string, string>) {
  const folder = mkdtempSync(join(tmpdir(), 'maskin-migrations-'));
  folders.push(folder);
  const prefix = `m_${randomBytes(4).toString('hex')}`;
  const write = (contents: Record<string, string>) => {
    for (const [name, sql] of Object.entries(contents)) writeFileSync(join(folder, name), sql);
  };
  write(files(prefix));
  return { folder, prefix, owner: `test-${prefix}`, write, read: () => readMigrationFolder(folder) };
}

const ledger = (owner: string) =>
  database.query<{ name: string }>('select name from maskin_migrations where owner = $1 order by name', [
    owner,
  ]);
const tableExists = async (name: string) =>
  (await database.query('select 1 from information_schema.tables where table_name = $1', [name])).length > 0;

describe('runMigrations', () => {
  it('applies files in order, once; a second run applies nothing', async () => {
    // 0010 needs 0002's table: numeric order by name, not the order written to disk.
    const f = fixture((p) => ({
      '0010_fill.sql': `insert into ${p}_items (label) values ('from 0010');`,
      '0002_items.sql': `create table ${p}_items (id serial primary key, label text not null);`,
      '0001_log.sql': `create table ${p}_log (n int);`,
    }));
    const first = await runMigrations(database, f.owner, f.read());
    expect(first).toEqual({ applied: ['0001_log.sql', '0002_items.sql', '0010_fill.sql'], skipped: [] });
    const second = await runMigrations(database, f.owner, f.read());
    expect(second).toEqual({ applied: [], skipped: ['0001_log.sql', '0002_items.sql', '0010_fill.sql'] });
    // The insert ran once.
    expect(await database.query(`select label from ${f.prefix}_items`)).toEqual([{ label: 'from 0010' }]);
    expect((await ledger(f.owner)).map((r) => r.name)).toEqual([
      '0001_log.sql',
      '0002_items.sql',
      '0010_fill.sql',
    ]);
  });

  it('applies only the files added since the last run', async () => {
    const f = fixture((p) => ({ '0001_a.sql': `create table ${p}_a (n int);` }));
    await runMigrations(database, f.owner, f.read());
    f.write({ '0002_b.sql': `create table ${f.prefix}_b (n int);` });
    expect(await runMigrations(database, f.owner, f.read())).toEqual({
      applied: ['0002_b.sql'],
      skipped: ['0001_a.sql'],
    });
  });

  it('keys the ledger by owner: the same file name under another owner is separate', async () => {
    const f = fixture((p) => ({ '0001_same.sql': `create table if not exists ${p}_shared (n int);` }));
    await runMigrations(database, f.owner, f.read());
    const other = await runMigrations(database, `${f.owner}-other`, f.read());
    expect(other.applied).toEqual(['0001_same.sql']);
  });

  it('stops with a MigrationError naming the file when an applied file has changed', async () => {
    const f = fixture((p) => ({
      '0001_base.sql': `create table ${p}_base (n int);`,
      '0002_next.sql': `create table ${p}_next (n int);`,
    }));
    await runMigrations(database, f.owner, f.read());
    f.write({
      '0001_base.sql': `create table ${f.prefix}_base (n int, extra text);`,
      '0003_later.sql': `create table ${f.prefix}_later (n int);`,
    });
    const run = runMigrations(database, f.owner, f.read());
    await expect(run).rejects.toBeInstanceOf(MigrationError);
    await expect(runMigrations(database, f.owner, f.read())).rejects.toThrow(
      new RegExp(`${f.owner}/0001_base\\.sql was changed after it was applied`),
    );
    // Nothing after the changed file ran.
    expect(await tableExists(`${f.prefix}_later`)).toBe(false);
  });

  it('runs each file in its own transaction: a failing file leaves no ledger row and no partial tables', async () => {
    const f = fixture((p) => ({
      '0001_ok.sql': `create table ${p}_ok (n int);`,
      '0002_broken.sql': `create table ${p}_partial (n int);\ninsert into ${p}_partial values (1);\nselect * from ${p}_missing;`,
      '0003_after.sql': `create table ${p}_after (n int);`,
    }));
    await expect(runMigrations(database, f.owner, f.read())).rejects.toThrow(
      new RegExp(`${f.owner}/0002_broken\\.sql failed`),
    );
    expect((await ledger(f.owner)).map((r) => r.name)).toEqual(['0001_ok.sql']);
    expect(await tableExists(`${f.prefix}_ok`)).toBe(true);
    expect(await tableExists(`${f.prefix}_partial`)).toBe(false);
    expect(await tableExists(`${f.prefix}_after`)).toBe(false);

    // Fixing the file (it was never recorded, so it may change) lets the run finish.
    f.write({ '0002_broken.sql': `create table ${f.prefix}_partial (n int);` });
    expect(await runMigrations(database, f.owner, f.read())).toEqual({
      applied: ['0002_broken.sql', '0003_after.sql'],
      skipped: ['0001_ok.sql'],
    });
  });

  it('refuses badly named files', () => {
    const f = fixture(() => ({ 'add-things.sql': 'select 1;' }));
    expect(() => f.read()).toThrow(/add-things\.sql must be named NNNN_snake_case\.sql/);
  });
});

describe.skipIf(!usingPostgres())('two runners on one PostgreSQL database', () => {
  it('migrate once between them', async () => {
    const fresh = await createPostgresDatabase();
    const a = await openPostgres(fresh.url, 2);
    const b = await openPostgres(fresh.url, 2);
    try {
      const f = fixture((p) => ({
        '0001_counter.sql': `create table ${p}_runs (file text not null);`,
        // Slow enough that the runners overlap, and not idempotent: a second run would fail or double-count.
        '0002_slow.sql': `select pg_sleep(0.2); insert into ${p}_runs values ('0002');`,
        '0003_more.sql': `create table ${p}_more (n int); insert into ${p}_runs values ('0003');`,
      }));
      const files = f.read();
      const [ra, rb] = await Promise.all([
        runMigrations(a, f.owner, files),
        runMigrations(b, f.owner, files),
      ]);
      const applied = [...ra.applied, ...rb.applied].sort();
      expect(applied).toEqual(['0001_counter.sql', '0002_slow.sql', '0003_more.sql']);
      expect([...ra.skipped, ...rb.skipped].sort()).toEqual(applied);
      const runs = await a.query<{ file: string }>(`select file from ${f.prefix}_runs order by file`);
      expect(runs.map((r) => r.file)).toEqual(['0002', '0003']);
      const [count] = await a.query<{ n: string }>(
        'select count(*) as n from maskin_migrations where owner = $1',
        [f.owner],
      );
      expect(Number(count!.n)).toBe(3);
    } finally {
      await a.close();
      await b.close();
      await fresh.drop();
    }
  });
});
