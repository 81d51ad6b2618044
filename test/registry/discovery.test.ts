/**
 * Discovery: the extensions/ folder, and MASKIN_EXTENSIONS entries given as a path
 * (relative to the root or absolute) or as an npm package name.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { discoverExtensions } from '../../kernel/registry/load-extensions.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const tmpRoot = join(ROOT, '.tmp', `discovery-${process.pid}`);
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

function writeExtension(dir: string, id: string) {
  mkdirSync(dir, { recursive: true });
  const contract = relative(dir, join(ROOT, 'kernel', 'contract', 'index.ts'));
  writeFileSync(
    join(dir, 'index.ts'),
    `import { defineExtension } from '${contract}';
export default defineExtension({
  manifest: { id: '${id}', version: '1.0.0', kernel: '^1.0.0', description: 'x', enablement: 'opt-in' },
  setup: () => ({}),
});
`,
  );
}

it('loads extensions/ folders as third-party, and MASKIN_EXTENSIONS paths and packages', async () => {
  writeExtension(join(tmpRoot, 'extensions', 'in-folder'), 'in-folder');
  writeExtension(join(tmpRoot, 'vendor', 'by-path'), 'by-path');
  const packageDir = join(tmpRoot, 'node_modules', 'maskin-by-package');
  writeExtension(packageDir, 'by-package');
  writeFileSync(
    join(packageDir, 'package.json'),
    JSON.stringify({ name: 'maskin-by-package', main: 'index.ts' }),
  );
  writeFileSync(join(tmpRoot, 'package.json'), '{}');

  const found = await discoverExtensions(tmpRoot, ['./vendor/by-path', 'maskin-by-package']);
  expect(found.map((e) => [e.definition.manifest.id, e.tier, e.source])).toEqual([
    ['in-folder', 'third-party', join(tmpRoot, 'extensions', 'in-folder')],
    ['by-path', 'third-party', './vendor/by-path'],
    ['by-package', 'third-party', 'maskin-by-package'],
  ]);
  expect(found[2]!.dir).toBe(packageDir);
});

it('names the entry it cannot load', async () => {
  await expect(discoverExtensions(tmpRoot, ['not-installed-anywhere'])).rejects.toThrow(
    'MASKIN_EXTENSIONS entry not-installed-anywhere: package not found; npm install it first.',
  );
  await expect(discoverExtensions(tmpRoot, ['./missing'])).rejects.toThrow(
    'MASKIN_EXTENSIONS entry ./missing: no extension found at',
  );
});
