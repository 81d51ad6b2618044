/**
 * Hand-written tools (`tools` returned by an extension's setup) for composite
 * operations that are not one route. The kernel still owns what it can: arguments are
 * validated against the tool's zod schema and the caller's role against its declared
 * access before the handler runs, errors become the same envelope as HTTP errors, and
 * the handler's `callApi` goes through the HTTP pipeline as the caller, so every
 * route it touches applies its own checks and writes its own events.
 */
import { z } from 'zod';
import { ApiError, forbidden } from '../contract/errors.ts';
import type { ToolDefinition } from '../contract/extension.ts';
import { roleAtLeast } from '../http/build-router.ts';
import { toApiError, zodIssuesToDetails } from '../http/error-handler.ts';
import type { McpTool, ToolCaller } from './mcp-tool.ts';
import { responseText } from './response-text.ts';
import { errorResult, valueResult } from './tool-result.ts';

export function extensionTool(owner: string, name: string, definition: ToolDefinition): McpTool {
  const { $schema: _dialect, ...inputSchema } = z.toJSONSchema(definition.inputSchema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return {
    owner,
    tool: {
      name,
      description: `${definition.description}\n\n(Needs the ${definition.access.role} role.)`,
      inputSchema: { ...inputSchema, type: 'object' },
      annotations: { openWorldHint: false, ...definition.annotations },
    },
    async call(args, caller) {
      const parsed = definition.inputSchema.safeParse(args);
      if (!parsed.success) {
        return errorResult(
          new ApiError(400, 'VALIDATION_ERROR', 'Invalid tool arguments', zodIssuesToDetails(parsed.error)),
        );
      }
      if (!roleAtLeast(caller.role, definition.access.role)) {
        return errorResult(
          forbidden(
            `This tool needs the ${definition.access.role} role or higher in this workspace; you are ${caller.role}`,
          ),
        );
      }
      try {
        return valueResult(await definition.handler(parsed.data, toolCallContext(caller)));
      } catch (error) {
        const apiError = toApiError(error);
        if (apiError.status >= 500) caller.logError(error, `MCP tool ${name} failed`);
        return errorResult(apiError);
      }
    },
  };
}

function toolCallContext(caller: ToolCaller) {
  return {
    actorId: caller.actorId,
    workspaceId: caller.workspaceId,
    async callApi(method: string, path: string, body?: unknown) {
      const response = await caller.request(method, path, body);
      const text = await responseText(response);
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body: parsed };
    },
  };
}
