/**
 * What other extensions may import from files: its service ref, public types and the
 * wire schema of a file. imports stores its uploads and streams them back through it.
 */
import { createServiceRef } from '@maskin/contract';
import type { FilesService } from './service.ts';

export { fileSchema } from './routes/schemas.ts';
export { MULTIPART_OVERHEAD } from './routes/upload.ts';
export type { FilesService, FilesUsage, ListFilesInput, OpenedFile, UploadInput } from './service.ts';
export type { FilesSettings } from './settings.ts';
export type { FileRecord } from './table.ts';

export const filesServiceRef = createServiceRef<FilesService>({ id: 'files.service', owner: 'files' });
