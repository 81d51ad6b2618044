/**
 * Unknown query parameters and body fields are refused (400 VALIDATION_ERROR naming
 * them and the accepted ones), on every route of every extension, because zod's
 * default object strips what it does not know: `GET /api/relationships?target_id=X`
 * (the parameter is `target`) used to return everything unfiltered, and
 * `PATCH ... {"version": 0}` (the field is `expected_version`) skipped the
 * concurrency check. A misspelt filter that silently matches everything is worse than
 * an error; the MCP layer refuses unknown tool arguments for the same reason.
 *
 * The check walks the route's own zod schemas alongside the input, so nothing is
 * declared twice. Objects declared open (`.passthrough()`/`z.looseObject`, a catchall,
 * records, `z.unknown()`) stay open; a strict object is already refused by zod. For a
 * union, the input is judged against the branch it fits best.
 *
 * Bodies of routes that keep their raw bytes (`policy.rawBody`: signed webhook ingest)
 * are exempt: their shape is the sender's, who adds fields at will, and the route reads
 * what it needs. Their query parameters are still checked.
 *
 * The same step bounds how deeply a JSON body nests (MAX_JSON_NESTING, every route):
 * open values (workspace and extension settings, metadata) are stored as they come, and
 * serialising or validating a few thousand nested levels overflows the stack (a 500).
 * Checked iteratively, so the check itself cannot overflow.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { KernelEnv } from '../contract/context.ts';
import { ApiError, type ErrorDetail } from '../contract/errors.ts';
import { isJsonMediaType, mediaTypeOf } from '../contract/request-body.ts';
import type { RouteDefinition } from '../contract/route.ts';
import { proceed } from './proceed.ts';

interface UnknownField {
  /** Dotted path of the unknown key, e.g. `version` or `metadata.colour`. */
  path: string;
  /** The keys accepted where it was found. */
  accepted: string[];
}

type ZodLike = { _zod: { def: Record<string, any> } };
const isZod = (value: unknown): value is ZodLike =>
  typeof value === 'object' && value !== null && '_zod' in value;
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);
/** Deeper than this, input is left to zod (which bounds it itself or does not care). */
const MAX_DEPTH = 32;
/** How deeply objects and arrays may nest in a JSON body. */
export const MAX_JSON_NESTING = 64;

/**
 * Where `value` nests objects/arrays deeper than `levels` (the path of the first such
 * place, its first segments only), or undefined. Iterative: no recursion.
 */
export function tooDeepAt(value: unknown, levels: number): string | undefined {
  const stack: [unknown, string[]][] = [[value, []]];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (path.length >= levels) {
      return path.length > 6 ? `${path.slice(0, 6).join('.')}...` : path.join('.');
    }
    for (const [key, child] of Object.entries(current)) {
      if (child !== null && typeof child === 'object') stack.push([child, [...path, key]]);
    }
  }
  return undefined;
}

function unwrap(schema: ZodLike): ZodLike {
  let current = schema;
  for (let i = 0; i < 16; i++) {
    const def = current._zod.def;
    if (WRAPPERS.has(def.type) && isZod(def.innerType)) current = def.innerType;
    else if (def.type === 'pipe' && isZod(def.in)) current = def.in;
    else if (def.type === 'lazy' && typeof def.getter === 'function') current = def.getter();
    else break;
  }
  return current;
}

/** The unknown keys in `value` according to `schema`, with where they were found. */
export function unknownFields(schema: unknown, value: unknown, path: string[] = []): UnknownField[] {
  if (!isZod(schema) || path.length > MAX_DEPTH) return [];
  const inner = unwrap(schema);
  const def = inner._zod.def;
  switch (def.type) {
    case 'object': {
      if (!isPlainObject(value)) return [];
      const shape = def.shape as Record<string, unknown>;
      const open = def.catchall !== undefined;
      const found: UnknownField[] = [];
      for (const [key, item] of Object.entries(value)) {
        if (key in shape) found.push(...unknownFields(shape[key], item, [...path, key]));
        else if (!open) found.push({ path: [...path, key].join('.'), accepted: Object.keys(shape) });
      }
      return found;
    }
    case 'array':
      return Array.isArray(value)
        ? value.flatMap((item, index) => unknownFields(def.element, item, [...path, String(index)]))
        : [];
    case 'record':
      return isPlainObject(value)
        ? Object.entries(value).flatMap(([key, item]) => unknownFields(def.valueType, item, [...path, key]))
        : [];
    case 'union': {
      let best: UnknownField[] | undefined;
      for (const option of def.options as unknown[]) {
        const found = unknownFields(option, value, path);
        if (found.length === 0) return [];
        if (!best || found.length < best.length) best = found;
      }
      return best ?? [];
    }
    case 'intersection': {
      // A key is unknown only if neither side knows it.
      const right = new Set(unknownFields(def.right, value, path).map((field) => field.path));
      return unknownFields(def.left, value, path).filter((field) => right.has(field.path));
    }
    default:
      return [];
  }
}

