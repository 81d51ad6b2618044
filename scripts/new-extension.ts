/**
 * `npm run new-extension -- <id> [--dir <extensions folder>]`: writes a working,
 * tested extension skeleton to extensions/<id>/ (or <folder>/<id>/). The id is
 * checked here, before anything is written: kebab-case, at most 40 characters, and
 * not already taken in core-extensions/, extensions/ or the target folder.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { EXTENSION_ID_PATTERN } from '../kernel/contract/extension.ts';
import { extensionFiles, namesOf } from './extension-template.ts';

const ROOT = join(import.meta.dirname, '..');

export class ScaffoldError extends Error {}

export function scaffoldExtension(id: string, extensionsDir = join(ROOT, 'extensions')): string {
  if (!EXTENSION_ID_PATTERN.test(id) || id.length > 40) {
    throw new ScaffoldError(
      `"${id}" is not a valid extension id: use kebab-case (lowercase letters and digits separated by single dashes, starting with a letter), at most 40 characters, e.g. "time-tracking".`,
    );
  }
  const dir = resolve(extensionsDir, id);
  for (const taken of [join(ROOT, 'core-extensions', id), join(ROOT, 'extensions', id), dir]) {
    if (existsSync(taken)) {
      throw new ScaffoldError(
        `An extension "${id}" already exists at ${relative(process.cwd(), taken) || '.'}; choose another id.`,
      );
    }
  }
  const files = extensionFiles(namesOf(id));
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, file.endsWith('.ts') ? formatted(file, content) : content);
  }
  return dir;
}

/**
 * The template's line breaks cannot fit every id length, so the files go through
 * the repository's formatter (biome, with its config): a new extension passes
 * `npm run lint` as written.
 */
function formatted(file: string, content: string): string {
  const biome = spawnSync(
    join(ROOT, 'node_modules', '.bin', 'biome'),
    ['check', '--write', `--stdin-file-path=${relative(ROOT, file)}`],
    { cwd: ROOT, input: content, encoding: 'utf8' },
  );
  return biome.status === 0 && biome.stdout ? biome.stdout : content;
}

function main(args: string[]) {
  const dirFlag = args.indexOf('--dir');
  const extensionsDir = dirFlag >= 0 ? args[dirFlag + 1] : undefined;
  const positional = dirFlag >= 0 ? args.filter((_, i) => i !== dirFlag && i !== dirFlag + 1) : args;
  if (positional.length !== 1 || (dirFlag >= 0 && !extensionsDir)) {
    throw new ScaffoldError('Usage: npm run new-extension -- <id> [--dir <extensions folder>]');
  }
  const id = positional[0]!;
  const dir = scaffoldExtension(id, extensionsDir && resolve(extensionsDir));
  const shown = relative(process.cwd(), dir);
  process.stdout.write(
    `Created ${shown}/. Next:\n` +
      `  npx vitest run ${shown}      # its own test\n` +
      '  npx vitest run test/conformance  # the conformance suite covers it automatically\n' +
      '  npm start                       # mounted at /api/m/' +
      `${id}; enable it per workspace (docs/extensions.md)\n`,
  );
}

if (import.meta.filename === process.argv[1]) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ScaffoldError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
