/**
 * MCP without a workspace. An agent that holds only a key (no X-Workspace-Id) gets an
 * account session instead of a 400: the tools that need no workspace (get_me,
 * list_workspaces, create_workspace, account events, extensions catalog, and those
 * that name the workspace in their path, such as get_workspace or describe_workspace)
 * plus `select_workspace`.
 *
 * The HTTP endpoint is stateless (mcp-endpoint.ts), so it cannot remember a choice
 * between requests: select_workspace checks the membership and answers with the header
 * to reconnect with. The stdio proxy (`maskin mcp` without --workspace) is stateful and
 * does switch: it intercepts the call, reconnects upstream with that workspace and
 * tells its client the tool list changed (stdio-proxy.ts).
 */
import { z } from 'zod';
import { ApiError } from '../contract/errors.ts';
import type { McpTool } from './mcp-tool.ts';
import type { CallerScope } from './route-caller.ts';
import type { WorkspaceTools } from './tool-catalog.ts';
import { errorResult, responseResult, valueResult } from './tool-result.ts';

export const SELECT_WORKSPACE_TOOL = 'select_workspace';

const selectArguments = z.object({ workspace_id: z.string().uuid() }).strict();

export const ACCOUNT_SESSION_INSTRUCTIONS =
  'Maskin, no workspace selected: only account-level tools are listed. Call list_workspaces, then ' +
  `${SELECT_WORKSPACE_TOOL} with the workspace_id to work in (or create_workspace). ` +
  'Errors come back as {"error": {code, message, details}}.';

export function selectWorkspaceTool(): McpTool {
  return {
    owner: 'kernel',
    accountLevel: true,
    tool: {
      name: SELECT_WORKSPACE_TOOL,
      title: 'Select the workspace to work in',
      description:
        "Chooses the workspace this connection works in; list_workspaces shows yours. Returns the workspace. Over stdio (maskin mcp) the workspace's tools are listed at once; over HTTP, reconnect with the header X-Workspace-Id set to the workspace id to get them.",
      inputSchema: {
        type: 'object',
        properties: {
          workspace_id: { type: 'string', format: 'uuid', description: 'A workspace you belong to' },
        },
        required: ['workspace_id'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async call(args, caller) {
      const parsed = selectArguments.safeParse(args);
      if (!parsed.success) {
        return errorResult(
          new ApiError(
            400,
            'VALIDATION_ERROR',
            'Pass workspace_id, the id of a workspace you belong to (a UUID)',
            [{ path: 'workspace_id', message: 'required, a UUID' }],
          ),
        );
      }
      const response = await caller.request('GET', `/api/workspaces/${parsed.data.workspace_id}`);
      if (response.status !== 200) return responseResult(response);
      const workspace = (await response.json()) as { id: string; name: string; role: string };
      return valueResult({
        workspace: { id: workspace.id, name: workspace.name, role: workspace.role },
        next: `Reconnect with the header X-Workspace-Id: ${workspace.id} to get this workspace's tools (maskin mcp switches by itself).`,
      });
    },
  };
}

/** The account session's tools, from the full catalog. */
export function accountTools(all: readonly McpTool[]): WorkspaceTools {
  const enabled = new Map<string, McpTool>();
  for (const tool of all) if (tool.owner === 'kernel' && tool.accountLevel) enabled.set(tool.tool.name, tool);
  const select = selectWorkspaceTool();
  enabled.set(select.tool.name, select);
  return { enabled, disabled: new Map() };
}

/**
 * The scope of an account session's caller. Route tools use its id only to default a
 * `workspace_id` path argument, so an empty one makes that argument required; the role
 * is never consulted by route tools (the HTTP pipeline checks roles per workspace).
 */
export const ACCOUNT_SESSION_SCOPE: CallerScope = { id: '', role: 'viewer' };
