/**
 * The fan-out: a durable event subscription (`types: ['*']`) that turns each event of
 * a workspace into notifications for its subscribers, inside the transaction that
 * moves the consumer's cursor, so each event notifies each subscriber exactly once,
 * across instances and restarts.
 *
 * - Creators and drivers were subscribed by the write itself (object-hooks.ts), so an
 *   `object.created` reaches the object's driver (named in the event's data, so the
 *   fan-out does not read the object's subscriptions back).
 * - Events about an object carry its type (`data.type`), so the object is read only
 *   when someone is to be notified (for the notification's title), not for every event.
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
  const typeOfObject =
    event.entity_type === 'object' && typeof event.data.type === 'string' ? event.data.type : undefined;
  // Other events name an object (comments, links) without its type: read it first.
  let object =
    objectId && !typeOfObject ? await findObject(deps.objects, tx, workspaceId, objectId) : undefined;
  const objectType =
    typeOfObject ??
    object?.type ??
    (typeof event.data.type === 'string' && objectId ? event.data.type : null);
  const candidates = await deps.subscriptions.subscribersOf(
    tx,
    workspaceId,
    { objectId, objectType, eventType: event.type, objectSubscribers: creationSubscribers(event) },
    event.actor_id,
  );
  if (candidates.length === 0) return;
  if (objectId && typeOfObject) object = await findObject(deps.objects, tx, workspaceId, objectId);
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

/**
 * Who is subscribed to an object when its creation is delivered, without a query per
 * created object (a bulk create is 500): the write subscribed its creator (the actor,
 * never notified) and its driver (`data.driver_id`). Someone who subscribed to it
 * after its creation committed is not told of the creation.
 */
function creationSubscribers(event: EventJson): string[] | undefined {
  if (event.type !== 'object.created') return undefined;
  const driver = event.data.driver_id;
  return typeof driver === 'string' ? [driver] : [];
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
