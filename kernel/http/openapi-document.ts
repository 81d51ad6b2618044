/**
 * GET /openapi.json: the live document of everything mounted. Security and the
 * X-Workspace-Id header come from each operation's declared access, so the document
 * cannot disagree with what the pipeline enforces. `include` filters it to the
 * owners a workspace has enabled.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { KernelEnv } from '../contract/context.ts';
import type { Operation } from './operations.ts';
import { idempotencyApplies } from './route-policy.ts';

type Doc = ReturnType<OpenAPIHono<KernelEnv>['getOpenAPI31Document']>;

export function buildOpenApiDocument(
  app: OpenAPIHono<KernelEnv>,
  operations: readonly Operation[],
  options: {
    version: string;
    serverUrl?: string;
    include?: (owner: string) => boolean;
    /** The error codes an owner declares (extension manifests' `errors`). */
    errorCodes?: (owner: string) => Record<string, { status: number; description: string }> | undefined;
    /** The installation's body limit, stated on operations whose route declares none. */
    bodyLimit?: number;
  },
): Doc {
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Maskin API',
      version: options.version,
      description:
        'API-first workspace for humans and AI agents. Authenticate with `Authorization: Bearer ank_...`; workspace-scoped routes also need `X-Workspace-Id`.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
  });
  doc.components ??= {};
  doc.components.securitySchemes = {
    bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key: ank_...' },
    streamTicket: {
      type: 'apiKey',
      in: 'query',
      name: 'ticket',
      description: 'Streams only: a 60-second ticket from POST /api/events/stream-tickets (for EventSource)',
    },
  };
  doc.components.parameters = {
    ...doc.components.parameters,
    WorkspaceId: {
      name: 'X-Workspace-Id',
      in: 'header',
      required: true,
      description: 'The workspace this request acts in; you must be a member of it.',
      schema: { type: 'string', format: 'uuid' },
    },
  };
  const byKey = new Map(operations.map((op) => [`${op.method} ${op.path}`, op]));
  const paths: NonNullable<Doc['paths']> = {};
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const kept: Record<string, unknown> = {};
    for (const [method, operation] of Object.entries(item as Record<string, any>)) {
      const op = byKey.get(`${method} ${path}`);
      if (!op) continue;
      if (options.include && !options.include(op.owner)) continue;
      if (op.access.auth === 'workspace' && !op.access.workspaceParam) {
        operation.parameters = [
          ...(operation.parameters ?? []),
          { $ref: '#/components/parameters/WorkspaceId' },
        ];
      }
      if (op.owner !== 'kernel') operation['x-maskin-extension'] = op.owner;
      if (op.tool) operation['x-maskin-tool'] = op.tool.name;
      // One text for people and agents: the tool's description is the operation's
      // unless the route wrote its own (see route-tools.ts for the other direction).
      if (op.tool && !operation.description) operation.description = op.tool.description;
      documentErrorCodes(operation, options.errorCodes?.(op.owner));
      if (operation.requestBody) describeBodyPolicy(operation, op, options.bodyLimit);
      kept[method] = operation;
    }
    if (Object.keys(kept).length > 0) paths[path] = kept as never;
  }
  doc.paths = paths;
  return doc;
}

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

/**
 * A body's limits and accepted types, as the pipeline enforces them (route-policy.ts):
 * the limit in bytes, 413 and 415 answers, and whether Idempotency-Key is honoured.
 */
function describeBodyPolicy(operation: Record<string, any>, op: Operation, installationLimit?: number) {
  const limit = op.definition.policy?.bodyLimit ?? installationLimit;
  if (limit !== undefined) operation['x-maskin-body-limit'] = limit;
  if (!idempotencyApplies(op.definition)) operation['x-maskin-idempotency'] = false;
  operation.responses ??= {};
  operation.responses['413'] ??= {
    description: `The body is larger than ${limit ?? "the route's limit in"} bytes (PAYLOAD_TOO_LARGE)`,
    content: errorContent,
  };
  operation.responses['415'] ??= {
    description: `Content-Type is not ${Object.keys(operation.requestBody.content ?? {}).join(' or ')} (UNSUPPORTED_MEDIA_TYPE)`,
    content: errorContent,
  };
}

/**
 * An extension's own error codes on each of its operations: `x-maskin-error-codes`
 * lists them (code -> status, description), and each status gets a response with the
 * Error schema when the route did not document that status itself, so a generated
 * client knows a 429 QUOTA_EXCEEDED can come back.
 */
function documentErrorCodes(
  operation: Record<string, any>,
  codes: Record<string, { status: number; description: string }> | undefined,
): void {
  if (!codes || Object.keys(codes).length === 0) return;
  operation['x-maskin-error-codes'] = codes;
  operation.responses ??= {};
  for (const [code, { status, description }] of Object.entries(codes)) {
    const key = String(status);
    const existing = operation.responses[key];
    if (existing) {
      if (!String(existing.description).includes(code)) existing.description += `; ${code}: ${description}`;
      continue;
    }
    operation.responses[key] = {
      description: `${code}: ${description}`,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
}

/**
 * Schema component names are global in an OpenAPI document: two extensions naming
 * different schemas `Note` would silently overwrite each other. Checked per mount at
 * boot; the same schema shared by two owners (e.g. the kernel's `Error`) is fine.
 */
export class ComponentRegistry {
  private readonly seen = new Map<string, { owner: string; json: string }>();

  add(owner: string, router: OpenAPIHono<KernelEnv>): void {
    const doc = router.getOpenAPI31Document({ openapi: '3.1.0', info: { title: owner, version: '0' } });
    for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
      const json = JSON.stringify(schema);
      const previous = this.seen.get(name);
      if (previous && previous.owner !== owner && previous.json !== json) {
        throw new ComponentClashError(
          `OpenAPI schema component "${name}" is defined differently by ${previous.owner} and ${owner}. ` +
            `Prefix component names with the extension id (e.g. "${pascal(owner)}${name}").`,
        );
      }
      this.seen.set(name, { owner, json });
    }
  }
}

export class ComponentClashError extends Error {}

const pascal = (id: string) => id.replace(/(^|-)([a-z0-9])/g, (_, __, ch: string) => ch.toUpperCase());
