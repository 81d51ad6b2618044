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

export function routeTool(
  operation: Operation,
  name: string,
  document: OpenApiDocumentLike,
): McpTool | undefined {
  const spec = operation.tool;
  if (!spec) return undefined;
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
