/** Request and response schemas of the imports routes (components prefixed `Imports`). */
import { z } from '@maskin/contract';
import { mappingSchema } from '../mapping.ts';

export const importSchema = z
  .object({
    id: z.string().uuid(),
    file_id: z.string().uuid().openapi({ description: 'The uploaded file (files extension)' }),
    file_name: z.string(),
    status: z.enum(['previewed', 'queued', 'running', 'completed', 'failed', 'cancelled']),
    format: z.enum(['csv', 'json']),
    encoding: z
      .enum(['utf-8', 'utf-16le', 'latin1'])
      .openapi({ description: 'Detected from a BOM or the bytes' }),
    delimiter: z.string().nullable().openapi({ description: 'Detected CSV delimiter (null for JSON)' }),
    columns: z.array(z.string()),
    sample_rows: z.array(z.record(z.string(), z.unknown())).openapi({ description: 'The first rows' }),
    row_count: z.number().int(),
    mapping: mappingSchema,
    progress: z.object({
      rows_done: z.number().int().openapi({ description: 'Rows committed (the checkpoint)' }),
      imported_rows: z.number().int(),
      failed_rows: z.number().int(),
      created_objects: z.number().int(),
      created_relationships: z.number().int(),
    }),
    failure: z.string().nullable().openapi({ description: 'Why a failed import stopped' }),
    job_id: z.string().uuid().nullable(),
    created_by: z.string().uuid().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('ImportsImport');

export const importErrorSchema = z
  .object({
    row: z.number().int().openapi({ description: 'Data row, 1-based (the CSV header is not a row)' }),
    line: z
      .number()
      .int()
      .openapi({ description: 'Line of the file the row ends on (CSV) or starts on (JSON)' }),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })),
  })
  .openapi('ImportsRowError');

export const importIdParam = z.object({ id: z.string().uuid() });
export const fromFileSchema = z.object({ file_id: z.string().uuid() }).openapi('ImportsFromFileInput');
export const setMappingSchema = z.object({ mapping: mappingSchema }).openapi('ImportsSetMappingInput');
