/**
 * The scaffold produces a working extension: run as a user runs it (npm run
 * new-extension) into a temporary folder (never extensions/, which concurrent test
 * runs discover), the result loads, passes the conformance suite, and its own
 * generated test passes in a separate vitest process. The folder is removed after.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import { discoverExtensions } from '../kernel/registry/load-extensions.ts';
import { runConformance } from '../test/conformance/conformance.ts';

const ROOT = join(import.meta.dirname, '..');
const tmpRoot = join(ROOT, '.tmp', `scaffold-${process.pid}-${randomBytes(3).toString('hex')}`);
const id = 'scaffold-check';

const newExtension = (...args: string[]) =>
  spawnSync('npm', ['run', '--silent', 'new-extension', '--', ...args], { cwd: ROOT, encoding: 'utf8' });

mkdirSync(tmpRoot, { recursive: true });
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));
const scaffolded = newExtension(id, '--dir', join(tmpRoot, 'extensions'));
const installed = scaffolded.status === 0 ? await discoverExtensions(tmpRoot, []) : [];

it('writes the extension and says what to do next', () => {
  expect(scaffolded.stderr).toBe('');
  expect(scaffolded.status).toBe(0);
  expect(scaffolded.stdout).toContain(`extensions/${id}/`);
});

it('loads as a third-party extension', () => {
  expect(installed.map((e) => [e.definition.manifest.id, e.tier])).toEqual([[id, 'third-party']]);
});

runConformance(installed);

it('passes its own generated test', async () => {
  // A config for the temporary folder that reuses this run's PGlite template.
  writeFileSync(
    join(tmpRoot, 'provide-template.mjs'),
    "export default (project) => project.provide('pgliteTemplate', process.env.MASKIN_PGLITE_TEMPLATE ?? '');\n",
  );
  writeFileSync(
    join(tmpRoot, 'vitest.config.mjs'),
    "export default { test: { include: ['extensions/**/*.test.ts'], globalSetup: ['./provide-template.mjs'], testTimeout: 60000, hookTimeout: 120000 } };\n",
  );
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      '--root',
      tmpRoot,
      '--config',
      'vitest.config.mjs',
    ],
    { cwd: tmpRoot, env: { ...process.env, MASKIN_PGLITE_TEMPLATE: inject('pgliteTemplate') } },
  );
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code, output).toBe(0);
  expect(output).toMatch(/Tests\s+.*3 passed/);
});

it('refuses an id that is not kebab-case, or already taken', () => {
  const invalid = newExtension('Notes_2', '--dir', join(tmpRoot, 'extensions'));
  expect(invalid.status).toBe(1);
  expect(invalid.stderr).toContain('"Notes_2" is not a valid extension id: use kebab-case');
  const taken = newExtension(id, '--dir', join(tmpRoot, 'extensions'));
  expect(taken.status).toBe(1);
  expect(taken.stderr).toContain(`An extension "${id}" already exists`);
  expect(newExtension('meeting-notes').stderr).toContain('An extension "meeting-notes" already exists');
});
