/**
 * The session state machine and the FIFO queue, with no HTTP.
 *
 *   pending -> queued -> starting -> running -> completed | failed | timeout | stopped
 *                 ^                    |  ^
 *                 |                    v  |  (resume: paused -> queued -> starting -> running)
 *                 +---------------- paused
 *
 * Every change is `transition(tx, ...)`: a conditional UPDATE (`where status in from`)
 * and its event in the same transaction, so two writers racing over one session (a
 * stop and the process exiting, two instances) cannot both win: the loser's UPDATE
 * matches no row and it records nothing. Terminal transitions also revoke the
 * session's key and write the log's `done` line in that transaction.
 *
 * Admission (`admit`) moves queued sessions to `starting` in FIFO order while the
 * workspace (setting) and each agent (profile) have free slots, under a per-workspace
 * transaction-scoped advisory lock, and enqueues one `start` job per admitted session
 * in the same transaction. The job is claimed once across instances (jobsRef); the
 * handler then claims the session row itself (`instance_id is null`), so a job that
 * runs twice (at-least-once delivery) still starts the process once.
 */
import type { Db, ExtensionAgentKeys, ExtensionEvents, ExtensionJobs } from '@maskin/contract';
import { orm } from '@maskin/contract';
import type { SessionStatus, SessionSummary } from './api.ts';
import { TERMINAL_SESSION_STATUSES } from './api.ts';
import type { SessionLogs } from './logs.ts';
import type { SessionEventType, SessionsSettings } from './manifest.ts';
import { profiles, type SessionRow, sessions } from './tables.ts';

const { and, eq, inArray, sql } = orm;

export const START_QUEUE = 'start';
export const ACTIVE: SessionStatus[] = ['starting', 'running'];

export interface SessionCore {
  db: Db;
  events: ExtensionEvents<SessionEventType>;
  jobs: ExtensionJobs;
  agentKeys: ExtensionAgentKeys;
  logs: SessionLogs;
  settings(workspaceId: string): Promise<SessionsSettings>;
}

export const isTerminal = (status: SessionStatus) => TERMINAL_SESSION_STATUSES.includes(status);

const EVENT_OF: Record<SessionStatus, SessionEventType> = {
  pending: 'session.created',
  queued: 'session.queued',
  starting: 'session.starting',
  running: 'session.started',
  paused: 'session.paused',
  completed: 'session.completed',
  failed: 'session.failed',
  timeout: 'session.timeout',
  stopped: 'session.stopped',
};

