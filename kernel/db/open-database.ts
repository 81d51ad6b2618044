import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KernelConfig } from '../config.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { secureDataDir } from './data-dir-modes.ts';
import { type Database, openPglite, openPostgres } from './database.ts';
import { pgliteSeed } from './pglite-seed.ts';

/** A line for the human at the terminal ("creating the embedded database in ..."). */
export type OpenProgress = (message: string) => void;

/** DATABASE_URL selects a PostgreSQL server; otherwise the embedded PGlite in MASKIN_DATA_DIR. */
export async function openConfiguredDatabase(
  config: KernelConfig,
  progress: OpenProgress = () => {},
): Promise<Database> {
  if (config.databaseUrl) {
    progress(`connecting to PostgreSQL at ${describeDatabase(config)}`);
    const database = await openPostgres(config.databaseUrl, config.databasePoolSize, {
      prepare: config.databasePrepare,
    });
    // postgres.js connects lazily: without this probe a wrong URL surfaces as a raw
    // driver error from the first migration, naming neither the variable nor the fix.
    try {
      await database.query('select 1');
    } catch (error) {
      await database.close().catch(() => {});
      throw new Error(`DATABASE_URL (${describeDatabase(config)}): ${connectionFailure(error)}`);
    }
    return database;
  }
  const dataDir = resolve(config.dataDir);
  const fresh = !existsSync(dataDir) || readdirSync(dataDir).length === 0;
  progress(
    fresh
      ? `creating the embedded database in ${dataDir} (first start)`
      : `opening the embedded database in ${dataDir}`,
  );
  // Private before anything is written, and repaired if an older version left it open.
  secureDataDir(dataDir);
  const unlock = lockDataDir(dataDir);
  try {
    // A new folder is loaded from the blank seed instead of running initdb (pglite-seed.ts).
    const seed = fresh ? await pgliteSeed(config.cacheDir).catch(() => undefined) : undefined;
    const database = await openPglite({ dataDir, loadDataDir: seed });
    // PGlite creates its files 0666 (see data-dir-modes.ts).
    secureDataDir(dataDir);
    return {
      ...database,
      close: async () => {
        try {
          await database.close();
          secureDataDir(dataDir);
        } finally {
          unlock();
        }
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}

/** Where the data lives, for humans: the PostgreSQL URL without its password, or the folder. */
export function describeDatabase(config: KernelConfig): string {
  if (!config.databaseUrl) return `embedded PGlite in ${resolve(config.dataDir)}`;
  try {
    const url = new URL(config.databaseUrl);
    url.password = '';
    return url.toString();
  } catch {
    return 'an unparsable URL';
  }
}

function connectionFailure(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host does not resolve; check the host name in DATABASE_URL';
    case 'ECONNREFUSED':
      return 'nothing accepts connections there; is PostgreSQL running, and on that port?';
    case 'ETIMEDOUT':
      return 'the connection timed out; check the host, the port and any firewall';
    case '28P01':
    case '28000':
      return `PostgreSQL refused the credentials (${message}); check the user and password in DATABASE_URL`;
    case '3D000':
      return `${message}; create it (createdb) or point DATABASE_URL at an existing database`;
    default:
      return `${code ? `${code}: ` : ''}${message ?? String(error)}`;
  }
}
