/**
 * Collecting object activity, exactly once, and forgetting that of deleted objects.
 *
 * - The durable subscription hands each object event to `collect` inside the
 *   transaction that advances its cursor; the item row, the unique (workspace, event)
 *   key and the object's "pending digest" link are all written through that `tx`, so
 *   an event is collected once or not at all.
 * - While an object has pending items it carries one link of record type
 *   `pending_digest` (linking again is a no-op). That is what makes objects call our
 *   `onObjectDeleted` hook when it is deleted: the hook drops its pending items in the
 *   deleting transaction. An event delivered after its object was deleted finds no
 *   object to link (404) and is skipped, so a deleted object never reaches a digest.
 * - The insight a digest creates about itself is not collected (else every digest
 *   would report the previous one): it is born with `metadata.daily_digest_id`, and
 *   the subscription reads the object (objects' service, through `tx`) and skips
 *   such objects. Deciding from the object itself, not from our digest row, leaves no
 *   window in which the insight's own event could slip in.
 */
import type { Db, EventJson } from '@maskin/contract';
import { orm } from '@maskin/contract';
import type { ObjectLinks, ObjectsService } from '../../core-extensions/objects/api.ts';
import { items } from './tables.ts';

const { and, eq, isNull } = orm;

export const COLLECTED_TYPES = ['object.created', 'object.updated', 'object.status_changed'];
export const INSIGHT_MARKER = 'daily_digest_id';
export const PENDING_LINK = { recordType: 'pending_digest', recordId: 'next' } as const;

function summaryOf(event: EventJson): string {
  const data = event.data;
  if (event.type === 'object.created')
    return `created ${String(data.type ?? '')} "${String(data.title ?? '')}"`;
  if (event.type === 'object.status_changed') return `status ${String(data.from)} -> ${String(data.to)}`;
  const changed = Array.isArray(data.changed) ? data.changed.join(', ') : '';
  return `updated ${changed}`.trim();
}

export async function collect(
  tx: Db,
  services: { links: ObjectLinks; objects: ObjectsService },
  workspaceId: string,
  event: EventJson,
): Promise<void> {
  const objectId = event.entity_id;
  if (!objectId) return;
  const [object] = await services.objects.getMany(tx, workspaceId, [objectId]);
  if (!object) return; // deleted since
  if (object.metadata[INSIGHT_MARKER] !== undefined) return; // a digest's own insight
  const { links } = services;
  try {
    await links.link(tx, { workspaceId, objectId, ...PENDING_LINK, actorId: null });
  } catch (error) {
    if ((error as { code?: string }).code === 'NOT_FOUND') return; // deleted since
    throw error;
  }
  await tx
    .insert(items)
    .values({ workspaceId, eventId: event.id, eventType: event.type, objectId, summary: summaryOf(event) })
    .onConflictDoNothing();
}

/** objects' link hook: the object is being deleted; drop what still waits for a digest. */
export async function dropPendingItems(tx: Db, workspaceId: string, objectId: string): Promise<void> {
  await tx
    .delete(items)
    .where(and(eq(items.workspaceId, workspaceId), eq(items.objectId, objectId), isNull(items.digestId)));
}
