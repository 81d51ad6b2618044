/**
 * Finding 2 (issue 10): the embedded database's folder is 0700 and its files 0600,
 * including a folder left world-writable by an older version (repaired at start) and
 * the files PGlite writes while running (repaired at close). PGlite only: a PostgreSQL
 * server manages its own folder.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openPglite } from '../../kernel/db/database.ts';
import { openConfiguredDatabase } from '../../kernel/db/open-database.ts';
import { usingPostgres } from '../helpers/test-database.ts';
import { testConfig } from '../helpers/test-kernel.ts';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Every path under `root` with its permission bits, as [relative path, mode, isDir]. */
function modesUnder(root: string): [string, number, boolean][] {
  const found: [string, number, boolean][] = [[root, statSync(root).mode & 0o777, true]];
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isDirectory() || entry.isFile())
      found.push([path, statSync(path).mode & 0o777, entry.isDirectory()]);
  }
  return found;
}

describe.skipIf(usingPostgres())('embedded database folder modes', () => {
  it('repairs a world-writable folder at start, and keeps new files private', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'maskin-modes-'));
    folders.push(parent);
    const dataDir = join(parent, 'data');
    // An existing folder as PGlite leaves it on its own: files 0666.
    const seed = await openPglite({
      dataDir,
      loadDataDir: new Blob([readFileSync(inject('pgliteTemplate'))]),
    });
    await seed.close();
    chmodSync(dataDir, 0o777);
    const before = modesUnder(dataDir);
    expect(before.filter(([, mode]) => (mode & 0o077) !== 0).length).toBeGreaterThan(100);

    const database = await openConfiguredDatabase(testConfig({ MASKIN_DATA_DIR: dataDir }));
    try {
      const open = modesUnder(dataDir);
      expect(open[0]![1]).toBe(0o700);
      expect(open.filter(([, mode, isDir]) => mode !== (isDir ? 0o700 : 0o600))).toEqual([]);
      await database.query('create table written_while_open (x int)');
      await database.query('insert into written_while_open select generate_series(1, 1000)');
    } finally {
      await database.close();
    }
    const after = modesUnder(dataDir);
    expect(after.filter(([, mode, isDir]) => mode !== (isDir ? 0o700 : 0o600))).toEqual([]);
  });

  it('creates a new folder 0700', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'maskin-modes-'));
    folders.push(parent);
    const { secureDataDir } = await import('../../kernel/db/data-dir-modes.ts');
    const dataDir = join(parent, 'fresh', 'data');
    secureDataDir(dataDir);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });
});
