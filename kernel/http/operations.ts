/**
 * The operation index: every mounted route with its full path, owner and access.
 * Built while mounting, then read by the OpenAPI document (security, the workspace
 * header, per-workspace filtering) and by the MCP layer (tools derived from routes).
 */
import type { Access, RouteDefinition, ToolSpec } from '../contract/route.ts';

export interface Operation {
  /** `kernel` or an extension id. */
  owner: string;
  method: string;
  /** Full OpenAPI path, e.g. `/api/workspaces/{workspace_id}`. */
  path: string;
  access: Access;
  tool?: ToolSpec;
  definition: RouteDefinition;
}

export function joinPath(base: string, path: string): string {
  const joined = `${base}/${path}`.replace(/\/+/g, '/');
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}

export function operationsOf(
  owner: string,
  base: string,
  definitions: readonly RouteDefinition[],
): Operation[] {
  return definitions.map((definition) => ({
    owner,
    method: definition.route.method.toLowerCase(),
    path: joinPath(base, definition.route.path),
    access: definition.access,
    tool: definition.tool,
    definition,
  }));
}
