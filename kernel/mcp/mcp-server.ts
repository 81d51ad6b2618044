/**
 * The MCP server for one request: the tools of the caller's workspace, calls run as
 * the caller. It uses the SDK's low-level `Server` rather than `McpServer` because the
 * tools are data (JSON Schemas from the OpenAPI document, a list that differs per
 * workspace), not zod shapes registered once.
 *
 * A call to a tool of an extension that is installed but not enabled here is a tool
 * error with EXTENSION_NOT_ENABLED (what the route itself would answer); a name that
 * exists nowhere is a protocol error (-32602), as the MCP specification asks.
 *
 * A plain call of an enabled tool does not get here: direct-tool-call.ts answers it
 * the same way without a server. A change to how a call runs belongs in both (its
 * test compares the two answers).
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { ApiError } from '../contract/errors.ts';
import { KERNEL_VERSION } from '../version.ts';
import type { ToolCaller } from './mcp-tool.ts';
import type { WorkspaceTools } from './tool-catalog.ts';
import { errorResult, protocolError } from './tool-result.ts';

/**
 * The SDK builds a new Ajv instance per Server unless given a validator, and a Server
 * is built per request (stateless Streamable HTTP): that alone was about a tenth of the
 * server's busy time under MCP load. One validator serves every request of the process.
 */
const sharedValidator = new AjvJsonSchemaValidator();

const ERRORS_NOTE =
  'Every tool is an operation of the Maskin HTTP API; errors come back as {"error": {code, message, details}}.';

export function createMcpServer(tools: WorkspaceTools, caller: ToolCaller, instructions?: string): Server {
  const server = new Server(
    { name: 'maskin', version: KERNEL_VERSION },
    {
      capabilities: { tools: { listChanged: false } },
      jsonSchemaValidator: sharedValidator,
      instructions:
        instructions ??
        `Maskin workspace ${caller.workspaceId}: you act as actor ${caller.actorId} with the ${caller.role} role. ` +
          'Call describe_workspace first: it lists the object types, their statuses and fields, and the relationship types. ' +
          ERRORS_NOTE,
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [...tools.enabled.values()].map((entry) => entry.tool),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const { name } = request.params;
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    const tool = tools.enabled.get(name);
    if (tool) return tool.call(args, caller);
    const disabled = tools.disabled.get(name);
    if (disabled) {
      return errorResult(
        new ApiError(
          404,
          'EXTENSION_NOT_ENABLED',
          `Tool "${name}" belongs to extension "${disabled.owner}", which is not enabled in this workspace; ` +
            `an admin can enable it with the configure_extension tool (extension_id "${disabled.owner}", enabled true).`,
        ),
      );
    }
    throw protocolError(
      ErrorCode.InvalidParams,
      `Unknown tool "${name}"; call tools/list for the available tools`,
    );
  });

  return server;
}