function refuse(kind: 'query parameter' | 'field', found: UnknownField[], where: string): never {
  const names = found.map((field) => field.path);
  const accepted = [...new Set(found.flatMap((field) => field.accepted))];
  const acceptedText = accepted.length > 0 ? `accepted: ${accepted.join(', ')}` : `no ${kind}s are accepted`;
  throw new ApiError(
    400,
    'VALIDATION_ERROR',
    `Unknown ${kind}${names.length > 1 ? 's' : ''} ${names.join(', ')} ${where} (${acceptedText})`,
    found.map((field) => ({
      path: field.path,
      message: `unknown ${kind}; accepted: ${field.accepted.join(', ') || 'none'}`,
    })) satisfies ErrorDetail[],
  );
}

/** The pipeline step that refuses unknown query parameters and JSON body fields for one route. */
/**
 * The names of a request URL's query parameters, once each. Most requests have no
 * query string, and parsing the whole URL for nothing showed in every GET's profile;
 * the query alone parses as URL's searchParams would.
 */
export function queryNames(url: string): string[] {
  const start = url.indexOf('?');
  if (start === -1) return [];
  const fragment = url.indexOf('#');
  if (fragment !== -1 && fragment < start) return [];
  // With its leading '?', which URLSearchParams drops: a second '?' is then a name's.
  const query = url.slice(start, fragment === -1 ? undefined : fragment);
  return [...new Set(new URLSearchParams(query).keys())];
}

export function refuseUnknownInput(definition: RouteDefinition): MiddlewareHandler<KernelEnv> {
  const { route, access } = definition;
  const querySchema = route.request?.query;
  const queryShape = isZod(querySchema) ? unwrap(querySchema)._zod.def.shape : undefined;
  const acceptedQuery = new Set<string>(queryShape ? Object.keys(queryShape) : []);
  // Parameters the kernel itself reads before the route's schema does.
  if (access.auth === 'workspace' && !access.workspaceParam) acceptedQuery.add('workspace_id');
  if (access.auth === 'workspace' && access.streamTicket) acceptedQuery.add('ticket');
  const queryIsOpen = isZod(querySchema) && unwrap(querySchema)._zod.def.catchall !== undefined;
  const jsonContent = Object.entries(route.request?.body?.content ?? {}).find(([type]) =>
    isJsonMediaType(type),
  )?.[1] as { schema?: unknown } | undefined;

  const jsonSchema = jsonContent?.schema;
  const checkFields = !definition.policy?.rawBody;

  /** The JSON body's depth and fields (read once; Hono caches the parsed body). */
  const checkBody = async (c: Context<KernelEnv>): Promise<void> => {
    let body: unknown;
    try {
      // Cached by Hono: the validator reads the same parsed value afterwards.
      body = await c.req.json();
    } catch {
      // Malformed JSON: the validator answers that.
    }
    const tooDeep = tooDeepAt(body, MAX_JSON_NESTING);
    if (tooDeep !== undefined) {
      throw new ApiError(
        400,
        'VALIDATION_ERROR',
        `The request body nests objects or arrays more than ${MAX_JSON_NESTING} levels deep (at ${tooDeep})`,
        [{ path: tooDeep, message: `nests objects or arrays more than ${MAX_JSON_NESTING} levels deep` }],
      );
    }
    const found = checkFields ? unknownFields(jsonSchema, body) : [];
    if (found.length > 0) refuse('field', found, 'in the request body');
  };

  return (c, next) => {
    if (!queryIsOpen) {
      const unknown = queryNames(c.req.url).filter((name) => !acceptedQuery.has(name));
      if (unknown.length > 0) {
        refuse(
          'query parameter',
          unknown.map((name) => ({ path: name, accepted: [...acceptedQuery] })),
          `for ${route.method.toUpperCase()} ${route.path}`,
        );
      }
    }
    if (isZod(jsonSchema) && isJsonMediaType(mediaTypeOf(c.req.header('content-type')) ?? '')) {
      return proceed(next, checkBody(c));
    }
    return proceed(next);
  };
}
