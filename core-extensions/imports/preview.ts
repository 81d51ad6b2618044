/**
 * The preview of an import file: its format, encoding and delimiter (detect.ts, from
 * the first 64 KiB), its columns, the first rows and the row count. The count reads
 * the whole file once, streamed (records.ts), so it costs time, not memory.
 */
import type { FileRecord, FilesService } from '../files/api.ts';
import {
  DETECT_BYTES,
  decodeSample,
  detectDelimiter,
  detectEncoding,
  detectFormat,
  type ImportEncoding,
  type ImportFormat,
} from './detect.ts';
import { readRows } from './records.ts';

export const SAMPLE_ROWS = 5;
const COLUMN_SCAN_ROWS = 100;
const MAX_COLUMNS = 500;

export interface Preview {
  format: ImportFormat;
  encoding: ImportEncoding;
  delimiter: string | null;
  columns: string[];
  sampleRows: Record<string, unknown>[];
  rowCount: number;
}

export async function previewFile(
  files: FilesService,
  workspaceId: string,
  file: FileRecord,
): Promise<Preview> {
  let head: Buffer = Buffer.alloc(0);
  if (file.size > 0) {
    head = await bytesOf(files, workspaceId, file.id);
  }
  const encoding = detectEncoding(head, file.size <= DETECT_BYTES);
  const sample = decodeSample(head, encoding);
  const format = detectFormat(file.name, sample);
  const delimiter = format === 'csv' ? detectDelimiter(sample) : null;

  const columns = new Set<string>();
  const sampleRows: Record<string, unknown>[] = [];
  let rowCount = 0;
  if (file.size > 0) {
    const { body } = await files.open(workspaceId, file.id);
    for await (const row of readRows(body, { format, encoding, delimiter })) {
      rowCount++;
      if (row.values && rowCount <= COLUMN_SCAN_ROWS) {
        for (const column of Object.keys(row.values)) if (columns.size < MAX_COLUMNS) columns.add(column);
      }
      if (row.values && sampleRows.length < SAMPLE_ROWS) sampleRows.push(row.values);
    }
  }
  return { format, encoding, delimiter, columns: [...columns], sampleRows, rowCount };
}

async function bytesOf(files: FilesService, workspaceId: string, id: string): Promise<Buffer> {
  const { body } = await files.open(workspaceId, id, { start: 0, end: DETECT_BYTES - 1 });
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
