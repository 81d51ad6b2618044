/**
 * webhooks: signed webhook ingest at POST /api/webhooks/{provider}, public (the
 * signature is the credential), default-on, requiring integrations, whose providers
 * verify and normalise deliveries (ingest.ts). Deliveries older than seven days are
 * pruned daily: providers retry for hours, not weeks, and timestamps outside the
 * window are refused anyway.
 */
import {
  createRoute,
  dbRef,
  defineExtension,
  defineRoute,
  type ExtensionErrors,
  errorResponses,
  extensionError,
  jobsRef,
  jsonBody,
  jsonResponse,
  orm,
  rawBody,
  validationError,
  z,
} from '@maskin/contract';
import { integrationsServiceRef } from '../integrations/api.ts';
import { ingest } from './ingest.ts';
import { deliveries } from './tables.ts';

const errors = {
  WEBHOOKS_PROVIDER_UNKNOWN: { status: 404, description: 'No running provider with webhooks has this id' },
  WEBHOOKS_SIGNATURE_INVALID: { status: 401, description: 'The signature does not sign this body' },
  WEBHOOKS_TIMESTAMP_STALE: { status: 401, description: "The delivery's timestamp is outside the window" },
  WEBHOOKS_NOT_CONFIGURED: { status: 503, description: "The provider's signing secret is not configured" },
} as const satisfies ExtensionErrors;

const answerSchema = z
  .object({
    status: z.enum(['recorded', 'duplicate', 'ignored']),
    event_type: z.string().optional(),
    delivery_id: z.string().optional(),
    reason: z.string().optional(),
  })
  .passthrough()
  .openapi('WebhooksAnswer');

const RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export default defineExtension({
  manifest: {
    id: 'webhooks',
    version: '1.0.0',
    kernel: '^1.0.0',
    description:
      "Signed webhook ingest: verifies a provider's signature, deduplicates, records a normalised event.",
    requires: ['integrations'],
    mounts: ['webhooks'],
    enablement: 'default-on',
    errors,
  },
  deps: { database: dbRef, integrations: integrationsServiceRef, jobs: jobsRef },
  migrations: new URL('./migrations/', import.meta.url),
  setup({ deps, isEnabled }) {
    const { db } = deps.database;
    deps.jobs.work('prune', async () => {
      await db.delete(deliveries).where(orm.lt(deliveries.receivedAt, new Date(Date.now() - RETENTION_MS)));
    });
    deps.jobs.schedule({ name: 'prune', cron: '0 17 3 * * *', workspaceId: null });
    const route = defineRoute({
      access: { auth: 'public' },
      policy: { rawBody: true, idempotency: false, bodyLimit: 5 * 1024 * 1024 },
      route: createRoute({
        method: 'post',
        path: '/{provider}',
        tags: ['Webhooks'],
        summary: "Receive a provider's signed webhook",
        description:
          "No API key: the provider's signature over the exact body is verified instead (GitHub X-Hub-Signature-256; Slack v0 with a 5-minute timestamp window; Linear Linear-Signature with a 1-minute window). A delivery id seen before answers 200 `duplicate` and records nothing; a delivery for an installation no workspace connected answers 202 `ignored` and stores nothing. Otherwise a normalised event (`github.pull_request.opened`, ...) is recorded in the connected workspace's log.",
        request: {
          params: z.object({
            provider: z
              .string()
              .regex(/^[a-z][a-z0-9-]{0,39}$/)
              .openapi({ param: { name: 'provider', in: 'path' } }),
          }),
          body: jsonBody(z.record(z.string(), z.unknown()), "The provider's JSON payload, as sent"),
        },
        responses: {
          200: jsonResponse(answerSchema, 'Recorded, a duplicate, or a handshake answer'),
          202: jsonResponse(answerSchema, 'Accepted and ignored'),
          ...errorResponses,
        },
      }),
      handler: async (c) => {
        const providerId = c.req.valid('param').provider;
        const outcome = await ingest(
          { db, integrations: deps.integrations, isEnabled, now: () => new Date() },
          { providerId, headers: c.req.raw.headers, body: await rawBody(c) },
        );
        switch (outcome.status) {
          case 'unknown_provider':
            throw extensionError(
              { errors },
              'WEBHOOKS_PROVIDER_UNKNOWN',
              `No provider "${providerId}" receives webhooks here`,
            );
          case 'refused':
            if (outcome.reason === 'not_configured')
              throw extensionError(
                { errors },
                'WEBHOOKS_NOT_CONFIGURED',
                `Set the ${providerId} webhook signing secret`,
              );
            if (outcome.reason === 'timestamp_stale')
              throw extensionError(
                { errors },
                'WEBHOOKS_TIMESTAMP_STALE',
                'The delivery is too old (or from the future)',
              );
            throw extensionError(
              { errors },
              'WEBHOOKS_SIGNATURE_INVALID',
              'The signature does not sign this body',
            );
          case 'malformed':
            throw validationError(`Not a ${providerId} payload`);
          case 'reply':
            return c.json({ status: 'ignored' as const, reason: 'handshake', ...outcome.body }, 200);
          case 'ignored':
            return c.json({ status: 'ignored' as const, reason: outcome.reason }, 202);
          case 'duplicate':
            return c.json({ status: 'duplicate' as const, delivery_id: outcome.deliveryId }, 200);
          case 'recorded':
            return c.json(
              { status: 'recorded' as const, event_type: outcome.eventType, delivery_id: outcome.deliveryId },
              200,
            );
        }
      },
    });
    return { routes: [route] };
  },
});
