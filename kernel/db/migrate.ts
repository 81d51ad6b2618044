/**
 * Forward-only SQL migrations, shared by the kernel and every extension.
 *
 * The ledger is keyed by (owner, name): `kernel` for migrations/, an extension id for
 * its own folder. Each file runs in its own transaction that first takes a
 * transaction-scoped advisory lock, then re-reads the ledger: two processes booting at
 * once on one PostgreSQL serialise on the lock and the second finds the file applied.
 * A file whose checksum no longer matches the ledger stops boot: silently running on a
 * schema that differs from the code's is worse than not starting.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from './database.ts';

const MIGRATION_LOCK = 72_656_363; // arbitrary constant shared by every Maskin process
const FILE_PATTERN = /^\d{4}_[a-z0-9_]+\.sql$/;

export class MigrationError extends Error {}

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrationFolder(folder: string): MigrationFile[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files = names.filter((name) => name.endsWith('.sql')).sort();
  for (const name of files) {
    if (!FILE_PATTERN.test(name)) {
      throw new MigrationError(`Migration file ${join(folder, name)} must be named NNNN_snake_case.sql`);
    }
  }
  return files.map((name) => {
    const sql = readFileSync(join(folder, name), 'utf8');
    return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

const LEDGER_DDL = `
  create table if not exists maskin_migrations (
    owner text not null,
    name text not null,
    checksum text not null,
    applied_at timestamptz not null default now(),
    primary key (owner, name)
  )`;

export interface MigrationReport {
  applied: string[];
  skipped: string[];
}

export async function runMigrations(
  database: Database,
  owner: string,
  files: MigrationFile[],
): Promise<MigrationReport> {
  const report: MigrationReport = { applied: [], skipped: [] };
  for (const file of files) {
    const applied = await database.scriptTransaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await tx.exec(LEDGER_DDL);
      const [existing] = await tx.query<{ checksum: string }>(
        'select checksum from maskin_migrations where owner = $1 and name = $2',
        [owner, file.name],
      );
      if (existing) {
        if (existing.checksum !== file.checksum) {
          throw new MigrationError(
            `Migration ${owner}/${file.name} was changed after it was applied (checksum ${existing.checksum.slice(0, 12)} in the database, ${file.checksum.slice(0, 12)} on disk). ` +
              'Migrations are forward-only: restore the original file and add a new migration for the change.',
          );
        }
        return false;
      }
      try {
        await tx.exec(file.sql);
      } catch (error) {
        throw new MigrationError(`Migration ${owner}/${file.name} failed: ${(error as Error).message}`);
      }
      await tx.query('insert into maskin_migrations (owner, name, checksum) values ($1, $2, $3)', [
        owner,
        file.name,
        file.checksum,
      ]);
      return true;
    });
    (applied ? report.applied : report.skipped).push(file.name);
  }
  return report;
}
