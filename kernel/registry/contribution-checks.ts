/**
 * What an extension's setup returned, checked before anything of it is mounted: route
 * policies, tools on non-JSON routes, pages and auth providers. A problem fails the
 * extension at boot (its mount answers 503 naming it; an `always` extension stops
 * boot) instead of surfacing on the first request, or silently.
 */
import type { ExtensionContributions } from '../contract/extension.ts';
import { pagesProblems } from '../http/pages.ts';
import { routePolicyProblems } from '../http/route-policy.ts';
import { nonJsonToolProblem } from '../mcp/route-tools.ts';

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
