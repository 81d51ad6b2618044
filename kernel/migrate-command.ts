/** `npm run migrate`: apply kernel and extension migrations without starting the server. */
import { loadConfig } from './config.ts';
import { openConfiguredDatabase } from './db/open-database.ts';
import { migrateKernel } from './kernel.ts';

const config = loadConfig();
const database = await openConfiguredDatabase(config);
try {
  const report = await migrateKernel(database);
  process.stdout.write(`kernel: applied ${report.applied.length}, already applied ${report.skipped.length}\n`);
} finally {
  await database.close();
}
