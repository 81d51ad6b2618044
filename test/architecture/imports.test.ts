/**
 * The plugin boundary, checked on the source: the kernel never imports an extension,
 * and an extension imports only the contract package, other extensions' `api.ts`,
 * its own files, Node built-ins and npm packages (tests may also use the test kit).
 * A violation names the file, the import and the rule.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CONTRACT = '@maskin/contract';
const TEST_KIT = '@maskin/test-kit';
const EXTENSION_ROOTS = ['core-extensions', 'extensions'];

function sourceFiles(folder: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(folder)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(folder, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

/** Static and dynamic import specifiers of a file. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  for (const match of text.matchAll(/(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/g))
    specifiers.push(match[1]!);
  for (const match of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(match[1]!);
  for (const match of text.matchAll(/^import\s+['"]([^'"]+)['"]/gm)) specifiers.push(match[1]!);
  return specifiers;
}

const rel = (path: string) => relative(ROOT, path).split(sep).join('/');

function extensionFolderOf(file: string): string | undefined {
  const parts = rel(file).split('/');
  return EXTENSION_ROOTS.includes(parts[0]!) && parts.length > 2 ? `${parts[0]}/${parts[1]}` : undefined;
}

describe('the plugin boundary', () => {
  it('no file in kernel/ imports an extension', () => {
    const violations: string[] = [];
    for (const file of sourceFiles(join(ROOT, 'kernel'))) {
      for (const specifier of importsOf(file)) {
        if (!specifier.startsWith('.')) continue;
        const target = rel(resolve(dirname(file), specifier));
        if (EXTENSION_ROOTS.some((root) => target.startsWith(`${root}/`))) {
          violations.push(`${rel(file)} imports ${specifier}: the kernel never imports an extension`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it("extensions import only the contract, other extensions' api.ts and their own files", () => {
    const violations: string[] = [];
    for (const root of EXTENSION_ROOTS) {
      for (const file of sourceFiles(join(ROOT, root))) {
        const own = extensionFolderOf(file);
        const isTest = file.endsWith('.test.ts');
        for (const specifier of importsOf(file)) {
          if (specifier === CONTRACT || (isTest && specifier === TEST_KIT)) continue;
          if (!specifier.startsWith('.')) {
            if (specifier.startsWith('@maskin/')) {
              violations.push(
                `${rel(file)} imports ${specifier}: only ${CONTRACT} (and ${TEST_KIT} in tests)`,
              );
            }
            continue; // Node built-ins and npm packages
          }
          const target = rel(resolve(dirname(file), specifier));
          if (own && target.startsWith(`${own}/`)) continue;
          const targetExtension = extensionFolderOf(resolve(ROOT, target));
          if (targetExtension && target === `${targetExtension}/api.ts`) continue;
          violations.push(
            `${rel(file)} imports ${specifier}: an extension imports ${CONTRACT}, other extensions' api.ts and its own files only`,
          );
        }
      }
    }
    expect(violations).toEqual([]);
  });
});
