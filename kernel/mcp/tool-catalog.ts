/**
 * Every tool the installation has, and the subset a workspace may use.
 *
 * The full catalog is derived once, on first use (after boot has mounted every route,
 * so the OpenAPI document is complete), from the operation index and the registry:
 * kernel routes with a `tool`, then, for each extension that started, its routes with
 * a `tool` and its hand-written `tools`. Third-party names carry the extension id
 * (qualifiedToolName, the same rule the registry's boot-time clash check uses).
 *
 * Per workspace only the filter runs: kernel tools, plus those of extensions that are
 * ready and enabled in the workspace (one cached enablement read), and its result is
 * kept for as long as the enablement cache keeps that workspace's rows. The tools of
 * extensions that are installed but not enabled are kept aside, so a call to one can
 * answer EXTENSION_NOT_ENABLED naming the extension instead of "unknown tool".
 */

import type { Operation } from '../http/operations.ts';
import type { StoredEnablement } from '../registry/enablement-store.ts';
import type { ExtensionRegistry } from '../registry/registry.ts';
import { qualifiedToolName } from '../registry/registry.ts';
import { extensionTool } from './extension-tools.ts';
import type { McpTool } from './mcp-tool.ts';
import { type OpenApiDocumentLike, routeTool } from './route-tools.ts';

export interface WorkspaceTools {
  /** Listed and callable, in catalog order. */
  enabled: Map<string, McpTool>;
  /** Installed but not enabled here: neither listed nor callable. */
  disabled: Map<string, McpTool>;
}

export class ToolCatalog {
  private tools: McpTool[] | undefined;
  private readonly byRows = new WeakMap<Map<string, StoredEnablement>, WorkspaceTools>();

  constructor(
    private readonly operations: readonly Operation[],
    private readonly registry: ExtensionRegistry,
    private readonly openApiDocument: () => OpenApiDocumentLike,
  ) {}

  all(): McpTool[] {
    this.tools ??= this.derive();
    return this.tools;
  }

  /** The workspace's tools; at once (no promise) while its enablement is cached. */
  forWorkspace(workspaceId: string): WorkspaceTools | Promise<WorkspaceTools> {
    const known = this.registry.enablement.rowsIfKnown(workspaceId);
    if (known) return this.toolsFor(known);
    return this.registry.enablement.rowsOf(workspaceId).then((rows) => this.toolsFor(rows));
  }

  private toolsFor(rows: Map<string, StoredEnablement>): WorkspaceTools {
    // The store hands out the same rows object until a change evicts it, so the split
    // is derived once per workspace and enablement state, not once per call.
    let result = this.byRows.get(rows);
    if (!result) {
      result = this.split(rows);
      this.byRows.set(rows, result);
    }
    return result;
  }

  private split(rows: Map<string, StoredEnablement>): WorkspaceTools {
    const result: WorkspaceTools = { enabled: new Map(), disabled: new Map() };
    for (const tool of this.all()) {
      const usable =
        tool.owner === 'kernel' ||
        (this.registry.get(tool.owner)?.status === 'ready' &&
          this.registry.enablement.isEnabledIn(rows, tool.owner));
      (usable ? result.enabled : result.disabled).set(tool.tool.name, tool);
    }
    return result;
  }

  private derive(): McpTool[] {
    const document = this.openApiDocument();
    const tools: McpTool[] = [];
    for (const operation of this.operations) {
      if (!operation.tool) continue;
      const extension = operation.owner === 'kernel' ? undefined : this.registry.get(operation.owner);
      if (operation.owner !== 'kernel' && extension?.status !== 'ready') continue;
      const name = extension ? qualifiedToolName(extension, operation.tool.name) : operation.tool.name;
      const tool = routeTool(operation, name, document);
      if (tool) tools.push(tool);
    }
    for (const extension of this.registry.extensions) {
      if (extension.status !== 'ready') continue;
      for (const definition of extension.contributions.tools ?? []) {
        tools.push(extensionTool(extension.id, qualifiedToolName(extension, definition.name), definition));
      }
    }
    // The registry refuses clashes at boot; this guards the invariant the maps rely on.
    const seen = new Set<string>();
    for (const { tool } of tools) {
      if (seen.has(tool.name)) throw new Error(`MCP tool "${tool.name}" is defined twice`);
      seen.add(tool.name);
    }
    return tools;
  }
}
