/**
 * The mapping from a file's columns to objects: each row becomes one object per entry
 * of `objects` (several types per row), optionally joined by `relationships` between
 * those entries (by `key`). Every target is a column or a constant. Values are
 * converted to the type of the custom field they land in (number, boolean, date,
 * enum, text); an empty cell is "no value". The automatic mapping proposes one object
 * per row, of the type whose fields the columns name best.
 */
import { type ErrorDetail, z } from '@maskin/contract';
import type { CreateObjectInput, ObjectsSettings } from '../objects/api.ts';

const KEY = /^[a-z][a-z0-9_]*$/;

const sourceSchema = z
  .union([
    z.object({ column: z.string().min(1).max(200) }).strict(),
    z.object({ value: z.union([z.string().max(10_000), z.number(), z.boolean()]) }).strict(),
  ])
  .openapi('ImportsValueSource', { description: 'A column of the file, or a constant value' });

const objectMappingSchema = z
  .object({
    key: z
      .string()
      .regex(KEY)
      .max(50)
      .openapi({ description: 'Names this object within a row (for relationships)' }),
    type: z.string().min(1).max(50).openapi({ description: 'An object type of this workspace' }),
    title: sourceSchema,
    content: sourceSchema.optional(),
    status: sourceSchema.optional(),
    fields: z
      .record(z.string().min(1).max(100), sourceSchema)
      .default({})
      .openapi({ description: 'Custom field (metadata key) -> source' }),
    skip_when_empty: z
      .string()
      .max(200)
      .optional()
      .openapi({ description: 'A column: rows where it is empty create no object for this entry' }),
  })
  .openapi('ImportsObjectMapping');

export const mappingSchema = z
  .object({
    objects: z.array(objectMappingSchema).min(1).max(10),
    relationships: z
      .array(
        z.object({
          type: z.string().min(1).max(50),
          source: z.string().regex(KEY).openapi({ description: 'key of the source object entry' }),
          target: z.string().regex(KEY).openapi({ description: 'key of the target object entry' }),
        }),
      )
      .max(20)
      .default([]),
  })
  .openapi('ImportsMapping');

export type Mapping = z.output<typeof mappingSchema>;
export type ObjectMapping = Mapping['objects'][number];
type Source = z.output<typeof sourceSchema>;

const normalise = (name: string) =>
  name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');

const TITLE = ['title', 'name', 'summary', 'subject', 'headline'];
const CONTENT = ['content', 'description', 'body', 'details', 'notes', 'text'];

/**
 * The proposed mapping for these columns: the type whose fields match most columns,
 * then whose statuses match most sample values of a `status` column.
 */
export function autoMapping(
  columns: string[],
  settings: ObjectsSettings,
  sampleRows: Record<string, unknown>[] = [],
): Mapping {
  const byName = new Map(columns.map((column) => [normalise(column), column]));
  const statusColumn = byName.get('status');
  const find = (names: string[]) =>
    names.map((name) => byName.get(name)).find((column) => column !== undefined);
  let best: { type: string; fields: Record<string, Source>; score: number } | undefined;
  for (const [type, typeSettings] of Object.entries(settings.types)) {
    const fields: Record<string, Source> = {};
    for (const [field, definition] of Object.entries(typeSettings.fields)) {
      const column =
        byName.get(field) ??
        (definition.display_name ? byName.get(normalise(definition.display_name)) : undefined);
      if (column) fields[field] = { column };
    }
    const statusHits = statusColumn
      ? sampleRows.filter((row) => typeSettings.statuses.includes(String(row[statusColumn] ?? '').trim()))
          .length
      : 0;
    const score = Object.keys(fields).length + statusHits / (sampleRows.length + 1);
    if (!best || score > best.score) best = { type, fields, score };
  }
  const chosen = best!;
  const title = find(TITLE) ?? columns[0] ?? 'title';
  const content = find(CONTENT);
  const status = statusColumn;
  return {
    objects: [
      {
        key: chosen.type,
        type: chosen.type,
        title: { column: title },
        ...(content && content !== title ? { content: { column: content } } : {}),
        ...(status ? { status: { column: status } } : {}),
        fields: chosen.fields,
      },
    ],
    relationships: [],
  };
}

