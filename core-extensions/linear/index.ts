/**
 * linear: Linear as an integrations provider, mounted at /api/linear, opt-in. OAuth2
 * (the organization id, read from the GraphQL API after the exchange, routes
 * webhooks), signed webhooks as `linear.*` events (webhook.ts), the token handed to
 * sessions as LINEAR_API_KEY, and RFC 7009 revocation.
 */
import { defineExtension, eventsRef, installationConfigRef, z } from '@maskin/contract';
import { integrationProvidersPoint, providerRecorder } from '../integrations/api.ts';
import { LINEAR_EVENT_TYPES, linearWebhook } from './webhook.ts';

/** MASKIN_EXT_LINEAR_CLIENT_ID, _CLIENT_SECRET, _WEBHOOK_SECRET, _AUTHORIZE_URL, _TOKEN_URL, _REVOKE_URL, _API_URL, _SCOPES. */
const config = z.object({
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  webhook_secret: z.string().optional(),
  authorize_url: z.string().url().default('https://linear.app/oauth/authorize'),
  token_url: z.string().url().default('https://api.linear.app/oauth/token'),
  revoke_url: z.string().url().default('https://api.linear.app/oauth/revoke'),
  api_url: z.string().url().default('https://api.linear.app/graphql'),
  scopes: z.string().default('read,write'),
});
type LinearConfig = z.output<typeof config>;

export default defineExtension({
  manifest: {
    id: 'linear',
    version: '1.0.0',
    kernel: '^1.0.0',
    description: 'Linear for integrations: OAuth2 and signed webhooks as linear.* events.',
    requires: ['integrations'],
    mounts: ['linear'],
    enablement: 'opt-in',
    events: [...LINEAR_EVENT_TYPES],
    config,
  },
  async register({ extensionPoints, kernelService, isEnabled }) {
    const settings = (await kernelService(installationConfigRef)) as unknown as LinearConfig;
    const events = await kernelService(eventsRef);
    extensionPoints.add(integrationProvidersPoint, {
      id: 'linear',
      name: 'Linear',
      authKind: 'oauth2',
      events: LINEAR_EVENT_TYPES,
      oauth: () => ({
        authorizeUrl: settings.authorize_url,
        tokenUrl: settings.token_url,
        revokeUrl: settings.revoke_url,
        clientId: settings.client_id,
        clientSecret: settings.client_secret,
        scopes: settings.scopes.split(/[ ,]+/).filter(Boolean),
        scopeSeparator: ',',
      }),
      async identify({ grant }) {
        const response = await fetch(settings.api_url, {
          method: 'POST',
          headers: { authorization: `Bearer ${grant.accessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ organization { id name } }' }),
          signal: AbortSignal.timeout(15_000),
        });
        if (!response.ok) throw new Error(`Linear answered HTTP ${response.status}`);
        const body = (await response.json()) as { data?: { organization?: { id?: string; name?: string } } };
        return { externalId: body.data?.organization?.id, label: body.data?.organization?.name };
      },
      sessionEnv: (token) => ({ LINEAR_API_KEY: token }),
      webhook: linearWebhook(() => settings.webhook_secret),
      record: providerRecorder(events),
      enabledIn: isEnabled,
    });
  },
  setup() {
    return {};
  },
});
