/**
 * `npm run migrate`: apply the kernel's and every installed extension's migrations
 * (in dependency order) without starting the server, e.g. before a rolling deploy.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config.ts';
import { openConfiguredDatabase } from './db/open-database.ts';
import { migrateKernel } from './kernel.ts';
import { discoverExtensions } from './registry/load-extensions.ts';
import { migrateExtension } from './registry/registry.ts';
import { resolveExtensions } from './registry/resolve-extensions.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const config = loadConfig();
const database = await openConfiguredDatabase(config);
try {
  const report = (owner: string, r: { applied: string[]; skipped: string[] }) =>
    process.stdout.write(`${owner}: applied ${r.applied.length}, already applied ${r.skipped.length}\n`);
  report('kernel', await migrateKernel(database));
  for (const installed of resolveExtensions(await discoverExtensions(root, config.extensionSources))) {
    report(installed.definition.manifest.id, await migrateExtension(database, installed));
  }
} catch (error) {
  process.stderr.write(`migration failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await database.close();
}
