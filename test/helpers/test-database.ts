/**
 * A fresh, private database for one test file: a copy of the PGlite template, or
 * (with DATABASE_URL) a new database on that PostgreSQL server, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { inject } from 'vitest';
import { type Database, openPglite, openPostgres } from '../../kernel/db/database.ts';

export interface TestDatabase {
  database: Database;
  /** A connection URL other processes can use (PostgreSQL only). */
  url: string | undefined;
  drop(): Promise<void>;
}

export const usingPostgres = () => Boolean(process.env.DATABASE_URL);

/** Creates an empty PostgreSQL database on the DATABASE_URL server; returns its URL and a dropper. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = process.env.DATABASE_URL!;
  const name = `maskin_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (usingPostgres()) {
    const { url, drop } = await createPostgresDatabase();
    const database = await openPostgres(url, 10);
    return {
      database,
      url,
      drop: async () => {
        await database.close();
        await drop();
      },
    };
  }
  const template = inject('pgliteTemplate');
  const database = await openPglite({ loadDataDir: new Blob([readFileSync(template)]) });
  return { database, url: undefined, drop: () => database.close() };
}

/**
 * A fresh database for a child process (server, CLI): the environment that points it
 * there (`DATABASE_URL`, or `MASKIN_DATA_DIR` holding a copy of the blank PGlite
 * template, which is much faster than a new PGlite), and a cleanup.
 */
export async function createProcessDatabase(
  label: string,
): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  if (usingPostgres()) {
    const database = await createPostgresDatabase();
    return { env: { DATABASE_URL: database.url }, cleanup: database.drop };
  }
  const dataDir = mkdtempSync(join(tmpdir(), `maskin-${label}-`));
  const seed = await openPglite({ dataDir, loadDataDir: new Blob([readFileSync(inject('pgliteTemplate'))]) });
  await seed.close();
  return {
    env: { MASKIN_DATA_DIR: dataDir },
    cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}
