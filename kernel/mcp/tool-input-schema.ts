/**
 * The input schema of a tool derived from a route, read from the route's entry in the
 * live OpenAPI document rather than from its zod schemas directly: that document is
 * what HTTP clients see, it carries the `.openapi({ description })` texts a language
 * model needs (zod's own JSON Schema export drops them), and deriving both from one
 * source means the MCP and HTTP descriptions of an operation cannot drift apart.
 * OpenAPI 3.1 schemas are JSON Schema 2020-12, so they are used as they are.
 *
 * How the arguments of a call map onto the HTTP request (the ArgumentPlan):
 *
 * - path and query parameters are top-level properties. A path parameter named
 *   `workspace_id` is optional and defaults to the workspace of the MCP connection.
 * - a JSON body whose schema is a plain object (properties, no additionalProperties,
 *   no anyOf/oneOf/allOf) and whose field names clash with no parameter is merged:
 *   its fields are top-level properties too, and the body is rebuilt from them.
 * - a union body with exactly one plain-object branch (create one object, or an array
 *   of them) offers both: that branch's fields at the top level, none of them required,
 *   and the whole body as `body`. The natural call for one object is flat
 *   (`{type, title}`); `body` carries the other forms.
 * - any other body (a record, a clash) is one property, `body`.
 * - body fields marked `readOnly` (immutable ones a route only refuses) are not arguments.
 * - header parameters are not arguments: the connection supplies Authorization and
 *   X-Workspace-Id, and a tool has no other headers to send.
 * - `#/components/schemas/X` refs become `#/$defs/X`, with the components they reach
 *   copied under `$defs`, so each input schema stands alone.
 *
 * Unknown top-level arguments are refused (additionalProperties: false): a misspelt
 * argument silently ignored is worse for a model than a clear error.
 */

export type JsonSchema = Record<string, any>;

export interface OpenApiComponents {
  schemas?: Record<string, JsonSchema>;
  parameters?: Record<string, JsonSchema>;
}

export interface OpenApiOperation {
  parameters?: JsonSchema[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
}

export type BodyPlan =
  | { mode: 'none' }
  | { mode: 'merged'; fields: string[]; required: boolean }
  | { mode: 'wrapped'; property: string; required: boolean; expected?: string }
  | { mode: 'flat-or-wrapped'; fields: string[]; property: string; required: boolean; expected: string };

export interface ArgumentPlan {
  path: string[];
  query: string[];
  body: BodyPlan;
}

export interface DerivedToolInput {
  inputSchema: JsonSchema & { type: 'object' };
  plan: ArgumentPlan;
}

/** The path parameter that defaults to the connection's workspace. */
export const WORKSPACE_PARAM = 'workspace_id';

const COMPONENT_REF = '#/components/schemas/';
const COMPOSITION = ['anyOf', 'oneOf', 'allOf', 'not', 'if', '$ref', 'patternProperties'];

export function deriveToolInput(
  operation: OpenApiOperation,
  components: OpenApiComponents = {},
): DerivedToolInput {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const plan: ArgumentPlan = { path: [], query: [], body: { mode: 'none' } };

  for (const raw of operation.parameters ?? []) {
    const parameter = resolveParameter(raw, components);
    if (!parameter || (parameter.in !== 'path' && parameter.in !== 'query')) continue;
    const name = String(parameter.name);
    const schema: JsonSchema = { ...(parameter.schema ?? {}) };
    if (parameter.description && !schema.description) schema.description = parameter.description;
    const defaultsToWorkspace = parameter.in === 'path' && name === WORKSPACE_PARAM;
    if (defaultsToWorkspace) {
      schema.description = 'The workspace id; defaults to the workspace of this MCP connection.';
    }
    properties[name] = schema;
    if (parameter.required && !defaultsToWorkspace) required.push(name);
    plan[parameter.in as 'path' | 'query'].push(name);
  }

  const content = operation.requestBody?.content ?? {};
  const body = content['application/json'];
  if (!body && Object.keys(content).length > 0) {
    // Dropping the body would give a tool that can never do what its route does.
    throw new Error(
      `a tool cannot be derived from an operation whose request body is ${Object.keys(content).join(', ')}: tool arguments are JSON`,
    );
  }
  if (body?.schema) {
    const bodyRequired = operation.requestBody?.required === true;
    const resolved = resolveTopRef(body.schema, components);
    const fields = mergeableFields(resolved, properties);
    if (fields) {
      for (const field of fields) properties[field] = resolved.properties[field];
      if (bodyRequired && Array.isArray(resolved.required)) required.push(...resolved.required);
      plan.body = { mode: 'merged', fields, required: bodyRequired };
    } else {
      const property = 'body' in properties ? 'request_body' : 'body';
      const expected = sketchSchema(body.schema, components);
      const objectBranch = singleObjectBranch(resolved, components);
      const branchFields = objectBranch && mergeableFields(objectBranch, { ...properties, [property]: {} });
      if (objectBranch && branchFields) {
        for (const field of branchFields) properties[field] = objectBranch.properties[field];
        properties[property] = {
          ...body.schema,
          description: `${body.schema.description ?? resolved.description ?? 'The request body'}. For one item, pass its fields at the top level instead (${sketchSchema(objectBranch, components)}); use \`${property}\` only for the other forms.`,
        };
        plan.body = {
          mode: 'flat-or-wrapped',
          fields: branchFields,
          property,
          required: bodyRequired,
          expected,
        };
      } else {
        properties[property] = { ...body.schema, description: body.schema.description ?? 'The request body' };
        if (bodyRequired) required.push(property);
        plan.body = { mode: 'wrapped', property, required: bodyRequired, expected };
      }
    }
  }

  const inputSchema: JsonSchema & { type: 'object' } = {
    type: 'object',
    properties,
    ...(required.length > 0 ? { required: [...new Set(required)] } : {}),
    additionalProperties: false,
  };
  return { inputSchema: withDefs(inputSchema, components), plan };
}

function resolveParameter(raw: JsonSchema, components: OpenApiComponents): JsonSchema | undefined {
  if (typeof raw.$ref !== 'string') return raw;
  const name = raw.$ref.replace('#/components/parameters/', '');
  return components.parameters?.[name];
}

function resolveTopRef(schema: JsonSchema, components: OpenApiComponents): JsonSchema {
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith(COMPONENT_REF)) {
    return components.schemas?.[schema.$ref.slice(COMPONENT_REF.length)] ?? schema;
  }
  return schema;
}