export function sessionJson(row: SessionRow) {
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    actor_id: row.actorId,
    created_by: row.createdBy,
    trigger_id: row.triggerId,
    parent_session_id: row.parentSessionId,
    status: row.status,
    prompt: row.prompt,
    config: row.config,
    reason: row.reason,
    pause_requested: row.pauseRequested,
    runtime_session_id: row.runtimeSessionId,
    resume_count: row.resumeCount,
    has_snapshot: row.snapshotKey !== null,
    usage: {
      input_tokens: row.inputTokens,
      output_tokens: row.outputTokens,
      cache_read_tokens: row.cacheReadTokens,
      cache_creation_tokens: row.cacheCreationTokens,
      cost_usd: Number(row.costUsd),
    },
    queued_at: row.queuedAt?.toISOString() ?? null,
    started_at: row.startedAt?.toISOString() ?? null,
    deadline_at: row.deadlineAt?.toISOString() ?? null,
    ended_at: row.endedAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export const summaryOf = (row: SessionRow): SessionSummary => ({
  id: row.id,
  workspaceId: row.workspaceId,
  actorId: row.actorId,
  status: row.status,
  prompt: row.prompt,
  createdBy: row.createdBy ?? row.actorId,
  triggerId: row.triggerId,
  reason: row.reason,
  createdAt: row.createdAt.toISOString(),
});

export interface TransitionOptions {
  from: readonly SessionStatus[];
  to: SessionStatus;
  /** Who caused it (null: the system). */
  actorId: string | null;
  reason?: string | null;
  /** Extra columns to set with the status. */
  set?: Partial<typeof sessions.$inferInsert>;
  /** Event type instead of the status's own (session.resumed for paused -> queued). */
  event?: SessionEventType;
  data?: Record<string, unknown>;
}

/** Applies a transition if the session is still in one of `from`; undefined when it was not. */
export async function transition(
  core: SessionCore,
  tx: Db,
  workspaceId: string,
  sessionId: string,
  options: TransitionOptions,
): Promise<SessionRow | undefined> {
  const terminal = isTerminal(options.to);
  const [row] = await tx
    .update(sessions)
    .set({
      ...options.set,
      status: options.to,
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
      ...(terminal ? { endedAt: sql`now()`, pauseRequested: false } : {}),
      updatedAt: sql`now()`,
    })
    .where(
      and(
        eq(sessions.workspaceId, workspaceId),
        eq(sessions.id, sessionId),
        inArray(sessions.status, [...options.from]),
      ),
    )
    .returning();
  if (!row) return undefined;
  if ((terminal || options.to === 'paused') && row.apiKeyId) {
    await core.agentKeys.revoke(tx, { keyId: row.apiKeyId, workspaceId, revokedBy: options.actorId });
  }
  await core.events.record(tx, {
    workspaceId,
    actorId: options.actorId,
    type: options.event ?? EVENT_OF[options.to],
    entityType: 'session',
    entityId: row.id,
    data: { status: row.status, agent_id: row.actorId, reason: row.reason, ...options.data },
  });
  const text = `status: ${row.status}${row.reason ? ` (${row.reason})` : ''}`;
  await core.logs.writeIn(tx, workspaceId, sessionId, [
    { stream: 'system', text },
    ...(terminal
      ? [
          {
            stream: 'system' as const,
            kind: 'done' as const,
            text: JSON.stringify({ status: row.status, reason: row.reason }),
          },
        ]
      : []),
  ]);
  return row;
}

/**
 * Admits queued sessions of a workspace in FIFO order while slots are free, each with
 * its start job, in one transaction under the workspace's advisory lock (so two
 * admitters cannot both take the last slot). Returns the ids admitted.
 */
export async function admit(core: SessionCore, workspaceId: string, outer?: Db): Promise<string[]> {
  const settings = await core.settings(workspaceId);
  const run = async (tx: Db) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`sessions:admit:${workspaceId}`}))`);
    const [{ active } = { active: 0 }] = await tx
      .select({ active: sql<number>`count(*)::int` })
      .from(sessions)
      .where(and(eq(sessions.workspaceId, workspaceId), inArray(sessions.status, ACTIVE)));
    let free = settings.max_concurrent_sessions - active;
    if (free <= 0) return [];
    const queued = await tx
      .select({ id: sessions.id, actorId: sessions.actorId, limit: profiles.maxConcurrentSessions })
      .from(sessions)
      .leftJoin(
        profiles,
        and(eq(profiles.workspaceId, sessions.workspaceId), eq(profiles.actorId, sessions.actorId)),
      )
      .where(and(eq(sessions.workspaceId, workspaceId), eq(sessions.status, 'queued')))
      .orderBy(sessions.queuedAt, sessions.id)
      .limit(200);
    if (queued.length === 0) return [];
    const perAgent = new Map<string, number>();
    const activeByAgent = await tx
      .select({ actorId: sessions.actorId, count: sql<number>`count(*)::int` })
      .from(sessions)
      .where(and(eq(sessions.workspaceId, workspaceId), inArray(sessions.status, ACTIVE)))
      .groupBy(sessions.actorId);
    for (const entry of activeByAgent) perAgent.set(entry.actorId, entry.count);
    const admitted: string[] = [];
    for (const candidate of queued) {
      if (free <= 0) break;
      const running = perAgent.get(candidate.actorId) ?? 0;
      if (candidate.limit !== null && candidate.limit !== undefined && running >= candidate.limit) continue;
      const row = await transition(core, tx, workspaceId, candidate.id, {
        from: ['queued'],
        to: 'starting',
        actorId: null,
        set: { instanceId: null },
      });
      if (!row) continue;
      await core.jobs.enqueue(tx, {
        queue: START_QUEUE,
        workspaceId,
        payload: { sessionId: candidate.id },
        singletonKey: `${candidate.id}:${row.resumeCount}`,
        maxAttempts: 3,
        timeoutMs: 120_000,
      });
      perAgent.set(candidate.actorId, running + 1);
      free--;
      admitted.push(candidate.id);
    }
    return admitted;
  };
  return outer ? run(outer) : core.db.transaction(run);
}
