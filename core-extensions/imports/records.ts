/**
 * The rows of an import file as a stream: `{ row, line, values }` one at a time, read
 * with back-pressure from the blob store through csv-parse (CSV) or the JSON splitter,
 * so memory holds one row and the parser's buffer, whatever the file's size. `row` is
 * the 1-based data row (the CSV header is not a row); `line` is the line of the file
 * the row ends on (CSV) or starts on (JSON), for error messages.
 */
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { type ImportEncoding, type ImportFormat, nodeEncoding } from './detect.ts';
import { splitJsonValues } from './json-records.ts';

export interface ImportRow {
  row: number;
  line: number;
  /** Column -> value; null when the row is not an object (JSON), with `problem` saying why. */
  values: Record<string, unknown> | null;
  problem?: string;
}

export interface ReadOptions {
  format: ImportFormat;
  encoding: ImportEncoding;
  delimiter: string | null;
}

export async function* readRows(body: Readable, options: ReadOptions): AsyncGenerator<ImportRow> {
  if (options.format === 'csv') yield* readCsv(body, options);
  else yield* readJson(body, options);
}

async function* readCsv(body: Readable, options: ReadOptions): AsyncGenerator<ImportRow> {
  const parser = parse({
    columns: (header: string[]) => header.map((name) => name.trim()),
    delimiter: options.delimiter ?? ',',
    encoding: nodeEncoding(options.encoding),
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
  });
  body.on('error', (error) => parser.destroy(error));
  body.pipe(parser);
  let row = 0;
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    row++;
    yield { row, line: info.lines, values: record };
  }
}

async function* readJson(body: Readable, options: ReadOptions): AsyncGenerator<ImportRow> {
  body.setEncoding(nodeEncoding(options.encoding));
  let row = 0;
  let first = true;
  async function* text() {
    for await (const chunk of body as AsyncIterable<string>) {
      yield first ? chunk.replace(/^\uFEFF/, '') : chunk;
      first = false;
    }
  }
  for await (const value of splitJsonValues(text())) {
    row++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value.text);
    } catch (error) {
      yield { row, line: value.line, values: null, problem: `not valid JSON: ${(error as Error).message}` };
      continue;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      yield { row, line: value.line, values: null, problem: 'each item must be a JSON object' };
      continue;
    }
    yield { row, line: value.line, values: parsed as Record<string, unknown> };
  }
}
