/** The imports tables (migrations/0001_imports.sql) and the JSON shape of an import. */
import { pg } from '@maskin/contract';
import type { ImportEncoding, ImportFormat } from './detect.ts';
import type { Mapping } from './mapping.ts';

export type ImportStatus = 'previewed' | 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export const importsTable = pg.pgTable('imports', {
  id: pg.uuid('id').primaryKey(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  fileId: pg.uuid('file_id').notNull(),
  fileName: pg.text('file_name').notNull(),
  status: pg.text('status').$type<ImportStatus>().notNull(),
  format: pg.text('format').$type<ImportFormat>().notNull(),
  encoding: pg.text('encoding').$type<ImportEncoding>().notNull(),
  delimiter: pg.text('delimiter'),
  columns: pg.jsonb('columns').$type<string[]>().notNull(),
  sampleRows: pg.jsonb('sample_rows').$type<Record<string, unknown>[]>().notNull(),
  rowCount: pg.integer('row_count').notNull(),
  mapping: pg.jsonb('mapping').$type<Mapping>().notNull(),
  jobId: pg.uuid('job_id'),
  lastRow: pg.integer('last_row').notNull(),
  importedRows: pg.integer('imported_rows').notNull(),
  failedRows: pg.integer('failed_rows').notNull(),
  createdObjects: pg.integer('created_objects').notNull(),
  createdRelationships: pg.integer('created_relationships').notNull(),
  failure: pg.text('failure'),
  createdBy: pg.uuid('created_by'),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: pg.timestamp('updated_at', { withTimezone: true }).notNull(),
  finishedAt: pg.timestamp('finished_at', { withTimezone: true }),
});

export const importErrorsTable = pg.pgTable(
  'imports_errors',
  {
    importId: pg.uuid('import_id').notNull(),
    rowNumber: pg.integer('row_number').notNull(),
    line: pg.integer('line').notNull(),
    message: pg.text('message').notNull(),
    details: pg.jsonb('details').$type<{ path: string; message: string }[]>().notNull(),
  },
  (table) => [pg.primaryKey({ columns: [table.importId, table.rowNumber] })],
);

export type ImportRow = typeof importsTable.$inferSelect;

export function toImportJson(row: ImportRow) {
  return {
    id: row.id,
    file_id: row.fileId,
    file_name: row.fileName,
    status: row.status,
    format: row.format,
    encoding: row.encoding,
    delimiter: row.delimiter,
    columns: row.columns,
    sample_rows: row.sampleRows,
    row_count: row.rowCount,
    mapping: row.mapping,
    progress: {
      rows_done: row.lastRow,
      imported_rows: row.importedRows,
      failed_rows: row.failedRows,
      created_objects: row.createdObjects,
      created_relationships: row.createdRelationships,
    },
    failure: row.failure,
    job_id: row.jobId,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    finished_at: row.finishedAt?.toISOString() ?? null,
  };
}

export type ImportJson = ReturnType<typeof toImportJson>;
