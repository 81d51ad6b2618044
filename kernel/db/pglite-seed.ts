/**
 * A fresh embedded database without initdb. Creating a PGlite data folder runs
 * PostgreSQL's initdb in WebAssembly and writes ~40 MB file by file: most of a first
 * start. Loading a dumped blank cluster (a gzipped tarball, ~4.5 MB) takes a fraction
 * of that. The seed is made once per installation, at `npm install` (postinstall runs
 * scripts/pglite-seed.ts) or else by the first start that needs it, and reused for
 * every new data folder after that.
 *
 * The seed is blank (initdb only, no Maskin tables), so it never goes stale as
 * migrations change; it is keyed by the PGlite version because a data folder is tied
 * to the PostgreSQL build that wrote it. It is written to a temporary name and renamed,
 * so a concurrent or interrupted writer never leaves half a tarball under the real name.
 * If the cache folder is not writable, the start simply runs initdb as before.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPglite } from './database.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where seeds live unless MASKIN_CACHE_DIR says otherwise. */
export const DEFAULT_CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'maskin');

/** PGlite's version from its package.json (which its `exports` do not expose). */
function pgliteVersion(): string {
  let folder = dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite')));
  while (!existsSync(join(folder, 'package.json')) && dirname(folder) !== folder) folder = dirname(folder);
  return (JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { version: string }).version;
}

export function seedPath(cacheDir: string): string {
  return join(cacheDir, `pglite-${pgliteVersion()}-seed.tar.gz`);
}

export function readSeed(cacheDir: string): Blob | undefined {
  try {
    return new Blob([readFileSync(seedPath(cacheDir))]);
  } catch {
    return undefined;
  }
}

/** Makes the seed (initdb in memory, then a gzipped dump); returns it, cached if it could be written. */
export async function createSeed(cacheDir: string): Promise<Blob> {
  const blank = await openPglite({});
  let seed: Blob;
  try {
    seed = await blank.dumpDataDir!('gzip');
  } finally {
    await blank.close();
  }
  const target = seedPath(cacheDir);
  const temporary = `${target}.${process.pid}.tmp`;
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(temporary, Buffer.from(await seed.arrayBuffer()));
    renameSync(temporary, target);
  } catch {
    rmSync(temporary, { force: true });
  }
  return seed;
}

/** The cached seed, or a new one. */
export async function pgliteSeed(cacheDir: string): Promise<Blob> {
  return readSeed(cacheDir) ?? createSeed(cacheDir);
}
