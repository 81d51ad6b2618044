/**
 * Creating a PGlite database costs seconds; loading a dumped one costs well under
 * one. Without DATABASE_URL we create one blank database here, once per run, and
 * every test file loads its own copy of it.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openPglite } from '../../kernel/db/database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    project.provide('pgliteTemplate', '');
    return;
  }
  const folder = join(process.cwd(), '.tmp', `pglite-template-${process.pid}`);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, 'template.tar');
  const database = await openPglite({});
  const dump = await database.dumpDataDir!();
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await database.close();
  project.provide('pgliteTemplate', file);
  return () => rmSync(folder, { recursive: true, force: true });
}
