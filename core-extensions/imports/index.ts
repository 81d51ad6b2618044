/**
 * imports: CSV and JSON files into objects, mounted at /api/imports. A file is stored
 * through files, previewed (columns, sample, row count, delimiter, encoding) with a
 * proposed mapping, and imported on confirm by a background job (runner.ts) that
 * resumes from a checkpoint after a crash and reports progress and row errors.
 */
import { importsExtension } from './extension.ts';

export default importsExtension();
