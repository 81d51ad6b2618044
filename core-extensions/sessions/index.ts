/**
 * sessions: agents run as processes on a prompt and work through this API over MCP,
 * observable (logs, SSE), stoppable, pausable with real snapshots, accounted for (usage,
 * budgets), and shared by every server process on one database (runner.ts).
 */
import { join, resolve } from 'node:path';
import {
  agentKeysRef,
  blobsRef,
  configRef,
  dbRef,
  defineExtension,
  eventsRef,
  installationConfigRef,
  jobsRef,
  lifecycleRef,
  loggerRef,
  membersRef,
  orm,
  secretSettingsRef,
  secretsRef,
  streamsRef,
} from '@maskin/contract';
import { type SessionsService, sessionCredentialsPoint, sessionsServiceRef } from './api.ts';
import { createSession } from './create.ts';
import { createSessionLogs } from './logs.ts';
import { manifest, type SessionsConfig, type SessionsSettings } from './manifest.ts';
import { logRoutes } from './routes/logs.ts';
import { profileRoutes } from './routes/profiles.ts';
import { resumeSession, sessionRoutes } from './routes/sessions.ts';
import { usageRoutes } from './routes/usage.ts';
import { usageReportRoute } from './routes/usage-report.ts';
import { SessionRunner } from './runner.ts';
import { processRuntime } from './runtime/process.ts';
import { type SessionCore, START_QUEUE, summaryOf } from './service.ts';
import { materializeSkills, skillRoutes } from './skills/index.ts';
import { sessions } from './tables.ts';
import { wasRunningForTrigger } from './trigger-sessions.ts';

export default defineExtension({
  manifest,
  deps: {
    database: dbRef,
    events: eventsRef,
    jobs: jobsRef,
    streams: streamsRef,
    lifecycle: lifecycleRef,
    secrets: secretsRef,
    secretSettings: secretSettingsRef,
    blobs: blobsRef,
    members: membersRef,
    agentKeys: agentKeysRef,
    config: installationConfigRef,
    kernelConfig: configRef,
    logger: loggerRef,
  },
  provides: sessionsServiceRef,
  extensionPoints: [sessionCredentialsPoint],
  migrations: new URL('./migrations/', import.meta.url),
  setup({ deps, settings, extensionPoints }) {
    const { db } = deps.database;
    const config = deps.config as SessionsConfig;
    const kernelConfig = deps.kernelConfig;
    const logs = createSessionLogs(db, deps.streams);
    const core: SessionCore & { members: typeof deps.members } = {
      db,
      events: deps.events,
      jobs: deps.jobs,
      agentKeys: deps.agentKeys,
      logs,
      members: deps.members,
      settings: (workspaceId) => settings(workspaceId) as Promise<SessionsSettings>,
    };
    const host =
      kernelConfig.host === '0.0.0.0' || kernelConfig.host === '::' ? '127.0.0.1' : kernelConfig.host;
    const apiUrl = (
      config.api_url ??
      kernelConfig.publicUrl ??
      `http://${host}:${kernelConfig.port}`
    ).replace(/\/+$/, '');
    const runner = new SessionRunner({
      ...core,
      config,
      apiUrl,
      workRoot: resolve(config.work_dir ?? join(kernelConfig.dataDir, 'sessions')),
      blobs: deps.blobs,
      secrets: deps.secrets,
      secretSettings: deps.secretSettings,
      providers: extensionPoints.registrations(sessionCredentialsPoint),
      runtime: processRuntime,
      materializeSkills,
      logger: deps.logger,
    });

    deps.jobs.work<{ sessionId: string }>(START_QUEUE, (job) => runner.handleStart(job), { concurrency: 4 });
    deps.jobs.work('sweep', () => runner.sweep());
    deps.jobs.schedule({ name: 'sweep', cron: config.sweep_cron, maxAttempts: 1, timeoutMs: 60_000 });
    deps.lifecycle.onReady(() => runner.start());
    deps.lifecycle.onShutdown(() => runner.stop());

    const service: SessionsService & { runner: SessionRunner } = {
      runner,
      async create(tx, input) {
        const row = await createSession(core, tx, await core.settings(input.workspaceId), input);
        return summaryOf(row);
      },
      async get(workspaceId, sessionId, tx) {
        const [row] = await (tx ?? db)
          .select()
          .from(sessions)
          .where(orm.and(orm.eq(sessions.workspaceId, workspaceId), orm.eq(sessions.id, sessionId)));
        return row ? summaryOf(row) : undefined;
      },
      async resume(tx, workspaceId, sessionId, options) {
        return summaryOf(await resumeSession(core, tx, workspaceId, sessionId, options));
      },
      async wasRunningForTrigger(tx, query) {
        return wasRunningForTrigger(tx, query);
      },
    };

    return {
      // Static paths before /{id}, which would otherwise take them.
      routes: [
        ...skillRoutes({ db, events: deps.events, members: deps.members }),
        ...profileRoutes({ db, events: deps.events, secrets: deps.secrets, members: deps.members }),
        ...usageRoutes({ db }),
        ...sessionRoutes(core),
        usageReportRoute({
          db,
          events: deps.events,
          enforceBudgets: (workspaceId, actorId) => runner.enforceBudgets(workspaceId, actorId),
        }),
        ...logRoutes({ db, logs }),
      ],
      service,
    };
  },
});
