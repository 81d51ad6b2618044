/**
 * Tools derived from routes that declare `tool` in their definition. The route stays
 * the single implementation: the tool is its input schema (from the OpenAPI document,
 * see tool-input-schema.ts) plus a call that replays the arguments as the HTTP request.
 *
 * Annotations the route leaves out are filled from its HTTP method, which already
 * states the semantics: GET reads; POST adds; PUT and DELETE are idempotent; PATCH,
 * PUT and DELETE may overwrite or remove. What the route says always wins. Every
 * tool is closed-world (it acts on this server's workspace) unless it says otherwise.
 */
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { ApiError } from '../contract/errors.ts';
import { isJsonMediaType } from '../contract/request-body.ts';
import type { RouteDefinition } from '../contract/route.ts';
import type { Operation } from '../http/operations.ts';
import type { McpTool } from './mcp-tool.ts';
import { deriveToolInput, type OpenApiOperation } from './tool-input-schema.ts';
import { buildToolRequest } from './tool-request.ts';
import { errorResult, responseResult } from './tool-result.ts';

export interface OpenApiDocumentLike {
  paths?: Record<string, any>;
  components?: any;
}

const METHOD_HINTS: Record<string, ToolAnnotations> = {
  get: { readOnlyHint: true },
  post: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  put: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  patch: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
  delete: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
};

/**
 * A tool call carries JSON arguments, so a route whose body is not JSON (an upload, a
 * raw stream) cannot be a tool: its body would be dropped. Checked when an extension
 * starts (the registry fails it with this sentence) and again when tools are derived.
 */
export function nonJsonToolProblem(definition: RouteDefinition): string | undefined {
  const { tool, route } = definition;
  const types = Object.keys(route.request?.body?.content ?? {});
  if (!tool || types.length === 0 || types.some(isJsonMediaType)) return undefined;
  return (
    `route ${route.method.toUpperCase()} ${route.path} declares MCP tool "${tool.name}", but its request body is ` +
    `${types.join(', ')}, not JSON; a tool call carries JSON arguments, so that body could never be sent. ` +
    'Remove `tool` from this route (give agents a JSON route instead, e.g. one taking a URL or base64 content), ' +
    'or make the route accept application/json'
  );
}

export function routeTool(
  operation: Operation,
  name: string,
  document: OpenApiDocumentLike,
): McpTool | undefined {
  const spec = operation.tool;
  if (!spec) return undefined;
  const nonJson = nonJsonToolProblem(operation.definition);
  if (nonJson) throw new Error(`MCP tool "${name}" of ${operation.owner}: ${nonJson}`);
  const documented: OpenApiOperation | undefined = document.paths?.[operation.path]?.[operation.method];
  if (!documented) {
    throw new Error(
      `MCP tool "${name}" (${operation.method.toUpperCase()} ${operation.path}) is missing from the OpenAPI document`,
    );
  }
  const { inputSchema, plan } = deriveToolInput(documented, document.components);
  const summary = (documented as { summary?: unknown }).summary;
  const role = operation.access.auth === 'workspace' ? `; needs the ${operation.access.role} role` : '';
  return {
    owner: operation.owner,
    accountLevel: operation.access.auth !== 'workspace' || operation.access.workspaceParam !== undefined,
    tool: {
      name,
      ...(typeof summary === 'string' ? { title: summary } : {}),
      description: `${spec.description}\n\n(HTTP ${operation.method.toUpperCase()} ${operation.path}${role}.)`,
      inputSchema,
      annotations: {
        ...(METHOD_HINTS[operation.method] ?? {}),
        openWorldHint: false,
        ...spec.annotations,
      },
    },
    async call(args, caller) {
      const request = buildToolRequest(operation, plan, args, caller.workspaceId);
      if (request instanceof ApiError) return errorResult(request);
      return responseResult(await caller.request(request.method, request.url, request.body));
    },
  };
}
