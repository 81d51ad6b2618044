/**
 * POST /receipts: the webhook receiver acknowledges a digest. It calls with an API
 * key of the workspace (a member's), so the workspace is the request's, and signs the
 * exact JSON bytes with the workspace's signing_secret. The signature is checked over
 * `rawBody(c)` (kept by `policy.rawBody` before the kernel parses the JSON) before
 * anything is read or written: a bad or missing one is 401 SIGNATURE_INVALID and
 * nothing changes. Acknowledging twice answers the first acknowledgement again and
 * records no second event.
 */
import {
  authOf,
  createRoute,
  type Db,
  defineRoute,
  type ExtensionEvents,
  type ExtensionSecretSettings,
  errorResponses,
  extensionError,
  jsonBody,
  jsonResponse,
  notFound,
  orm,
  rawBody,
  workspaceOf,
  z,
} from '@maskin/contract';
import { type DailyDigestSecrets, errors, type eventTypes } from '../manifest.ts';
import { SIGNATURE_HEADER, verify } from '../signature.ts';
import { digests } from '../tables.ts';
import { receiptAnswerSchema, receiptSchema } from './schemas.ts';

const { and, eq, isNull } = orm;

export function receiptRoute(deps: {
  db: Db;
  secrets: ExtensionSecretSettings;
  events: ExtensionEvents<(typeof eventTypes)[number]>;
}) {
  return defineRoute({
    access: { auth: 'workspace', role: 'member' },
    policy: { rawBody: true, idempotency: false },
    route: createRoute({
      method: 'post',
      path: '/receipts',
      tags: ['Daily digest'],
      summary: 'Acknowledge a delivered digest (signed with the signing_secret)',
      description:
        "Called by the system that received the digest: the exact body bytes are signed with the workspace's secret `signing_secret` (x-daily-digest-signature: sha256=<hex HMAC-SHA256>); a wrong or missing signature is SIGNATURE_INVALID, no secret set is WEBHOOK_NOT_CONFIGURED. Marks the digest acknowledged once (`daily_digest.receipt_acknowledged`); acknowledging again returns the first time.",
      request: {
        headers: z.object({
          [SIGNATURE_HEADER]: z
            .string()
            .max(200)
            .optional()
            .openapi({ description: 'sha256=<hex HMAC-SHA256 of the exact body under signing_secret>' }),
        }),
        body: jsonBody(receiptSchema),
      },
      responses: { 200: jsonResponse(receiptAnswerSchema, 'Acknowledged'), ...errorResponses },
    }),
    handler: async (c) => {
      const workspaceId = workspaceOf(c).id;
      const { signing_secret } = await deps.secrets.get<DailyDigestSecrets>(workspaceId);
      if (!signing_secret) {
        throw extensionError({ errors }, 'WEBHOOK_NOT_CONFIGURED', 'Set the secret signing_secret first');
      }
      if (!verify(signing_secret, await rawBody(c), c.req.header(SIGNATURE_HEADER))) {
        throw extensionError({ errors }, 'SIGNATURE_INVALID', `${SIGNATURE_HEADER} does not sign this body`);
      }
      const { digest_id } = c.req.valid('json');
      const acknowledgedAt = await deps.db.transaction(async (tx) => {
        const [acknowledged] = await tx
          .update(digests)
          .set({ acknowledgedAt: new Date() })
          .where(
            and(
              eq(digests.workspaceId, workspaceId),
              eq(digests.id, digest_id),
              isNull(digests.acknowledgedAt),
            ),
          )
          .returning();
        if (acknowledged) {
          await deps.events.record(tx, {
            workspaceId,
            actorId: authOf(c).actor.id,
            type: 'daily_digest.receipt_acknowledged',
            entityType: 'daily_digest',
            entityId: digest_id,
          });
          return acknowledged.acknowledgedAt!;
        }
        const [existing] = await tx
          .select({ acknowledgedAt: digests.acknowledgedAt })
          .from(digests)
          .where(and(eq(digests.workspaceId, workspaceId), eq(digests.id, digest_id)));
        if (!existing?.acknowledgedAt) throw notFound(`Digest ${digest_id} not found`);
        return existing.acknowledgedAt;
      });
      return c.json({ digest_id, acknowledged_at: acknowledgedAt.toISOString() }, 200);
    },
  });
}
