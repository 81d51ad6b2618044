/**
 * files: uploaded files of a workspace, mounted at /api/files. Uploads stream to the
 * blob store (a folder under the data directory, or S3) with their size limited per
 * workspace, their type sniffed and their SHA-256 recorded; a file may be attached to
 * an object (an objects link). Downloads honour Range. Publishes its service (api.ts)
 * for imports.
 */
import { blobsRef, dbRef, defineExtension, eventsRef, installationConfigRef } from '@maskin/contract';
import { objectLinksRef, objectsServiceRef } from '../objects/api.ts';
import { filesServiceRef } from './api.ts';
import { downloadRoute } from './routes/download.ts';
import { fileRoutes } from './routes/files.ts';
import { uploadRoute } from './routes/upload.ts';
import { FilesService } from './service.ts';
import { configSchema, errors, type FilesConfig, settingsSchema } from './settings.ts';

export default defineExtension({
  manifest: {
    id: 'files',
    version: '1.0.0',
    kernel: '^1.0.0',
    description:
      'Files: streamed uploads with per-workspace limits and quota, sniffed types, SHA-256, attachments to objects, ranged downloads.',
    mounts: ['files'],
    requires: ['objects'],
    enablement: 'default-on',
    settings: settingsSchema,
    config: configSchema,
    errors,
    events: ['file.uploaded', 'file.deleted'],
  },
  deps: {
    database: dbRef,
    events: eventsRef,
    blobs: blobsRef,
    config: installationConfigRef,
    links: objectLinksRef,
    objects: objectsServiceRef,
  },
  provides: filesServiceRef,
  migrations: new URL('./migrations/', import.meta.url),
  setup({ deps, settings }) {
    const { max_upload_bytes: maxUploadBytes } = deps.config as FilesConfig;
    const files = new FilesService(
      deps.database.db,
      deps.events,
      deps.blobs,
      deps.links,
      deps.objects,
      settings,
      maxUploadBytes,
    );
    return {
      routes: [uploadRoute(files, maxUploadBytes), ...fileRoutes(files), downloadRoute(files)],
      service: files,
    };
  },
});
