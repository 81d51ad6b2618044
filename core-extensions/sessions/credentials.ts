/**
 * Where a session's LLM credentials come from, in order: the agent's own secret
 * environment (when it holds a credential variable of the runtime), else the first
 * registered provider for the runtime that has some (claude-oauth: the workspace's
 * Claude subscription), else the workspace's keys (secret settings of sessions).
 * Tool providers (integrations: GITHUB_TOKEN, ...) are asked besides, and their
 * variables added next to the LLM credential (never replacing it).
 * Providers are read from the extension point's live view on every start, so a
 * provider that failed is never asked. Values are secrets: only the source's name is
 * logged.
 */
import type { ExtensionPointRegistrations, ExtensionSecretSettings } from '@maskin/contract';
import type { SessionCredentialProvider } from './api.ts';
import type { AgentRuntimeKind } from './tables.ts';

const CREDENTIAL_VARIABLES: Record<AgentRuntimeKind, string[]> = {
  'claude-code': ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN'],
  codex: ['OPENAI_API_KEY'],
  custom: ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'OPENAI_API_KEY'],
};

export async function resolveCredentials(
  deps: {
    providers: ExtensionPointRegistrations<SessionCredentialProvider>;
    secretSettings: ExtensionSecretSettings;
  },
  input: { workspaceId: string; runtime: AgentRuntimeKind; agentEnv: Record<string, string> },
): Promise<{ source: string; env: Record<string, string> }> {
  const llm = await resolveLlmCredentials(deps, input);
  // Tool providers (kind 'tool') add their variables beside the LLM credential.
  const tools: string[] = [];
  const env: Record<string, string> = {};
  for (const provider of deps.providers.values()) {
    if (provider.kind !== 'tool' || !provider.runtimes.includes(input.runtime)) continue;
    const answer = await provider.credentialsFor(input.workspaceId);
    if (!answer || Object.keys(answer).length === 0) continue;
    tools.push(provider.name);
    for (const [name, value] of Object.entries(answer)) if (!(name in input.agentEnv)) env[name] = value;
  }
  return {
    source: tools.length > 0 ? `${llm.source}; tools: ${tools.join(', ')}` : llm.source,
    env: { ...env, ...llm.env },
  };
}

async function resolveLlmCredentials(
  deps: {
    providers: ExtensionPointRegistrations<SessionCredentialProvider>;
    secretSettings: ExtensionSecretSettings;
  },
  input: { workspaceId: string; runtime: AgentRuntimeKind; agentEnv: Record<string, string> },
): Promise<{ source: string; env: Record<string, string> }> {
  if (CREDENTIAL_VARIABLES[input.runtime].some((name) => input.agentEnv[name])) {
    return { source: 'agent secret environment', env: {} };
  }
  for (const provider of deps.providers.values()) {
    if (provider.kind === 'tool' || !provider.runtimes.includes(input.runtime)) continue;
    const env = await provider.credentialsFor(input.workspaceId);
    if (env && Object.keys(env).length > 0) return { source: provider.name, env };
  }
  const keys = await deps.secretSettings.get<{ anthropic_api_key?: string; openai_api_key?: string }>(
    input.workspaceId,
  );
  const env: Record<string, string> = {};
  if (keys.anthropic_api_key) env.ANTHROPIC_API_KEY = keys.anthropic_api_key;
  if (keys.openai_api_key) env.OPENAI_API_KEY = keys.openai_api_key;
  return { source: Object.keys(env).length > 0 ? 'workspace keys' : 'none', env };
}
