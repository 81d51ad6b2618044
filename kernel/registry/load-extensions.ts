/**
 * Finds installed extensions: every folder of core-extensions/ (core tier) and
 * extensions/ (third-party tier) with an index.ts, plus the packages or paths listed
 * in MASKIN_EXTENSIONS (third-party). Each must default-export defineExtension(...).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isExtensionDefinition } from '../contract/extension.ts';
import { ExtensionBootError, type InstalledExtension, type Tier } from './resolve-extensions.ts';

const INDEX_FILES = ['index.ts', 'index.js', 'index.mjs'];

function indexOf(folder: string): string | undefined {
  return INDEX_FILES.map((file) => join(folder, file)).find((file) => existsSync(file));
}

async function importExtension(entry: string, tier: Tier, source: string, dir: string | undefined) {
  let module: { default?: unknown };
  try {
    module = await import(entry.startsWith('/') ? pathToFileURL(entry).href : entry);
  } catch (error) {
    throw new ExtensionBootError(`Could not load extension from ${source}: ${(error as Error).message}`);
  }
  if (!isExtensionDefinition(module.default)) {
    throw new ExtensionBootError(
      `${source} does not default-export an extension: write \`export default defineExtension({...})\` (from kernel/contract).`,
    );
  }
  return { definition: module.default, tier, source, dir } satisfies InstalledExtension;
}

async function loadFolder(folder: string, tier: Tier): Promise<InstalledExtension[]> {
  if (!existsSync(folder)) return [];
  const loaded: InstalledExtension[] = [];
  for (const name of readdirSync(folder).sort()) {
    if (name.startsWith('.') || name.startsWith('_')) continue;
    const dir = join(folder, name);
    if (!statSync(dir).isDirectory()) continue;
    const index = indexOf(dir);
    if (!index) continue;
    loaded.push(await importExtension(index, tier, dir, dir));
  }
  return loaded;
}

async function loadSource(root: string, source: string): Promise<InstalledExtension> {
  if (source.startsWith('.') || isAbsolute(source)) {
    const path = resolve(root, source);
    const index = existsSync(path) && statSync(path).isDirectory() ? indexOf(path) : path;
    if (!index || !existsSync(index))
      throw new ExtensionBootError(`MASKIN_EXTENSIONS entry ${source}: no extension found at ${path}`);
    return importExtension(index, 'third-party', source, dirname(index));
  }
  const require = createRequire(join(root, 'package.json'));
  let entry: string;
  try {
    entry = require.resolve(source);
  } catch {
    throw new ExtensionBootError(
      `MASKIN_EXTENSIONS entry ${source}: package not found; npm install it first.`,
    );
  }
  return importExtension(entry, 'third-party', source, dirname(entry));
}

export async function discoverExtensions(
  root: string,
  sources: readonly string[],
): Promise<InstalledExtension[]> {
  const found = [
    ...(await loadFolder(join(root, 'core-extensions'), 'core')),
    ...(await loadFolder(join(root, 'extensions'), 'third-party')),
  ];
  for (const source of sources) found.push(await loadSource(root, source));
  return found;
}
