/**
 * subscriptions: an actor subscribes to an object, an object type or an event type,
 * and each matching event caused by someone else becomes a notification for it (a
 * durable event subscription over every event: fanout.ts). Creators and drivers of
 * objects are subscribed automatically. Mounted at /api/subscriptions.
 */
import { dbRef, defineExtension, eventLogRef, eventsRef, membersRef } from '@maskin/contract';
import { notificationsServiceRef } from '../notifications/api.ts';
import { objectHooksPoint, objectsServiceRef } from '../objects/api.ts';
import { fanOut } from './fanout.ts';
import { subscriptionObjectHooks } from './object-hooks.ts';
import { subscriptionRoutes } from './routes.ts';
import { SubscriptionsService } from './service.ts';

export default defineExtension({
  manifest: {
    id: 'subscriptions',
    version: '1.0.0',
    kernel: '^1.0.0',
    description:
      'Subscriptions to objects, object types and event types: matching events notify subscribers; creators and drivers are subscribed automatically.',
    mounts: ['subscriptions'],
    enablement: 'default-on',
    requires: ['notifications', 'objects'],
    events: ['subscription.created', 'subscription.deleted'],
  },
  deps: {
    database: dbRef,
    events: eventsRef,
    eventLog: eventLogRef,
    members: membersRef,
    notifications: notificationsServiceRef,
    objects: objectsServiceRef,
  },
  migrations: new URL('./migrations/', import.meta.url),
  async register({ extensionPoints, kernelService, isEnabledInTransaction }) {
    const events = await kernelService(eventsRef);
    extensionPoints.add(objectHooksPoint, subscriptionObjectHooks(events, isEnabledInTransaction));
  },
  setup({ deps }) {
    const service = new SubscriptionsService(deps.events, deps.objects);
    deps.eventLog.subscribe({
      consumer: 'fanout',
      types: ['*'],
      handler: (event, { tx, workspaceId }) =>
        fanOut(
          {
            subscriptions: service,
            notifications: deps.notifications,
            objects: deps.objects,
            members: deps.members,
          },
          tx,
          workspaceId,
          event,
        ),
    });
    return { routes: subscriptionRoutes(deps.database.db, service) };
  },
});