/** The body's field names when it can be merged into the top level; undefined when not. */
function mergeableFields(schema: JsonSchema, parameters: Record<string, JsonSchema>): string[] | undefined {
  if (schema.type !== 'object' || typeof schema.properties !== 'object') return undefined;
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) return undefined;
  if (COMPOSITION.some((keyword) => keyword in schema)) return undefined;
  // readOnly fields are never sent (an immutable field the route only refuses).
  const fields = Object.keys(schema.properties).filter(
    (field) => schema.properties[field]?.readOnly !== true,
  );
  if (fields.length === 0 || fields.some((field) => field in parameters)) return undefined;
  return fields;
}

/** The one plain-object branch of an anyOf/oneOf body (refs resolved), if there is exactly one. */
function singleObjectBranch(schema: JsonSchema, components: OpenApiComponents): JsonSchema | undefined {
  const branches = schema.anyOf ?? schema.oneOf;
  if (!Array.isArray(branches)) return undefined;
  const objects = branches
    .map((branch: JsonSchema) => resolveTopRef(branch, components))
    .filter((branch: JsonSchema) => branch.type === 'object' && typeof branch.properties === 'object');
  return objects.length === 1 ? objects[0] : undefined;
}

/**
 * A one-line picture of a JSON schema for error messages: `{type, title, content?}`,
 * `[{...}, ...]`, `A | B`. Enough for a model to see the expected shape at a glance.
 */
export function sketchSchema(schema: JsonSchema, components: OpenApiComponents = {}, depth = 0): string {
  const resolved = resolveTopRef(schema, components);
  if (depth > 2) return '…';
  const branches = resolved.anyOf ?? resolved.oneOf;
  if (Array.isArray(branches)) {
    return branches.map((branch: JsonSchema) => sketchSchema(branch, components, depth + 1)).join(' | ');
  }
  if (resolved.type === 'array') return `[${sketchSchema(resolved.items ?? {}, components, depth + 1)}, ...]`;
  if (resolved.type === 'object' && typeof resolved.properties === 'object') {
    const required = new Set<string>(Array.isArray(resolved.required) ? resolved.required : []);
    const fields = Object.keys(resolved.properties).map((name) => (required.has(name) ? name : `${name}?`));
    return `{${fields.join(', ')}}`;
  }
  if (resolved.type === 'object') return '{...}';
  return typeof resolved.type === 'string' ? resolved.type : 'value';
}

/** Rewrites component refs to local `$defs` and copies in every component they reach. */
function withDefs(schema: JsonSchema, components: OpenApiComponents): JsonSchema & { type: 'object' } {
  const defs: Record<string, JsonSchema> = {};
  const pending: string[] = [];
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    const out: JsonSchema = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith(COMPONENT_REF)) {
        const name = inner.slice(COMPONENT_REF.length);
        if (!(name in defs) && !pending.includes(name)) pending.push(name);
        out.$ref = `#/$defs/${name}`;
      } else {
        out[key] = rewrite(inner);
      }
    }
    return out;
  };
  const result = rewrite(schema) as JsonSchema & { type: 'object' };
  while (pending.length > 0) {
    const name = pending.shift()!;
    // An unknown component would leave a dangling ref: accept anything rather than
    // publish a schema no validator can load.
    defs[name] = (rewrite(components.schemas?.[name] ?? {}) as JsonSchema) ?? {};
  }
  if (Object.keys(defs).length > 0) result.$defs = defs;
  return result;
}
