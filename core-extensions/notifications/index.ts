/**
 * notifications: notifications for humans (questions from agents with structured
 * answers, recommendations, good news, alerts), unread tracking, and delivery by
 * email. Mounted at /api/notifications. Publishes its service (subscriptions and
 * comments create notifications through it) and `agentWakersPoint`, through which an
 * answer or a mention wakes an agent when something that runs agents (sessions) is
 * installed (api.ts).
 */
import {
  dbRef,
  defineExtension,
  eventsRef,
  installationConfigRef,
  jobsRef,
  membersRef,
} from '@maskin/contract';
import { objectsServiceRef } from '../objects/api.ts';
import { agentWakersPoint, notificationChannelsPoint, notificationsServiceRef } from './api.ts';
import { createChannelDelivery } from './channels.ts';
import { createEmailChannel } from './email.ts';
import { manifest, type NotificationsConfig } from './manifest.ts';
import { notificationRoutes } from './routes/notification-routes.ts';
import { preferenceRoutes } from './routes/preference-routes.ts';
import { NotificationsService } from './service.ts';
import { notificationTools } from './tools.ts';

export default defineExtension({
  manifest,
  deps: {
    database: dbRef,
    events: eventsRef,
    members: membersRef,
    objects: objectsServiceRef,
    jobs: jobsRef,
    config: installationConfigRef,
  },
  provides: notificationsServiceRef,
  extensionPoints: [agentWakersPoint, notificationChannelsPoint],
  migrations: new URL('./migrations/', import.meta.url),
  setup({ deps, extensionPoints }) {
    const { db } = deps.database;
    const service = new NotificationsService(
      deps.events,
      deps.members,
      deps.objects,
      extensionPoints.registrations(agentWakersPoint),
    );
    const email = createEmailChannel({
      db,
      jobs: deps.jobs,
      members: deps.members,
      events: deps.events,
      config: deps.config as NotificationsConfig,
    });
    email.register();
    service.onCreated = email.onCreated;
    const channels = createChannelDelivery(
      extensionPoints.registrations(notificationChannelsPoint),
      deps.members,
    );
    service.deliverToChannels = channels.deliver;
    return {
      // Static paths (/preferences, /digest) before /{id}.
      routes: [
        ...preferenceRoutes({ db, events: deps.events, email, channelNames: channels.names }),
        ...notificationRoutes(db, service),
      ],
      tools: notificationTools,
      service,
      dispose: async () => email.close(),
    };
  },
});
