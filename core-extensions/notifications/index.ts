/**
 * notifications: notifications for humans (questions from agents with structured
 * answers, recommendations, good news, alerts), unread tracking, and delivery by
 * email. Mounted at /api/notifications. Publishes its service (subscriptions and
 * comments create notifications through it) and `agentWakersPoint`, through which an
 * answer or a mention wakes an agent when something that runs agents (sessions) is
 * installed (api.ts).
 */
import { dbRef, defineExtension, eventsRef, membersRef } from '@maskin/contract';
import { objectsServiceRef } from '../objects/api.ts';
import { agentWakersPoint, notificationsServiceRef } from './api.ts';
import { manifest } from './manifest.ts';
import { notificationRoutes } from './routes/notification-routes.ts';
import { NotificationsService } from './service.ts';
import { notificationTools } from './tools.ts';

export default defineExtension({
  manifest,
  deps: { database: dbRef, events: eventsRef, members: membersRef, objects: objectsServiceRef },
  provides: notificationsServiceRef,
  extensionPoints: [agentWakersPoint],
  migrations: new URL('./migrations/', import.meta.url),
  setup({ deps, extensionPoints }) {
    const { db } = deps.database;
    const service = new NotificationsService(
      deps.events,
      deps.members,
      deps.objects,
      extensionPoints.registrations(agentWakersPoint),
    );
    return {
      routes: notificationRoutes(db, service),
      tools: notificationTools,
      service,
    };
  },
});
