/**
 * Validation of an object's type, status and metadata against the workspace's
 * settings. One place for the rule, used by every write (single, bulk, PATCH and the
 * graph through the objects service). Problems come back as error details whose path
 * names the field (`status`, `metadata.priority`), prefixed by the caller with the
 * item's position (`3.status`, `nodes.3.status`).
 */
import type { ErrorDetail } from '@maskin/contract';
import type { FieldDefinition, ObjectsSettings, ObjectTypeSettings } from './settings.ts';

const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
const MAX_TEXT = 10_000;
/**
 * Metadata values may be any JSON, but serialising it (JSON.stringify, the jsonb
 * parser) recurses per level: a body of a few thousand nested `{` overflows the stack
 * and would be a 500. Custom fields have no use for more than a few levels.
 */
export const MAX_METADATA_NESTING = 32;

export function typeOf(settings: ObjectsSettings, type: string): ObjectTypeSettings | undefined {
  return Object.hasOwn(settings.types, type) ? settings.types[type] : undefined;
}

export function checkType(settings: ObjectsSettings, type: string): ErrorDetail[] {
  if (typeOf(settings, type)) return [];
  return [
    {
      path: 'type',
      message: `unknown type "${type}"; this workspace defines: ${Object.keys(settings.types).join(', ')}`,
    },
  ];
}

export function checkStatus(typeSettings: ObjectTypeSettings, type: string, status: string): ErrorDetail[] {
  if (typeSettings.statuses.includes(status)) return [];
  return [
    {
      path: 'status',
      message: `"${status}" is not a status of type ${type}; allowed: ${typeSettings.statuses.join(', ')}`,
    },
  ];
}

function checkValue(field: FieldDefinition, value: unknown): string | undefined {
  switch (field.type) {
    case 'text':
      return typeof value === 'string' && value.length <= MAX_TEXT
        ? undefined
        : `must be text of at most ${MAX_TEXT} characters`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a number';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'date':
      return typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : 'must be an ISO-8601 date such as 2025-01-31 (or a date-time with offset)';
    case 'enum':
      return typeof value === 'string' && field.options?.includes(value)
        ? undefined
        : `must be one of: ${(field.options ?? []).join(', ')}`;
  }
}

/** Whether `value` nests arrays/objects deeper than `levels`; never recurses past that. */
function nestsDeeperThan(value: unknown, levels: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (levels === 0) return true;
  return Object.values(value).some((child) => nestsDeeperThan(child, levels - 1));
}

/** Checks the complete metadata of an object (after any PATCH merge). */
export function checkMetadata(
  typeSettings: ObjectTypeSettings,
  type: string,
  metadata: Record<string, unknown>,
): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  for (const [name, value] of Object.entries(metadata)) {
    if (nestsDeeperThan(value, MAX_METADATA_NESTING)) {
      problems.push({
        path: `metadata.${name}`,
        message: `nests objects or arrays more than ${MAX_METADATA_NESTING} levels deep`,
      });
    }
  }
  for (const [name, field] of Object.entries(typeSettings.fields)) {
    // Own keys only: a field may be called `constructor`, which every object inherits.
    const value = Object.hasOwn(metadata, name) ? metadata[name] : undefined;
    if (value === undefined || value === null) {
      if (field.required) problems.push({ path: `metadata.${name}`, message: `required for type ${type}` });
      continue;
    }
    const problem = checkValue(field, value);
    if (problem) problems.push({ path: `metadata.${name}`, message: problem });
  }
  if (typeSettings.strict_metadata) {
    for (const name of Object.keys(metadata)) {
      if (!Object.hasOwn(typeSettings.fields, name)) {
        problems.push({
          path: `metadata.${name}`,
          message: `not a field of type ${type}; declared fields: ${Object.keys(typeSettings.fields).join(', ') || 'none'}`,
        });
      }
    }
  }
  return problems;
}

/** Prefixes detail paths with an item's position: `status` -> `3.status`, `nodes.3.status`. */
export function atPath(prefix: string | undefined, details: ErrorDetail[]): ErrorDetail[] {
  if (!prefix) return details;
  return details.map((detail) => ({ ...detail, path: `${prefix}.${detail.path}` }));
}
