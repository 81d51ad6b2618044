/**
 * `npm run migrate` as a real child process on a fresh database: it applies the
 * kernel's and every installed extension's migrations and reports them, a second run
 * applies nothing, and a changed applied file makes it exit non-zero naming the file.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPglite } from '../../kernel/db/database.ts';
import { readMigrationFolder } from '../../kernel/db/migrate.ts';
import { KERNEL_MIGRATIONS } from '../../kernel/kernel.ts';
import { createProcessDatabase } from '../helpers/test-database.ts';

const ROOT = join(import.meta.dirname, '..', '..');
let env: Record<string, string>;
let tamper: (sql: string) => Promise<void>;
let cleanup: () => Promise<void> | void = () => {};

beforeAll(async () => {
  const database = await createProcessDatabase('migrate');
  env = database.env;
  cleanup = database.cleanup;
  tamper = async (statement) => {
    if (env.DATABASE_URL) {
      const sql = postgres(env.DATABASE_URL, { max: 1, onnotice: () => {} });
      await sql.unsafe(statement);
      await sql.end();
    } else {
      const direct = await openPglite({ dataDir: env.MASKIN_DATA_DIR! });
      await direct.query(statement);
      await direct.close();
    }
  };
});
afterAll(() => cleanup());

function migrate() {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'kernel/migrate-command.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const applied: Record<string, { applied: number; skipped: number }> = Object.fromEntries(
    [...result.stdout.matchAll(/^([\w-]+): applied (\d+), already applied (\d+)$/gm)].map((m) => [
      m[1],
      { applied: Number(m[2]), skipped: Number(m[3]) },
    ]),
  );
  return { status: result.status, stderr: result.stderr, applied };
}

it('applies every migration once, reports it, and stops on a changed applied file', async () => {
  const first = migrate();
  expect(first.status, first.stderr).toBe(0);
  const kernelMigrations = readMigrationFolder(KERNEL_MIGRATIONS).length;
  expect(first.applied.kernel).toEqual({ applied: kernelMigrations, skipped: 0 });
  for (const owner of ['objects', 'relationships', 'meeting-notes']) {
    expect(first.applied[owner]?.applied, owner).toBeGreaterThan(0);
  }

  const second = migrate();
  expect(second.status, second.stderr).toBe(0);
  for (const [owner, counts] of Object.entries(first.applied)) {
    expect(second.applied[owner], owner).toEqual({ applied: 0, skipped: counts.applied + counts.skipped });
  }

  await tamper(
    "update maskin_migrations set checksum = 'edited' where owner = 'kernel' and name = '0001_kernel.sql'",
  );
  const changed = migrate();
  expect(changed.status).toBe(1);
  expect(changed.stderr).toContain('migration failed');
  expect(changed.stderr).toContain('0001_kernel.sql');
});
