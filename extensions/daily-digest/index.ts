/**
 * daily-digest: an example third-party extension that uses every capability of the
 * contract. Object activity is collected by a durable subscription, compiled once a
 * day per workspace by a job (scheduled from onEnabled, then by each run), linked to
 * its objects, summarised as an insight created by acting as the workspace owner, and
 * posted to a secret, signed webhook; the receiver acknowledges it with a signed
 * receipt. Compile progress is a Server-Sent Events stream; a static page explains it.
 */
import {
  actAsRef,
  dbRef,
  defineExtension,
  eventLogRef,
  eventsRef,
  installationConfigRef,
  jobsRef,
  lifecycleRef,
  loggerRef,
  membersRef,
  secretSettingsRef,
  streamsRef,
} from '@maskin/contract';
import {
  objectLinkHooksPoint,
  objectLinksRef,
  objectsServiceRef,
} from '../../core-extensions/objects/api.ts';
import { COLLECTED_TYPES, collect, dropPendingItems } from './collect.ts';
import { runCompile } from './compile.ts';
import { type DailyDigestConfig, type DailyDigestSettings, manifest } from './manifest.ts';
import { createProgress } from './progress.ts';
import { digestRoutes } from './routes/digests.ts';
import { receiptRoute } from './routes/receipts.ts';
import { COMPILE_QUEUE, type CompilePayload, repairSchedules, scheduleNext } from './schedule.ts';

export default defineExtension({
  manifest,
  deps: {
    database: dbRef,
    events: eventsRef,
    eventLog: eventLogRef,
    jobs: jobsRef,
    streams: streamsRef,
    members: membersRef,
    actAs: actAsRef,
    secrets: secretSettingsRef,
    config: installationConfigRef,
    lifecycle: lifecycleRef,
    logger: loggerRef,
    links: objectLinksRef,
    objects: objectsServiceRef,
  },
  migrations: new URL('./migrations/', import.meta.url),
  register({ extensionPoints }) {
    extensionPoints.add(objectLinkHooksPoint, {
      onObjectDeleted: ({ tx, workspaceId, objectId }) => dropPendingItems(tx, workspaceId, objectId),
    });
  },
  setup({ deps, settings, isEnabled }) {
    const { db } = deps.database;
    const config = deps.config as DailyDigestConfig;
    const progress = createProgress(db, deps.streams);

    deps.eventLog.subscribe({
      consumer: 'collect',
      types: COLLECTED_TYPES,
      handler: (event, { tx, workspaceId }) =>
        collect(tx, { links: deps.links, objects: deps.objects }, workspaceId, event),
    });

    deps.jobs.work<CompilePayload>(COMPILE_QUEUE, (job) =>
      runCompile(
        {
          db,
          jobs: deps.jobs,
          links: deps.links,
          members: deps.members,
          actAs: deps.actAs,
          secrets: deps.secrets,
          events: deps.events,
          progress,
          maxItems: config.max_items,
          settings,
          warn: (message, details) => deps.logger.warn(details, message),
        },
        job,
      ),
    );

    // A chain of scheduled jobs broken while no instance ran is restarted once we are up.
    deps.lifecycle.onReady(async () => {
      const repaired = await repairSchedules(db, deps.jobs, { isEnabled, settings });
      if (repaired > 0) deps.logger.info({ repaired }, 'daily-digest: restarted digest schedules');
    });

    const reschedule = (context: { tx: typeof db; workspaceId: string; settings: DailyDigestSettings }) =>
      scheduleNext(context.tx, deps.jobs, { workspaceId: context.workspaceId, settings: context.settings });

    return {
      routes: [
        ...digestRoutes({ db, jobs: deps.jobs, secrets: deps.secrets, events: deps.events, progress }),
        receiptRoute({ db, secrets: deps.secrets, events: deps.events }),
      ],
      onEnabled: async (context) => {
        await reschedule(context);
      },
      onSettingsChange: async (context) => {
        await reschedule(context);
      },
      pages: { assetsDir: new URL('./pages/', import.meta.url) },
    };
  },
});
