/**
 * triggers: automations that fire on a cron schedule, on matching events, or once at
 * a time, and either start a session for an agent or call one operation of the API as
 * the trigger's creator. Mounted at /api/triggers; requires sessions.
 *
 * Built on the contract: event triggers are one durable subscription (on-event.ts),
 * cron and reminders are jobs pointing at their next slot (schedule.ts), a firing is
 * a run claimed under a unique key and executed by a job (engine.ts), and operation
 * actions go through act-as. A workspace where triggers is disabled stops firing
 * (its jobs wait and its events pass the cursor); others go on.
 */
import {
  actAsRef,
  dbRef,
  defineExtension,
  eventLogRef,
  eventsRef,
  jobsRef,
  membersRef,
} from '@maskin/contract';
import { sessionsServiceRef } from '../sessions/api.ts';
import { FIRE_QUEUE, TriggerEngine } from './engine.ts';
import { errors, eventTypes, settingsSchema } from './manifest.ts';
import { onEvent } from './on-event.ts';
import { triggerRoutes } from './routes/triggers.ts';
import { runTick, TICK_QUEUE, type TickPayload } from './schedule.ts';

export default defineExtension({
  manifest: {
    id: 'triggers',
    version: '1.0.0',
    kernel: '^1.0.0',
    description:
      'Automations: cron, event and reminder triggers that start agent sessions or call the API, each firing exactly once across instances.',
    requires: ['sessions'],
    mounts: ['triggers'],
    enablement: 'default-on',
    settings: settingsSchema,
    errors,
    events: [...eventTypes],
  },
  deps: {
    database: dbRef,
    events: eventsRef,
    eventLog: eventLogRef,
    jobs: jobsRef,
    actAs: actAsRef,
    members: membersRef,
    sessions: sessionsServiceRef,
  },
  migrations: new URL('./migrations/', import.meta.url),
  setup({ deps, settings }) {
    const { db } = deps.database;
    const engine = new TriggerEngine({
      jobs: deps.jobs,
      events: deps.events,
      actAs: deps.actAs,
      sessions: deps.sessions,
      settings,
    });

    deps.eventLog.subscribe({
      consumer: 'event-triggers',
      types: ['*'],
      handler: (event, { tx, workspaceId }) =>
        onEvent(tx, { engine, sessions: deps.sessions }, workspaceId, event),
    });
    deps.jobs.work<TickPayload>(
      TICK_QUEUE,
      (job) =>
        db.transaction((tx) =>
          runTick(
            tx,
            { jobs: deps.jobs, engine, events: deps.events, settings },
            {
              id: job.id,
              workspaceId: job.workspaceId!,
              payload: job.payload,
            },
          ),
        ),
      { concurrency: 2 },
    );
    deps.jobs.work<{ runId: string }>(
      FIRE_QUEUE,
      (job) => engine.execute(db, job.workspaceId!, job.payload.runId),
      {
        concurrency: 4,
      },
    );

    return {
      routes: triggerRoutes({
        db,
        jobs: deps.jobs,
        members: deps.members,
        actAs: deps.actAs,
        events: deps.events,
      }),
    };
  },
});
