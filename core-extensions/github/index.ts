/**
 * github: GitHub as an integrations provider, mounted at /api/github, opt-in. OAuth
 * (a GitHub App's user authorization, or an OAuth app) with the client id and secret
 * from installation config, signed webhooks (webhook.ts), the token handed to agent
 * sessions as GITHUB_TOKEN, and MCP tools that call GitHub's API with the workspace's
 * connection (routes/tools.ts).
 *
 * The provider is registered in the register phase from kernel services only; its
 * `record` is bound to this extension's own events service, so `github.*` event types
 * are declared and recorded by github alone.
 */
import { dbRef, defineExtension, eventsRef, installationConfigRef, z } from '@maskin/contract';
import {
  type IntegrationProvider,
  integrationProvidersPoint,
  integrationsServiceRef,
  providerRecorder,
} from '../integrations/api.ts';
import { errors, toolRoutes } from './routes/tools.ts';
import { GITHUB_EVENT_TYPES, githubWebhook } from './webhook.ts';

/** MASKIN_EXT_GITHUB_CLIENT_ID, _CLIENT_SECRET, _WEBHOOK_SECRET, _AUTHORIZE_URL, _TOKEN_URL, _API_URL, _SCOPES. */
const config = z.object({
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  webhook_secret: z.string().optional(),
  authorize_url: z.string().url().default('https://github.com/login/oauth/authorize'),
  token_url: z.string().url().default('https://github.com/login/oauth/access_token'),
  api_url: z.string().url().default('https://api.github.com'),
  scopes: z.string().default('repo read:org'),
});
export type GitHubConfig = z.output<typeof config>;

export function githubProvider(
  settings: GitHubConfig,
  bound: Pick<IntegrationProvider, 'record' | 'enabledIn'>,
): IntegrationProvider {
  return {
    id: 'github',
    name: 'GitHub',
    authKind: 'oauth2',
    events: GITHUB_EVENT_TYPES,
    oauth: () => ({
      authorizeUrl: settings.authorize_url,
      tokenUrl: settings.token_url,
      clientId: settings.client_id,
      clientSecret: settings.client_secret,
      scopes: settings.scopes.split(/[ ,]+/).filter(Boolean),
    }),
    // A GitHub App's install-and-authorize flow adds installation_id to the callback;
    // webhooks of the App carry the same installation.id.
    identify: async ({ query }) => ({
      externalId:
        query.installation_id && /^\d{1,20}$/.test(query.installation_id) ? query.installation_id : undefined,
    }),
    async revoke(accessToken) {
      const response = await fetch(`${settings.api_url}/applications/${settings.client_id}/token`, {
        method: 'DELETE',
        headers: {
          authorization: `Basic ${Buffer.from(`${settings.client_id}:${settings.client_secret}`).toString('base64')}`,
          accept: 'application/vnd.github+json',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ access_token: accessToken }),
        signal: AbortSignal.timeout(15_000),
      });
      if (!response.ok && response.status !== 404)
        throw new Error(`GitHub refused the revocation: HTTP ${response.status}`);
    },
    sessionEnv: (token) => ({ GITHUB_TOKEN: token }),
    webhook: githubWebhook(() => settings.webhook_secret),
    ...bound,
  };
}

export default defineExtension({
  manifest: {
    id: 'github',
    version: '1.0.0',
    kernel: '^1.0.0',
    description:
      'GitHub for integrations: OAuth, signed webhooks as github.* events, and tools that call the GitHub API.',
    requires: ['integrations'],
    mounts: ['github'],
    enablement: 'opt-in',
    events: [...GITHUB_EVENT_TYPES],
    config,
    errors,
  },
  deps: {
    database: dbRef,
    events: eventsRef,
    integrations: integrationsServiceRef,
    config: installationConfigRef,
  },
  async register({ extensionPoints, kernelService, isEnabled }) {
    const settings = (await kernelService(installationConfigRef)) as unknown as GitHubConfig;
    const events = await kernelService(eventsRef);
    extensionPoints.add(
      integrationProvidersPoint,
      githubProvider(settings, { record: providerRecorder(events), enabledIn: isEnabled }),
    );
  },
  setup({ deps }) {
    return {
      routes: toolRoutes({
        db: deps.database.db,
        events: deps.events,
        integrations: deps.integrations,
        apiUrl: (deps.config as unknown as GitHubConfig).api_url,
      }),
    };
  },
});
