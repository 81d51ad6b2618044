/**
 * GitHub webhooks: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`
 * under the webhook secret, compared in constant time. GitHub sends no timestamp:
 * replays are stopped by `X-GitHub-Delivery`, a unique id per delivery (webhooks
 * deduplicates on it). Events are routed by `installation.id` (GitHub App).
 *
 * Normalisation: `github.<X-GitHub-Event>.<action>` when that type is declared
 * (`github.pull_request.opened`), `github.push.received` for pushes, otherwise
 * `github.webhook.received` with the event and action in data. Only a summary of the
 * payload is kept, never the whole document.
 */
import type { ParsedWebhook, WebhookHandling, WebhookRequest } from '../integrations/api.ts';
import { constantTimeEqual, hmacSha256Hex } from '../integrations/api.ts';

export const GITHUB_EVENT_TYPES = [
  'github.pull_request.opened',
  'github.pull_request.closed',
  'github.pull_request.reopened',
  'github.pull_request.edited',
  'github.pull_request.synchronize',
  'github.pull_request.ready_for_review',
  'github.issues.opened',
  'github.issues.closed',
  'github.issues.reopened',
  'github.issues.edited',
  'github.issue_comment.created',
  'github.push.received',
  'github.webhook.received',
  // Mutations made through the provider tools (routes/tools.ts).
  'github.api.issue_created',
  'github.api.comment_created',
] as const;

const declared = new Set<string>(GITHUB_EVENT_TYPES);

export function signGitHub(secret: string, body: string | Buffer) {
  return `sha256=${hmacSha256Hex(secret, body)}`;
}

type Json = Record<string, any>;

function summary(event: string, payload: Json) {
  const subject = payload.pull_request ?? payload.issue ?? {};
  return {
    event,
    action: payload.action ?? null,
    repository: payload.repository?.full_name ?? null,
    number: subject.number ?? null,
    title: subject.title ?? null,
    url: subject.html_url ?? payload.compare ?? null,
    state: subject.state ?? null,
    merged: payload.pull_request?.merged ?? null,
    sender: payload.sender?.login ?? null,
    ref: payload.ref ?? null,
  };
}

export function githubWebhook(secret: () => string | undefined): WebhookHandling {
  return {
    verify(request: WebhookRequest) {
      const key = secret();
      if (!key) return { ok: false, reason: 'not_configured' };
      const given = request.headers.get('x-hub-signature-256');
      return constantTimeEqual(signGitHub(key, request.body), given)
        ? { ok: true }
        : { ok: false, reason: 'signature_invalid' };
    },
    parse(request): ParsedWebhook {
      const payload = JSON.parse(request.body.toString('utf8')) as Json;
      const event = request.headers.get('x-github-event') ?? '';
      const deliveryId = request.headers.get('x-github-delivery') ?? undefined;
      if (event === 'ping') return { reply: { zen: 'ok' } };
      const externalId = payload.installation?.id === undefined ? undefined : String(payload.installation.id);
      const specific = event === 'push' ? 'github.push.received' : `github.${event}.${payload.action}`;
      const type = declared.has(specific) ? specific : 'github.webhook.received';
      const data = summary(event, payload);
      const subject =
        data.repository && data.number !== null ? `${data.repository}#${data.number}` : data.repository;
      const entityType =
        event === 'pull_request'
          ? 'github_pull_request'
          : event === 'issues' || event === 'issue_comment'
            ? 'github_issue'
            : 'github_repository';
      return { deliveryId, externalId, event: { type, entityType, entityId: subject, data } };
    },
  };
}
