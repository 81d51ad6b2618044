/**
 * integrations: a workspace's connections to outside services, mounted at
 * /api/integrations, default-on. Providers (GitHub, Slack, Linear, or a third
 * party's) are extensions that add themselves to `integrationProvidersPoint`; this
 * extension owns the OAuth2 dance (PKCE, one-time state), encrypted row-bound token
 * storage, single-flight refresh (and a refresh job before expiry), disconnecting,
 * and the service webhooks routes deliveries with.
 */
import {
  dbRef,
  defineExtension,
  eventsRef,
  installationConfigRef,
  jobsRef,
  loggerRef,
  membersRef,
  secretsRef,
  z,
} from '@maskin/contract';
import { sessionCredentialsPoint } from '../sessions/api.ts';
import { type IntegrationsService, integrationProvidersPoint, integrationsServiceRef } from './api.ts';
import { errors } from './errors.ts';
import { OAuthFlow } from './oauth-flow.ts';
import { REFRESH_QUEUE } from './refresh.ts';
import { integrationRoutes } from './routes/integrations.ts';
import { INTEGRATION_EVENT_TYPES, type IntegrationsConfig, IntegrationsCore } from './service.ts';

/** MASKIN_EXT_INTEGRATIONS_UI_URL, _PUBLIC_URL, _REFRESH_MARGIN_SECONDS, _REQUEST_TIMEOUT_MS. */
const config = z.object({
  /** Where the callback sends the browser, with ?integration=<id> or ?error=<code>. */
  ui_url: z.string().min(1).default('/'),
  /** The server's public origin, for redirect_uri (default: the connect request's origin). */
  public_url: z.string().url().optional(),
  refresh_margin_seconds: z.coerce.number().int().min(0).max(86_400).default(300),
  request_timeout_ms: z.coerce.number().int().min(100).max(120_000).default(15_000),
});

/**
 * The running core per kernel, for the session credentials registered before setup.
 * Keyed by the kernel's shared database service (the same object in register and
 * setup), so two kernels in one process never see each other's core.
 */
const coreOfKernel = new WeakMap<object, IntegrationsCore>();

export default defineExtension({
  manifest: {
    id: 'integrations',
    version: '1.0.0',
    kernel: '^1.0.0',
    description:
      'Connections to outside services (GitHub, Slack, Linear, ...): OAuth2 with PKCE or API keys, tokens encrypted and refreshed.',
    requires: ['sessions'],
    mounts: ['integrations'],
    enablement: 'default-on',
    events: [...INTEGRATION_EVENT_TYPES],
    config,
    errors,
  },
  deps: {
    database: dbRef,
    events: eventsRef,
    secrets: secretsRef,
    logger: loggerRef,
    config: installationConfigRef,
    jobs: jobsRef,
    members: membersRef,
  },
  provides: integrationsServiceRef,
  extensionPoints: [integrationProvidersPoint],
  migrations: new URL('./migrations/', import.meta.url),
  async register({ extensionPoints, isEnabled, kernelService }) {
    const kernelDb = await kernelService(dbRef);
    // Agent profiles have no field naming integrations, so a workspace that connected
    // a provider gives its token to every agent session there (GITHUB_TOKEN, ...), as
    // a `tool` credential beside the LLM one. The core exists once setup ran; until
    // then (and where integrations is disabled) sessions get nothing from here.
    extensionPoints.add(sessionCredentialsPoint, {
      name: 'integrations',
      kind: 'tool',
      runtimes: ['claude-code', 'codex', 'custom'],
      async credentialsFor(workspaceId) {
        const core = coreOfKernel.get(kernelDb);
        if (!core || !(await isEnabled(workspaceId))) return undefined;
        return core.sessionEnv(workspaceId);
      },
    });
  },
  setup({ deps, extensionPoints }) {
    const providers = extensionPoints.registrations(integrationProvidersPoint);
    const core = new IntegrationsCore({
      db: deps.database.db,
      events: deps.events,
      secrets: deps.secrets,
      jobs: deps.jobs,
      logger: deps.logger,
      config: deps.config as unknown as IntegrationsConfig,
      providers: () => providers.values(),
    });
    coreOfKernel.set(deps.database, core);
    const flow = new OAuthFlow(core, deps.members);
    deps.jobs.work<{ integrationId: string }>(REFRESH_QUEUE, async (job) => {
      if (job.workspaceId) await core.freshAccessToken(job.workspaceId, job.payload.integrationId);
    });
    const service: IntegrationsService = {
      provider: (id) => core.provider(id),
      findByExternalId: (provider, externalId, tx) => core.findByExternalId(provider, externalId, tx),
      freshAccessToken: (workspaceId, id) => core.freshAccessToken(workspaceId, id),
      connectionOf: (workspaceId, provider, tx) => core.connectionOf(workspaceId, provider, tx),
    };
    return { routes: integrationRoutes(core, flow), service };
  },
});
