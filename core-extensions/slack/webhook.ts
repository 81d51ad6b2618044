/**
 * Slack Events API: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:{timestamp}:{raw body}">`
 * under the app's signing secret, compared in constant time, and
 * `X-Slack-Request-Timestamp` within five minutes of now either way (Slack's own
 * rule against replays; within the window the `event_id` deduplicates). The
 * `url_verification` handshake is answered with its challenge once signed. Events
 * are routed by `team_id`.
 */
import type { ParsedWebhook, WebhookHandling } from '../integrations/api.ts';
import { constantTimeEqual, hmacSha256Hex } from '../integrations/api.ts';

export const SLACK_WINDOW_SECONDS = 5 * 60;

export const SLACK_EVENT_TYPES = [
  'slack.message.posted',
  'slack.message.edited',
  'slack.message.deleted',
  'slack.app_mention.posted',
  'slack.reaction.added',
  'slack.reaction.removed',
  'slack.channel.created',
  'slack.event.received',
] as const;

export function signSlack(secret: string, timestamp: string, body: string | Buffer) {
  return `v0=${hmacSha256Hex(secret, Buffer.concat([Buffer.from(`v0:${timestamp}:`), Buffer.from(body)]))}`;
}

type Json = Record<string, any>;

function typeOf(event: Json): string {
  switch (event.type) {
    case 'message':
      if (event.subtype === 'message_changed') return 'slack.message.edited';
      if (event.subtype === 'message_deleted') return 'slack.message.deleted';
      return 'slack.message.posted';
    case 'app_mention':
      return 'slack.app_mention.posted';
    case 'reaction_added':
      return 'slack.reaction.added';
    case 'reaction_removed':
      return 'slack.reaction.removed';
    case 'channel_created':
      return 'slack.channel.created';
    default:
      return 'slack.event.received';
  }
}

export function slackWebhook(secret: () => string | undefined): WebhookHandling {
  return {
    verify(request) {
      const key = secret();
      if (!key) return { ok: false, reason: 'not_configured' };
      const timestamp = request.headers.get('x-slack-request-timestamp') ?? '';
      if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'signature_invalid' };
      if (
        !constantTimeEqual(signSlack(key, timestamp, request.body), request.headers.get('x-slack-signature'))
      ) {
        return { ok: false, reason: 'signature_invalid' };
      }
      const age = Math.abs(request.now.getTime() / 1000 - Number(timestamp));
      return age > SLACK_WINDOW_SECONDS ? { ok: false, reason: 'timestamp_stale' } : { ok: true };
    },
    parse(request): ParsedWebhook {
      const payload = JSON.parse(request.body.toString('utf8')) as Json;
      if (payload.type === 'url_verification')
        return { reply: { challenge: String(payload.challenge ?? '') } };
      if (payload.type !== 'event_callback' || typeof payload.event !== 'object') return {};
      const event = payload.event as Json;
      const message = event.message ?? event;
      return {
        deliveryId: typeof payload.event_id === 'string' ? payload.event_id : undefined,
        externalId: typeof payload.team_id === 'string' ? payload.team_id : undefined,
        event: {
          type: typeOf(event),
          entityType: 'slack_message',
          entityId:
            event.channel && (message.ts ?? event.event_ts)
              ? `${event.channel}/${message.ts ?? event.event_ts}`
              : null,
          data: {
            event: event.type ?? null,
            subtype: event.subtype ?? null,
            channel: event.channel ?? event.item?.channel ?? null,
            user: message.user ?? event.user ?? null,
            text: typeof message.text === 'string' ? message.text.slice(0, 4000) : null,
            ts: message.ts ?? event.event_ts ?? null,
            thread_ts: message.thread_ts ?? null,
            reaction: event.reaction ?? null,
          },
        },
      };
    },
  };
}
