/**
 * GET /openapi.json: the live document of everything mounted. Security and the
 * X-Workspace-Id header come from each operation's declared access, so the document
 * cannot disagree with what the pipeline enforces. `include` filters it to the
 * owners a workspace has enabled.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { KernelEnv } from '../contract/context.ts';
import type { Operation } from './operations.ts';

type Doc = ReturnType<OpenAPIHono<KernelEnv>['getOpenAPI31Document']>;

export function buildOpenApiDocument(
  app: OpenAPIHono<KernelEnv>,
  operations: readonly Operation[],
  options: { version: string; serverUrl?: string; include?: (owner: string) => boolean },
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
      kept[method] = operation;
    }
    if (Object.keys(kept).length > 0) paths[path] = kept as never;
  }
  doc.paths = paths;
  return doc;
}
