/**
 * The fan-out: a durable event subscription (`types: ['*']`) that turns each event of
 * a workspace into notifications for its subscribers, inside the transaction that
 * moves the consumer's cursor, so each event notifies each subscriber exactly once,
 * across instances and restarts.
 *
 * - Creators and drivers are subscribed first: `object.created` subscribes its actor
 *   and the object's driver; an `object.updated` that changed `driver_id` subscribes
 *   the new driver.
 * - The actor who caused the event is never notified of it.
 * - Events this pair of extensions produces (`notification.*`, `subscription.*`) are
 *   never fanned out (that would loop), nor are `object.linked`/`object.unlinked`
 *   (the attaching extension records its own event, e.g. `comment.created`, which
 *   names the object) and `job.progress` (noise).
 * - Subscribers who are no longer members are skipped, and so are the actors a
 *   comment mentions (`data.mentions`): comments notified them already.
 */
import type { Db, EventJson, ExtensionMembers } from '@maskin/contract';
import type { NotificationsService } from '../notifications/api.ts';
import type { ObjectsService, WorkObject } from '../objects/api.ts';
import type { SubscriptionsService } from './service.ts';

const SKIPPED = new Set(['object.linked', 'object.unlinked', 'job.progress']);

export const isFannedOut = (type: string) =>
  !SKIPPED.has(type) && !type.startsWith('notification.') && !type.startsWith('subscription.');

export interface FanoutDeps {
  subscriptions: SubscriptionsService;
  notifications: NotificationsService;
  objects: ObjectsService;
  members: ExtensionMembers;
}

/** The object an event is about: its entity, or `data.object_id` (comments, links). */
export function objectIdOf(event: EventJson): string | null {
  if (event.entity_type === 'object' && event.entity_id) return event.entity_id;
  const id = event.data.object_id;
  return typeof id === 'string' ? id : null;
}

export async function fanOut(deps: FanoutDeps, tx: Db, workspaceId: string, event: EventJson) {
  if (!isFannedOut(event.type)) return;
  const objectId = objectIdOf(event);
  const object = objectId ? await findObject(deps.objects, tx, workspaceId, objectId) : undefined;
  if (object) await subscribeCreatorAndDriver(deps, tx, workspaceId, event, object);

  const objectType =
    object?.type ?? (typeof event.data.type === 'string' && objectId ? event.data.type : null);
  const candidates = await deps.subscriptions.subscribersOf(
    tx,
    workspaceId,
    { objectId, objectType, eventType: event.type },
    event.actor_id,
  );
  if (candidates.length === 0) return;
  const members = await deps.members.membersAmong(workspaceId, candidates, tx);
  // A comment's mentioned members were told directly (comments notifies them).
  const told = new Set(Array.isArray(event.data.mentions) ? event.data.mentions : []);
  const title = titleOf(event, object);
  for (const target of candidates) {
    if (!members.has(target) || told.has(target)) continue;
    await deps.notifications.create(
      tx,
      { workspaceId, sourceActorId: event.actor_id },
      {
        type: 'alert',
        targetActorId: target,
        title,
        objectId: object ? object.id : null,
        metadata: { event_id: event.id, event_type: event.type, via: 'subscription' },
      },
    );
  }
}

async function subscribeCreatorAndDriver(
  deps: FanoutDeps,
  tx: Db,
  workspaceId: string,
  event: EventJson,
  object: WorkObject,
) {
  const changed = Array.isArray(event.data.changed) ? event.data.changed : [];
  if (event.type === 'object.created' && event.actor_id) {
    await deps.subscriptions.ensure(
      tx,
      workspaceId,
      event.actor_id,
      'object',
      object.id,
      'creator',
      event.actor_id,
    );
  }
  if (object.driver_id && (event.type === 'object.created' || changed.includes('driver_id'))) {
    await deps.subscriptions.ensure(
      tx,
      workspaceId,
      object.driver_id,
      'object',
      object.id,
      'driver',
      event.actor_id,
    );
  }
}

async function findObject(objects: ObjectsService, tx: Db, workspaceId: string, id: string) {
  const [object] = await objects.getMany(tx, workspaceId, [id]);
  return object;
}

function titleOf(event: EventJson, object: WorkObject | undefined): string {
  const about = object
    ? ` "${object.title}"`
    : typeof event.data.title === 'string'
      ? ` "${event.data.title}"`
      : '';
  const change =
    event.type === 'object.status_changed' ? ` (${String(event.data.from)} → ${String(event.data.to)})` : '';
  return `${event.type}${about}${change}`.slice(0, 500);
}
