/**
 * integrations routes, under /api/integrations. Reads for viewers, connecting and
 * disconnecting for admins, the OAuth callback public (the state is its credential).
 * No route ever answers a token.
 */
import {
  callerScope,
  createRoute,
  defineRoute,
  errorResponses,
  extensionError,
  jsonBody,
  jsonResponse,
  notFound,
  pageQuery,
  workspaceOf,
  z,
} from '@maskin/contract';
import type { ConnectionIdentity, IntegrationProvider } from '../api.ts';
import { errors } from '../errors.ts';
import type { OAuthFlow } from '../oauth-flow.ts';
import { type IntegrationsCore, integrationJson } from '../service.ts';
import {
  callbackQuery,
  connectAnswerSchema,
  connectSchema,
  idParam,
  integrationPageSchema,
  providerListSchema,
  providerParam,
} from './schemas.ts';

const tags = ['Integrations'];

function providerJson(provider: IntegrationProvider) {
  const oauth = provider.oauth?.();
  return {
    id: provider.id,
    name: provider.name,
    auth_kind: provider.authKind,
    configured: provider.authKind === 'api_key' || Boolean(oauth?.clientId),
    scopes: [...(oauth?.scopes ?? [])],
    config_schema: provider.configSchema
      ? (z.toJSONSchema(provider.configSchema, { io: 'input', unrepresentable: 'any' }) as Record<
          string,
          unknown
        >)
      : {},
    events: [...provider.events],
    webhooks: provider.webhook !== undefined,
  };
}

/** `ui_url` with one query parameter added, whether it is absolute or a path. */
export function uiRedirect(uiUrl: string, name: string, value: string) {
  return `${uiUrl}${uiUrl.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}`;
}

export function integrationRoutes(core: IntegrationsCore, flow: OAuthFlow) {
  const { db } = core.deps;
  const providerOf = (id: string) => {
    const provider = core.provider(id);
    if (!provider)
      throw extensionError({ errors }, 'INTEGRATION_PROVIDER_UNKNOWN', `No provider "${id}" is installed`);
    return provider;
  };
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'list_integrations',
        description:
          'Lists the outside services (GitHub, Slack, Linear, ...) this workspace is connected to: provider, external id, scopes, token expiry. Never returns credentials.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/',
        tags,
        summary: "List the workspace's connections",
        request: { query: pageQuery },
        responses: {
          200: jsonResponse(integrationPageSchema, 'Connections, newest first'),
          ...errorResponses,
        },
      }),
      handler: async (c) => c.json(await core.list(db, workspaceOf(c).id, c.req.valid('query')), 200),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'list_integration_providers',
        description:
          'Lists the providers that can be connected on this server: auth kind (oauth2 or api_key), whether the installation configured them, scopes, connect fields and the event types their webhooks record.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/providers',
        tags,
        summary: 'List available providers',
        responses: { 200: jsonResponse(providerListSchema, 'Providers'), ...errorResponses },
      }),
      handler: (c) => c.json({ items: core.deps.providers().map(providerJson) }, 200),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'admin' },
      route: createRoute({
        method: 'post',
        path: '/{provider}/connect',
        tags,
        summary: 'Connect a provider',
        description:
          'OAuth2 providers: answers `authorize_url` (authorization code with PKCE S256 and a one-time state valid for 10 minutes, bound to you and this workspace); send the browser there. API-key providers: validates `api_key` at the provider and stores it encrypted.',
        request: { params: providerParam, body: jsonBody(connectSchema) },
        responses: {
          200: jsonResponse(connectAnswerSchema, 'Where to go, or the connection'),
          ...errorResponses,
        },
      }),
      handler: async (c) => {
        const provider = providerOf(c.req.valid('param').provider);
        const input = c.req.valid('json');
        const scope = callerScope(c);
        if (!(await provider.enabledIn(scope.workspaceId))) {
          throw extensionError(
            { errors },
            'INTEGRATION_PROVIDER_UNKNOWN',
            `The ${provider.id} extension is not enabled in this workspace; enable it first`,
          );
        }
        if (provider.authKind === 'oauth2') {
          const base = core.deps.config.public_url ?? new URL(c.req.url).origin;
          const redirectUri = new URL(`/api/integrations/${provider.id}/callback`, base).toString();
          const url = await db.transaction((tx) => flow.start(tx, scope, provider, redirectUri));
          return c.json({ authorize_url: url }, 200);
        }
        if (!input.api_key) {
          throw extensionError(
            { errors },
            'INTEGRATION_API_KEY_INVALID',
            'api_key is required for this provider',
          );
        }
        if (provider.configSchema) {
          const parsed = provider.configSchema.safeParse(input.config);
          if (!parsed.success) {
            throw extensionError(
              { errors },
              'INTEGRATION_API_KEY_INVALID',
              `config: ${parsed.error.issues[0]?.message}`,
            );
          }
        }
        let identity: ConnectionIdentity | undefined = {};
        if (provider.validateApiKey) {
          identity = await provider.validateApiKey(input.api_key, input.config).catch(() => undefined);
        }
        if (!identity) {
          throw extensionError(
            { errors },
            'INTEGRATION_API_KEY_INVALID',
            `${provider.name} refused the API key`,
          );
        }
        const row = await db.transaction((tx) =>
          core.store(tx, scope, { provider, grant: { accessToken: input.api_key! }, ...identity }),
        );
        if (!row) {
          throw extensionError(
            { errors },
            'INTEGRATION_EXTERNAL_ID_TAKEN',
            'Another workspace already connected this account',
          );
        }
        return c.json({ integration: integrationJson(row, provider) }, 200);
      },
    }),
    defineRoute({
      access: { auth: 'public' },
      route: createRoute({
        method: 'get',
        path: '/{provider}/callback',
        tags,
        summary: 'OAuth2 callback (the provider redirects the browser here)',
        description:
          "Verifies the one-time state, exchanges the code with the PKCE verifier, stores the tokens encrypted and redirects to the installation's UI URL with `?integration=<id>`, or `?error=<code>` (state_missing, state_unknown, state_expired, state_replayed, provider_denied, code_missing, token_exchange_failed, not_authorized, external_id_taken, provider_unavailable).",
        request: { params: providerParam, query: callbackQuery },
        responses: {
          302: { description: 'Redirect to the UI with integration or error' },
          ...errorResponses,
        },
      }),
      handler: async (c) => {
        const outcome = await flow.complete(
          c.req.valid('param').provider,
          c.req.valid('query') as Record<string, string>,
        );
        const location =
          'integrationId' in outcome
            ? uiRedirect(core.deps.config.ui_url, 'integration', outcome.integrationId)
            : uiRedirect(core.deps.config.ui_url, 'error', outcome.error);
        c.header('Cache-Control', 'no-store');
        c.header('Referrer-Policy', 'no-referrer');
        return c.redirect(location, 302);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'admin' },
      route: createRoute({
        method: 'delete',
        path: '/{id}',
        tags,
        summary: 'Disconnect: revoke at the provider where supported, delete the credentials',
        description:
          'Disconnects an integration (admin): revokes the token at the provider where it supports that, deletes the stored credentials and records integration.disconnected.',
        request: { params: idParam },
        responses: { 204: { description: 'Disconnected' }, ...errorResponses },
      }),
      handler: async (c) => {
        const deleted = await core.disconnect(callerScope(c), c.req.valid('param').id);
        if (!deleted) throw notFound('No such connection in this workspace');
        return c.body(null, 204);
      },
    }),
  ];
}
