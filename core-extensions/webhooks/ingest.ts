/**
 * Webhook ingest, in the order that keeps it cheap to refuse and safe to retry:
 *
 * 1. The provider verifies its signature over the exact bytes received (constant-time
 *    comparison) and its timestamp window, before anything is parsed or looked up.
 * 2. The provider parses and normalises the delivery (or answers a handshake such as
 *    Slack's url_verification at once).
 * 3. The installation / team / organization id routes it to the one workspace whose
 *    connection holds it. Unknown: 202, and nothing is stored anywhere (an attacker
 *    with a valid signature learns nothing and fills nothing).
 * 4. One transaction inserts the delivery id (primary key: a duplicate inserts
 *    nothing and records nothing) and records the normalised event through the
 *    provider's own events service, so event triggers fire on it.
 *
 * Nothing slow happens in the request: the event is one insert, and whatever reacts
 * to it (triggers, subscriptions) runs from the event log afterwards.
 */
import { createHash } from 'node:crypto';
import type { Db } from '@maskin/contract';
import type { IntegrationsService } from '../integrations/api.ts';
import { deliveries } from './tables.ts';

export type IngestOutcome =
  | { status: 'unknown_provider' }
  | { status: 'refused'; reason: 'signature_invalid' | 'timestamp_stale' | 'not_configured' }
  | { status: 'malformed' }
  | { status: 'reply'; body: Record<string, unknown> }
  | { status: 'ignored'; reason: string }
  | { status: 'duplicate'; deliveryId: string }
  | { status: 'recorded'; deliveryId: string; eventType: string };

export async function ingest(
  deps: {
    db: Db;
    integrations: IntegrationsService;
    isEnabled(workspaceId: string): Promise<boolean>;
    now(): Date;
  },
  input: { providerId: string; headers: Headers; body: Buffer },
): Promise<IngestOutcome> {
  const provider = deps.integrations.provider(input.providerId);
  if (!provider?.webhook) return { status: 'unknown_provider' };
  const request = { headers: input.headers, body: input.body, now: deps.now() };
  const verdict = provider.webhook.verify(request);
  if (!verdict.ok) return { status: 'refused', reason: verdict.reason };
  let parsed: ReturnType<typeof provider.webhook.parse>;
  try {
    parsed = provider.webhook.parse(request);
  } catch {
    return { status: 'malformed' };
  }
  if (parsed.reply) return { status: 'reply', body: parsed.reply };
  if (!parsed.externalId) return { status: 'ignored', reason: 'no_installation' };
  if (!parsed.event) return { status: 'ignored', reason: 'event_not_recorded' };
  const connection = await deps.integrations.findByExternalId(provider.id, parsed.externalId);
  if (!connection) return { status: 'ignored', reason: 'unknown_installation' };
  if (!(await deps.isEnabled(connection.workspaceId)) || !(await provider.enabledIn(connection.workspaceId)))
    return { status: 'ignored', reason: 'not_enabled' };
  const deliveryId = parsed.deliveryId ?? `sha256:${createHash('sha256').update(input.body).digest('hex')}`;
  const event = parsed.event;
  return deps.db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(deliveries)
      .values({
        provider: provider.id,
        deliveryId,
        workspaceId: connection.workspaceId,
        integrationId: connection.id,
        eventType: event.type,
        receivedAt: deps.now(),
      })
      .onConflictDoNothing()
      .returning();
    if (!inserted) return { status: 'duplicate', deliveryId } as const;
    await provider.record(tx, connection.workspaceId, {
      ...event,
      data: { ...event.data, integration_id: connection.id, delivery_id: deliveryId },
    });
    return { status: 'recorded', deliveryId, eventType: event.type } as const;
  });
}
