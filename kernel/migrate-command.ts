/**
 * `npm run migrate` (and `maskin migrate`): apply the kernel's and every installed
 * extension's migrations (in dependency order) without starting the server, e.g.
 * before a rolling deploy.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig } from './config.ts';
import { openConfiguredDatabase } from './db/open-database.ts';
import { migrateKernel } from './kernel.ts';
import { discoverExtensions } from './registry/load-extensions.ts';
import { migrateExtension } from './registry/registry.ts';
import { resolveExtensions } from './registry/resolve-extensions.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Prints one line per owner; resolves false (after printing why) if a migration failed. */
export async function migrateAll(print: (line: string) => void): Promise<boolean> {
  const config = loadConfig();
  const database = await openConfiguredDatabase(config);
  try {
    const report = (owner: string, r: { applied: string[]; skipped: string[] }) =>
      print(`${owner}: applied ${r.applied.length}, already applied ${r.skipped.length}`);
    report('kernel', await migrateKernel(database));
    for (const installed of resolveExtensions(await discoverExtensions(root, config.extensionSources))) {
      report(installed.definition.manifest.id, await migrateExtension(database, installed));
    }
    return true;
  } catch (error) {
    process.stderr.write(`migration failed: ${(error as Error).message}\n`);
    return false;
  } finally {
    await database.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (!(await migrateAll((line) => process.stdout.write(`${line}\n`)))) process.exitCode = 1;
}
