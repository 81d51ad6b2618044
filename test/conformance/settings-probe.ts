/**
 * Finds a settings value that an extension's schema rejects, for the conformance
 * check "invalid settings are refused". Candidates come from the JSON Schema the
 * catalog publishes (a number above its maximum, a string past its maxLength, a
 * value of the wrong type, an unknown key of a strict object, ...); the zod schema
 * itself confirms each one, so a candidate is never wrongly assumed invalid. No
 * candidate rejected means the schema accepts anything: the check is skipped.
 */
import { z } from '../../kernel/contract/index.ts';

type JsonSchema = Record<string, any>;

function invalidValuesOf(schema: JsonSchema): unknown[] {
  const values: unknown[] = [];
  if (Array.isArray(schema.enum)) values.push('__not_one_of_the_values__');
  if (schema.const !== undefined) values.push('__not_the_constant__');
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  for (const type of types) {
    if (type === 'number' || type === 'integer') {
      if (typeof schema.maximum === 'number') values.push(schema.maximum + 1);
      if (typeof schema.minimum === 'number') values.push(schema.minimum - 1);
      if (type === 'integer') values.push(1.5);
    }
    if (type === 'string') {
      if (typeof schema.maxLength === 'number') values.push('x'.repeat(schema.maxLength + 1));
      if (typeof schema.minLength === 'number' && schema.minLength > 0) values.push('');
      if (schema.pattern || schema.format) values.push('\u0000 not valid');
    }
  }
  // A value of the wrong type, for each type the property does not allow.
  const samples: Record<string, unknown> = {
    string: 12345,
    number: 'not-a-number',
    integer: 'not-a-number',
    boolean: 'not-a-boolean',
    array: 'not-an-array',
    object: 'not-an-object',
  };
  for (const type of types) {
    const sample = samples[type];
    if (sample !== undefined) values.push(sample);
  }
  return values;
}

function candidates(jsonSchema: JsonSchema): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  for (const [key, property] of Object.entries<JsonSchema>(jsonSchema.properties ?? {})) {
    for (const value of invalidValuesOf(property)) found.push({ [key]: value });
    found.push({ [key]: null });
  }
  if (jsonSchema.additionalProperties === false) found.push({ __not_a_setting__: true });
  return found;
}

/** A settings object the extension's schema refuses, or undefined when it accepts anything. */
export function invalidSettingsFor(schema: z.ZodType | undefined): Record<string, unknown> | undefined {
  // Without a schema the kernel accepts only {}.
  if (!schema) return { __not_a_setting__: true };
  const jsonSchema = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return candidates(jsonSchema).find((candidate) => !schema.safeParse(candidate).success);
}
