/**
 * What an extension's setup returned, checked before anything is mounted. For agents
 * the descriptions are the product, and for clients the OpenAPI document is: a route
 * shadowed by another with the same method and path, a tool an agent cannot choose
 * because it says nothing, or an operation without a summary are errors of the
 * extension, found at boot rather than by its users. A failure marks the extension
 * failed with the message (and stops boot under MASKIN_STRICT_EXTENSIONS). So do route
 * policies, tools on non-JSON routes, pages and auth providers (contributionProblems).
 */
import type { ExtensionContributions } from '../contract/extension.ts';
import type { RouteDefinition } from '../contract/route.ts';
import { pagesProblems } from '../http/pages.ts';
import { routePolicyProblems } from '../http/route-policy.ts';
import { nonJsonToolProblem } from '../mcp/route-tools.ts';

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
  const problems = contributionProblems(contributions);
  if (problems.length > 0) throw new Error(problems.join('; '));
}

export function contributionProblems(contributions: ExtensionContributions<unknown>): string[] {
  const problems: string[] = [];
  for (const definition of contributions.routes ?? []) {
    problems.push(...routePolicyProblems(definition));
    const nonJson = nonJsonToolProblem(definition);
    if (nonJson) problems.push(nonJson);
  }
  problems.push(...pagesProblems(contributions.pages));
  const ids = new Set<string>();
  for (const provider of contributions.authProviders ?? []) {
    if (typeof provider.authenticate !== 'function') {
      problems.push(`auth provider "${provider.id}" has no authenticate(request) function`);
    }
    if (ids.has(provider.id)) problems.push(`auth provider "${provider.id}" is declared twice`);
    ids.add(provider.id);
  }
  return problems;
}
