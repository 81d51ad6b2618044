import { resolve } from 'node:path';
import type { KernelConfig } from '../config.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { secureDataDir } from './data-dir-modes.ts';
import { type Database, openPglite, openPostgres } from './database.ts';

/** DATABASE_URL selects a PostgreSQL server; otherwise the embedded PGlite in MASKIN_DATA_DIR. */
export async function openConfiguredDatabase(config: KernelConfig): Promise<Database> {
  if (config.databaseUrl) {
    return openPostgres(config.databaseUrl, config.databasePoolSize, { prepare: config.databasePrepare });
  }
  const dataDir = resolve(config.dataDir);
  // Private before anything is written, and repaired if an older version left it open.
  secureDataDir(dataDir);
  const unlock = lockDataDir(dataDir);
  try {
    const database = await openPglite({ dataDir });
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
