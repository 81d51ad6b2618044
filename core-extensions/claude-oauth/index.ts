/**
 * claude-oauth: a workspace's Claude subscription (Pro/Max) for agent sessions,
 * mounted at /api/claude-oauth, opt-in. An admin imports the OAuth tokens; they are
 * stored encrypted and bound to their row (sealed-tokens.ts); sessions running
 * Claude Code get `CLAUDE_CODE_OAUTH_TOKEN` through sessions' credential-provider
 * point, refreshed before expiry under a row lock so concurrent sessions never race
 * a refresh (service.ts).
 *
 * The provider is registered in the register phase (before any setup), from kernel
 * services only, and answers nothing where this extension is disabled.
 */
import {
  dbRef,
  defineExtension,
  eventsRef,
  installationConfigRef,
  loggerRef,
  secretsRef,
  z,
} from '@maskin/contract';
import { sessionCredentialsPoint } from '../sessions/api.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { CLAUDE_OAUTH_EVENT_TYPES, type ClaudeOAuthConfig, ClaudeOAuthService } from './service.ts';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Installation config: MASKIN_EXT_CLAUDE_OAUTH_TOKEN_URL, _CLIENT_ID, _REFRESH_MARGIN_SECONDS, _REQUEST_TIMEOUT_MS. */
const config = z.object({
  token_url: z
    .string()
    .url()
    .refine((value) => {
      const url = new URL(value);
      return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
    }, 'must be https (http only on loopback): it carries refresh tokens')
    .default('https://console.anthropic.com/v1/oauth/token'),
  // Claude Code's public OAuth client id: the tokens were issued to it.
  client_id: z.string().min(1).default('9d1c250a-e61b-44d9-88ed-5944d1962f5e'),
  refresh_margin_seconds: z.coerce.number().int().min(0).max(86_400).default(300),
  request_timeout_ms: z.coerce.number().int().min(100).max(120_000).default(15_000),
});

export default defineExtension({
  manifest: {
    id: 'claude-oauth',
    version: '1.0.0',
    kernel: '^1.0.0',
    description:
      'A Claude subscription (OAuth tokens) for agent sessions: imported, encrypted, refreshed before expiry.',
    requires: ['sessions'],
    mounts: ['claude-oauth'],
    enablement: 'opt-in',
    events: [...CLAUDE_OAUTH_EVENT_TYPES],
    config,
  },
  deps: {
    database: dbRef,
    events: eventsRef,
    secrets: secretsRef,
    logger: loggerRef,
    config: installationConfigRef,
  },
  migrations: new URL('./migrations/', import.meta.url),
  async register({ extensionPoints, kernelService, isEnabled }) {
    // The service is stateless (all state is the row), so this instance and setup's agree.
    const service = new ClaudeOAuthService({
      db: (await kernelService(dbRef)).db,
      events: await kernelService(eventsRef),
      secrets: await kernelService(secretsRef),
      logger: await kernelService(loggerRef),
      config: (await kernelService(installationConfigRef)) as unknown as ClaudeOAuthConfig,
    });
    extensionPoints.add(sessionCredentialsPoint, {
      name: 'claude-oauth',
      runtimes: ['claude-code'],
      async credentialsFor(workspaceId) {
        if (!(await isEnabled(workspaceId))) return undefined;
        const accessToken = await service.freshAccessToken(workspaceId);
        return accessToken === undefined ? undefined : { CLAUDE_CODE_OAUTH_TOKEN: accessToken };
      },
    });
  },
  setup({ deps }) {
    const service = new ClaudeOAuthService({
      db: deps.database.db,
      events: deps.events,
      secrets: deps.secrets,
      logger: deps.logger,
      config: deps.config as unknown as ClaudeOAuthConfig,
    });
    return { routes: tokenRoutes(deps.database.db, service) };
  },
});
