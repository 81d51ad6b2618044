/**
 * Linear webhooks: `Linear-Signature: <hex HMAC-SHA256 of the raw body>` under the
 * webhook's signing secret, compared in constant time, and the payload's
 * `webhookTimestamp` (milliseconds) within one minute of now, as Linear recommends
 * against replays; `Linear-Delivery` deduplicates within it. Routed by
 * `organizationId`.
 */
import type { ParsedWebhook, WebhookHandling } from '../integrations/api.ts';
import { constantTimeEqual, hmacSha256Hex } from '../integrations/api.ts';

export const LINEAR_WINDOW_MS = 60 * 1000;

const ENTITIES: Record<string, string> = {
  Issue: 'issue',
  Comment: 'comment',
  Project: 'project',
  Cycle: 'cycle',
  IssueLabel: 'issue_label',
};
const ACTIONS: Record<string, string> = { create: 'created', update: 'updated', remove: 'removed' };

export const LINEAR_EVENT_TYPES = [
  ...Object.values(ENTITIES).flatMap((entity) =>
    Object.values(ACTIONS).map((action) => `linear.${entity}.${action}`),
  ),
  'linear.webhook.received',
] as const;

export const signLinear = (secret: string, body: string | Buffer) => hmacSha256Hex(secret, body);

type Json = Record<string, any>;

export function linearWebhook(secret: () => string | undefined): WebhookHandling {
  return {
    verify(request) {
      const key = secret();
      if (!key) return { ok: false, reason: 'not_configured' };
      if (!constantTimeEqual(signLinear(key, request.body), request.headers.get('linear-signature'))) {
        return { ok: false, reason: 'signature_invalid' };
      }
      let timestamp: unknown;
      try {
        timestamp = (JSON.parse(request.body.toString('utf8')) as Json).webhookTimestamp;
      } catch {
        return { ok: false, reason: 'signature_invalid' };
      }
      if (typeof timestamp !== 'number') return { ok: false, reason: 'timestamp_stale' };
      return Math.abs(request.now.getTime() - timestamp) > LINEAR_WINDOW_MS
        ? { ok: false, reason: 'timestamp_stale' }
        : { ok: true };
    },
    parse(request): ParsedWebhook {
      const payload = JSON.parse(request.body.toString('utf8')) as Json;
      const entity = ENTITIES[payload.type];
      const action = ACTIONS[payload.action];
      const data = (payload.data ?? {}) as Json;
      return {
        deliveryId: request.headers.get('linear-delivery') ?? undefined,
        externalId: typeof payload.organizationId === 'string' ? payload.organizationId : undefined,
        event: {
          type: entity && action ? `linear.${entity}.${action}` : 'linear.webhook.received',
          entityType: `linear_${entity ?? 'entity'}`,
          entityId: typeof data.id === 'string' ? data.id : null,
          data: {
            type: payload.type ?? null,
            action: payload.action ?? null,
            identifier: data.identifier ?? null,
            title: data.title ?? null,
            url: payload.url ?? data.url ?? null,
            state: data.state?.name ?? null,
            body: typeof data.body === 'string' ? data.body.slice(0, 4000) : null,
          },
        },
      };
    },
  };
}
