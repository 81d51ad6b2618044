/**
 * The files of a new extension come from a real extension, scripts/templates/extension/
 * (id `template-items`), that CI typechecks, lints and tests like any other code: one
 * table in its own migration, list and create routes, one event type, one MCP tool,
 * settings with defaults, and a test beside the code. Scaffolding copies it and
 * renames every spelling of its id. It imports the contract and the test kit by
 * package name (@maskin/contract, @maskin/test-kit), so the copy works wherever it
 * is written.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { KERNEL_VERSION } from '../kernel/version.ts';

export const TEMPLATE_DIR = join(import.meta.dirname, 'templates', 'extension');
const TEMPLATE_ID = 'template-items';

export interface TemplateNames {
  id: string;
  /** snake_case: table, migration and event prefix. */
  snake: string;
  /** PascalCase: classes and OpenAPI component names. */
  pascal: string;
  /** camelCase: the service ref. */
  camel: string;
  /** A sentence-case title for descriptions. */
  title: string;
}

export function namesOf(id: string): TemplateNames {
  const words = id.split('-');
  const capitalised = words.map((word) => word[0]!.toUpperCase() + word.slice(1));
  return {
    id,
    snake: words.join('_'),
    pascal: capitalised.join(''),
    camel: words[0] + capitalised.slice(1).join(''),
    title: capitalised[0] + (words.length > 1 ? ` ${words.slice(1).join(' ')}` : ''),
  };
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every spelling of the template's id, replaced by the new one's. */
function renamed(text: string, from: TemplateNames, to: TemplateNames): string {
  return text
    .replaceAll(from.id, to.id)
    .replaceAll(from.snake, to.snake)
    .replaceAll(from.pascal, to.pascal)
    .replaceAll(from.camel, to.camel)
    .replaceAll(from.title, to.title);
}

/** Relative file path -> content of the new extension. */
export function extensionFiles(names: TemplateNames): Record<string, string> {
  const template = namesOf(TEMPLATE_ID);
  const major = KERNEL_VERSION.split('.')[0];
  const files: Record<string, string> = {};
  for (const file of filesUnder(TEMPLATE_DIR)) {
    const path = renamed(relative(TEMPLATE_DIR, file), template, names);
    files[path] = renamed(readFileSync(file, 'utf8'), template, names).replace(
      "kernel: '^1.0.0'",
      `kernel: '^${major}.0.0'`,
    );
  }
  return files;
}
