/**
 * comments: threaded comments on objects with @mentions (`@[Name](actor-id)`). A
 * mention notifies the mentioned member; a mentioned agent is woken to answer
 * through notifications' agent wakers. Mounted at /api/comments.
 */
import { dbRef, defineExtension, eventsRef, membersRef } from '@maskin/contract';
import { notificationsServiceRef } from '../notifications/api.ts';
import { objectsServiceRef } from '../objects/api.ts';
import { commentRoutes } from './routes.ts';
import { CommentsService } from './service.ts';

export default defineExtension({
  manifest: {
    id: 'comments',
    version: '1.0.0',
    kernel: '^1.0.0',
    description:
      'Threaded comments on objects, with @mentions that notify members and ask mentioned agents to answer.',
    mounts: ['comments'],
    enablement: 'default-on',
    requires: ['objects', 'notifications'],
    events: ['comment.created', 'comment.updated', 'comment.deleted'],
  },
  deps: {
    database: dbRef,
    events: eventsRef,
    members: membersRef,
    objects: objectsServiceRef,
    notifications: notificationsServiceRef,
  },
  migrations: new URL('./migrations/', import.meta.url),
  setup({ deps }) {
    const service = new CommentsService(deps.events, deps.members, deps.objects, deps.notifications);
    return { routes: commentRoutes(deps.database.db, service) };
  },
});
