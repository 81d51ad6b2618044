import { resolve } from 'node:path';
import type { KernelConfig } from '../config.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { type Database, openPglite, openPostgres } from './database.ts';

/** DATABASE_URL selects a PostgreSQL server; otherwise the embedded PGlite in MASKIN_DATA_DIR. */
export async function openConfiguredDatabase(config: KernelConfig): Promise<Database> {
  if (config.databaseUrl) {
    return openPostgres(config.databaseUrl, config.databasePoolSize, { prepare: config.databasePrepare });
  }
  const dataDir = resolve(config.dataDir);
  const unlock = lockDataDir(dataDir);
  try {
    const database = await openPglite({ dataDir });
    return {
      ...database,
      close: async () => {
        try {
          await database.close();
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
