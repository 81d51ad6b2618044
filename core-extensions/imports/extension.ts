/**
 * The imports extension as a factory, so tests can pass runner hooks (a deterministic
 * crash between a batch's writes and its commit). index.ts exports the one instance
 * the server installs.
 */
import { dbRef, defineExtension, eventsRef, installationConfigRef, jobsRef, z } from '@maskin/contract';
import { filesServiceRef } from '../files/api.ts';
import { objectsServiceRef } from '../objects/api.ts';
import { relationshipsServiceRef } from '../relationships/api.ts';
import { importRoutes } from './routes/imports.ts';
import { type ImportEventType, type ImportPayload, type RunnerHooks, runImport } from './runner.ts';
import { ImportsService, RUN_QUEUE } from './service.ts';
import { settingsSchema } from './settings.ts';

const events: ImportEventType[] = [
  'import.created',
  'import.mapping_updated',
  'import.confirmed',
  'import.progress',
  'import.completed',
  'import.failed',
  'import.cancelled',
];

/** MASKIN_EXT_IMPORTS_MAX_UPLOAD_BYTES: the body limit of the upload route (files limits apply too). */
const configSchema = z.object({
  max_upload_bytes: z.coerce
    .number()
    .int()
    .min(1)
    .default(1024 * 1024 * 1024),
});

export function importsExtension(options: { hooks?: RunnerHooks } = {}) {
  return defineExtension({
    manifest: {
      id: 'imports',
      version: '1.0.0',
      kernel: '^1.0.0',
      description:
        'Imports CSV and JSON files into objects: preview, automatic mapping to fields, background job with progress and per-row errors.',
      mounts: ['imports'],
      requires: ['objects', 'files', 'relationships'],
      enablement: 'default-on',
      settings: settingsSchema,
      config: configSchema,
      events,
    },
    deps: {
      database: dbRef,
      events: eventsRef,
      jobs: jobsRef,
      config: installationConfigRef,
      files: filesServiceRef,
      objects: objectsServiceRef,
      relationships: relationshipsServiceRef,
    },
    migrations: new URL('./migrations/', import.meta.url),
    setup({ deps, settings }) {
      const { db } = deps.database;
      const { max_upload_bytes: maxUploadBytes } = deps.config as z.output<typeof configSchema>;
      const imports = new ImportsService(db, deps.events, deps.jobs, deps.files, deps.objects);
      deps.jobs.work<ImportPayload>(
        RUN_QUEUE,
        (job) =>
          runImport(
            {
              db,
              events: deps.events,
              files: deps.files,
              objects: deps.objects,
              relationships: deps.relationships,
              batchSize: async (workspaceId) => (await settings(workspaceId)).batch_size,
              hooks: options.hooks ?? {},
            },
            job,
          ),
        { concurrency: 1 },
      );
      return { routes: importRoutes(imports, maxUploadBytes) };
    },
  });
}