/** Problems of a mapping against the file's columns and the workspace's types (empty: usable). */
export function checkMapping(mapping: Mapping, columns: string[], settings: ObjectsSettings): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const known = new Set(columns);
  const checkSource = (source: Source | undefined, path: string) => {
    if (source && 'column' in source && !known.has(source.column))
      problems.push({
        path,
        message: `no column "${source.column}" in the file; columns: ${columns.join(', ')}`,
      });
  };
  const keys = new Set<string>();
  mapping.objects.forEach((entry, index) => {
    const at = `mapping.objects.${index}`;
    if (keys.has(entry.key)) problems.push({ path: `${at}.key`, message: `"${entry.key}" is used twice` });
    keys.add(entry.key);
    const typeSettings = Object.hasOwn(settings.types, entry.type) ? settings.types[entry.type] : undefined;
    if (!typeSettings) {
      problems.push({
        path: `${at}.type`,
        message: `unknown type "${entry.type}"; this workspace defines: ${Object.keys(settings.types).join(', ')}`,
      });
    }
    checkSource(entry.title, `${at}.title`);
    checkSource(entry.content, `${at}.content`);
    checkSource(entry.status, `${at}.status`);
    for (const [field, source] of Object.entries(entry.fields)) {
      checkSource(source, `${at}.fields.${field}`);
      if (typeSettings?.strict_metadata && !Object.hasOwn(typeSettings.fields, field))
        problems.push({ path: `${at}.fields.${field}`, message: `not a field of type ${entry.type}` });
    }
    if (entry.skip_when_empty !== undefined)
      checkSource({ column: entry.skip_when_empty }, `${at}.skip_when_empty`);
  });
  mapping.relationships.forEach((edge, index) => {
    for (const end of ['source', 'target'] as const) {
      if (!keys.has(edge[end]))
        problems.push({
          path: `mapping.relationships.${index}.${end}`,
          message: `no object entry with key "${edge[end]}"`,
        });
    }
    if (edge.source === edge.target)
      problems.push({ path: `mapping.relationships.${index}.target`, message: 'must differ from source' });
  });
  return problems;
}

const isEmpty = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

function read(source: Source | undefined, values: Record<string, unknown>): unknown {
  if (!source) return undefined;
  if ('value' in source) return source.value;
  const value = Object.hasOwn(values, source.column) ? values[source.column] : undefined;
  return isEmpty(value) ? undefined : value;
}

const text = (value: unknown) =>
  typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);

/** A cell converted to a field's type; a string the type cannot read stays a string (validation names it). */
function convert(value: unknown, fieldType: string | undefined): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  switch (fieldType) {
    case 'number': {
      const number = Number(trimmed.replace(/_/g, ''));
      return trimmed !== '' && Number.isFinite(number) ? number : value;
    }
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      if (['true', 'yes', 'y', '1'].includes(lower)) return true;
      if (['false', 'no', 'n', '0'].includes(lower)) return false;
      return value;
    }
    case 'date':
    case 'enum':
      return trimmed;
    default:
      return value;
  }
}

export interface MappedObject {
  key: string;
  input: CreateObjectInput;
}

/** The objects one row maps to (entries skipped by skip_when_empty are absent). */
export function mapRow(
  mapping: Mapping,
  values: Record<string, unknown>,
  settings: ObjectsSettings,
): MappedObject[] {
  const mapped: MappedObject[] = [];
  for (const entry of mapping.objects) {
    if (entry.skip_when_empty !== undefined && isEmpty(values[entry.skip_when_empty])) continue;
    const fieldTypes = Object.hasOwn(settings.types, entry.type) ? settings.types[entry.type]!.fields : {};
    const metadata: Record<string, unknown> = {};
    for (const [field, source] of Object.entries(entry.fields)) {
      const value = read(source, values);
      if (value !== undefined) metadata[field] = convert(value, fieldTypes[field]?.type);
    }
    const title = read(entry.title, values);
    const content = read(entry.content, values);
    const status = read(entry.status, values);
    mapped.push({
      key: entry.key,
      input: {
        type: entry.type,
        title: title === undefined ? '' : text(title).trim(),
        ...(content !== undefined ? { content: text(content) } : {}),
        ...(status !== undefined ? { status: text(status).trim() } : {}),
        metadata,
      },
    });
  }
  return mapped;
}
