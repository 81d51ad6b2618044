/**
 * The MCP layer's unit: a tool as clients see it (name, description, input schema,
 * annotations) plus how to run it for a caller. Route-derived and hand-written tools
 * both become McpTools, so composing, listing and calling treat them alike.
 *
 * A ToolCaller is the authenticated MCP request seen from a tool: who calls, in which
 * workspace with which role, and `request`, which runs any route of the composed API
 * in-process (`app.request`) with the caller's own credentials. Tools never touch the
 * database or services: they go through the HTTP pipeline, so auth, roles, the
 * enablement gate, validation, idempotency and events are the HTTP ones.
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Role } from '../contract/context.ts';

export interface McpTool {
  /** `kernel` or the id of the extension that contributes it. */
  owner: string;
  tool: Tool;
  /**
   * Usable without a workspace: its route needs only an actor (get_me, list_workspaces)
   * or names the workspace in its path (get_workspace). Offered in an account session.
   */
  accountLevel?: boolean;
  call(args: Record<string, unknown>, caller: ToolCaller): Promise<CallToolResult>;
}

export interface ToolCaller {
  actorId: string;
  workspaceId: string;
  role: Role;
  /** An in-process request through the whole API pipeline, as the caller. */
  request(method: string, url: string, body?: unknown): Promise<Response>;
  /** Logs go to the request's logger (with its request id). */
  logError(error: unknown, message: string): void;
}
