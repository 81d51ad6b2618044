/**
 * What an extension's setup returned, checked before anything is mounted. For agents
 * the descriptions are the product, and for clients the OpenAPI document is: a route
 * shadowed by another with the same method and path, a tool an agent cannot choose
 * because it says nothing, or an operation without a summary are errors of the
 * extension, found at boot rather than by its users. A failure marks the extension
 * failed with the message (and stops boot under MASKIN_STRICT_EXTENSIONS).
 */
import type { ExtensionContributions } from '../contract/extension.ts';
import type { RouteDefinition } from '../contract/route.ts';

/** Counted on the author's text, before the kernel appends its role/HTTP suffix. */
export const MIN_TOOL_DESCRIPTION = 20;

const describeRoute = (route: RouteDefinition, index: number) =>
  `route #${index + 1}${route.tool ? ` (tool ${route.tool.name})` : route.route.summary?.trim() ? ` ("${route.route.summary}")` : ''}`;

export function checkContributions(contributions: ExtensionContributions<unknown>): void {
  const routes = contributions.routes ?? [];
  const seen = new Map<string, number>();
  routes.forEach((definition, index) => {
    const key = `${definition.route.method.toUpperCase()} ${definition.route.path}`;
    const first = seen.get(key);
    if (first !== undefined) {
      throw new Error(
        `${describeRoute(routes[first]!, first)} and ${describeRoute(definition, index)} are both ${key}; the second would never be reached and OpenAPI would describe only one. Remove one or change its path.`,
      );
    }
    seen.set(key, index);
    if (!definition.route.summary?.trim()) {
      throw new Error(
        `${describeRoute(definition, index)} ${key} has no summary; give createRoute a summary (one line: what it does), it titles the operation in OpenAPI.`,
      );
    }
  });
  const tools = [
    ...routes.flatMap((route) => (route.tool ? [route.tool] : [])),
    ...(contributions.tools ?? []),
  ];
  for (const tool of tools) {
    const length = tool.description?.trim().length ?? 0;
    if (length < MIN_TOOL_DESCRIPTION) {
      throw new Error(
        `MCP tool "${tool.name}" has a ${length}-character description; write at least ${MIN_TOOL_DESCRIPTION} characters for the agent that chooses it: what it does, when to use it, what it returns.`,
      );
    }
  }
}
