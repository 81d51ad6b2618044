/**
 * slack: Slack as an integrations provider, mounted at /api/slack, opt-in. OAuth v2
 * (bot token; the team id routes events), signed Events API deliveries as `slack.*`
 * events (webhook.ts), the bot token handed to sessions as SLACK_BOT_TOKEN, and
 * revocation through auth.revoke, and notifications delivered as direct messages
 * to the people who turned `slack` on in their notification preferences (notify.ts).
 * Client id, secret and signing secret are installation config.
 */
import {
  configRef,
  dbRef,
  defineExtension,
  eventsRef,
  installationConfigRef,
  jobsRef,
  z,
} from '@maskin/contract';
import {
  type IntegrationsService,
  integrationProvidersPoint,
  integrationsServiceRef,
  providerRecorder,
} from '../integrations/api.ts';
import { notificationChannelsPoint } from '../notifications/api.ts';
import { NOTIFY_EVENT_TYPES, slackNotificationChannel, workSlackNotifications } from './notify.ts';
import { SLACK_EVENT_TYPES, slackWebhook } from './webhook.ts';

/**
 * register runs before setup, where the integrations service arrives, so the
 * notification channel reads it when it delivers. Keyed by the kernel's config object
 * (one per kernel), so two kernels in one process (tests) each use their own.
 */
const integrationsOf = new WeakMap<object, IntegrationsService>();

/** MASKIN_EXT_SLACK_CLIENT_ID, _CLIENT_SECRET, _SIGNING_SECRET, _AUTHORIZE_URL, _TOKEN_URL, _API_URL, _SCOPES. */
const config = z.object({
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  signing_secret: z.string().optional(),
  authorize_url: z.string().url().default('https://slack.com/oauth/v2/authorize'),
  token_url: z.string().url().default('https://slack.com/api/oauth.v2.access'),
  api_url: z.string().url().default('https://slack.com/api'),
  scopes: z
    .string()
    .default('channels:history,chat:write,app_mentions:read,reactions:read,users:read,users:read.email'),
});
type SlackConfig = z.output<typeof config>;

export default defineExtension({
  manifest: {
    id: 'slack',
    version: '1.0.0',
    kernel: '^1.0.0',
    description:
      'Slack for integrations: OAuth v2, signed Events API deliveries as slack.* events, and notifications as direct messages.',
    requires: ['integrations', 'notifications'],
    mounts: ['slack'],
    enablement: 'opt-in',
    events: [...SLACK_EVENT_TYPES, ...NOTIFY_EVENT_TYPES],
    config,
  },
  deps: {
    database: dbRef,
    events: eventsRef,
    jobs: jobsRef,
    integrations: integrationsServiceRef,
    settings: installationConfigRef,
    kernel: configRef,
  },
  async register({ extensionPoints, kernelService, isEnabled }) {
    const settings = (await kernelService(installationConfigRef)) as unknown as SlackConfig;
    const events = await kernelService(eventsRef);
    const kernel = await kernelService(configRef);
    extensionPoints.add(
      notificationChannelsPoint,
      slackNotificationChannel({
        jobs: await kernelService(jobsRef),
        isEnabled,
        integrations: () => integrationsOf.get(kernel),
      }),
    );
    extensionPoints.add(integrationProvidersPoint, {
      id: 'slack',
      name: 'Slack',
      authKind: 'oauth2',
      events: SLACK_EVENT_TYPES,
      oauth: () => ({
        authorizeUrl: settings.authorize_url,
        tokenUrl: settings.token_url,
        clientId: settings.client_id,
        clientSecret: settings.client_secret,
        scopes: settings.scopes.split(/[ ,]+/).filter(Boolean),
        scopeSeparator: ',',
      }),
      identify: async ({ grant }) => {
        const team = grant.raw.team as { id?: unknown; name?: unknown } | undefined;
        return {
          externalId: typeof team?.id === 'string' ? team.id : undefined,
          label: typeof team?.name === 'string' ? team.name : undefined,
        };
      },
      async revoke(accessToken) {
        const response = await fetch(`${settings.api_url}/auth.revoke`, {
          method: 'POST',
          headers: { authorization: `Bearer ${accessToken}` },
          signal: AbortSignal.timeout(15_000),
        });
        if (!response.ok) throw new Error(`Slack refused the revocation: HTTP ${response.status}`);
      },
      sessionEnv: (token) => ({ SLACK_BOT_TOKEN: token }),
      webhook: slackWebhook(() => settings.signing_secret),
      record: providerRecorder(events),
      enabledIn: isEnabled,
    });
  },
  setup({ deps }) {
    integrationsOf.set(deps.kernel, deps.integrations);
    workSlackNotifications({
      db: deps.database.db,
      jobs: deps.jobs,
      events: deps.events,
      integrations: deps.integrations,
      apiUrl: (deps.settings as unknown as SlackConfig).api_url,
    });
    return {};
  },
});
