/**
 * Firing, the heart of triggers. Every firing has one fire key (`cron:<slot>`,
 * `event:<event id>`, `reminder`); claiming it inserts the run under a unique
 * constraint, so however many instances see the same slot or event, one run exists.
 * The claim happens in the transaction of whatever noticed the firing (the cron job,
 * the event subscription's cursor), together with the job that executes it.
 *
 * Executing a run:
 * - a session action creates the session in the same transaction that marks the run
 *   succeeded: exactly once;
 * - an operation action runs through act-as, which has its own transaction, so the run
 *   is marked `running` and committed first; a process that dies during the call leaves
 *   it `running`, and the retried job marks it failed (`interrupted`) instead of calling
 *   again: at most once, never twice.
 *
 * Failures back off exponentially (backoff_until, in the row); after
 * max_consecutive_failures in a row the trigger disables itself.
 */
import {
  ApiError,
  type Db,
  type EventJson,
  type ExtensionActAs,
  type ExtensionEvents,
  type ExtensionJobs,
  orm,
} from '@maskin/contract';
import type { SessionsService } from '../sessions/api.ts';
import type { TriggerAction } from './definition.ts';
import type { TriggerEventType, TriggersSettings } from './manifest.ts';
import { type RunRow, runs, type TriggerRow, triggers } from './tables.ts';
import { renderBody, renderPath, renderText, type TemplateScope } from './template.ts';

const { and, count, eq, gt, ne } = orm;

export const FIRE_QUEUE = 'fire';
const HOUR_MS = 3_600_000;

export interface Firing {
  key: string;
  event?: EventJson;
  scheduledFor?: Date;
}

export interface EngineDeps {
  jobs: ExtensionJobs;
  events: ExtensionEvents<TriggerEventType>;
  actAs: ExtensionActAs;
  sessions: SessionsService;
  settings: (workspaceId: string) => Promise<TriggersSettings>;
}

export function templateScope(
  trigger: TriggerRow,
  firing: Pick<Firing, 'event' | 'scheduledFor'>,
): TemplateScope {
  return {
    event: firing.event ?? {},
    trigger: { id: trigger.id, name: trigger.name, type: trigger.type },
    scheduled_for: firing.scheduledFor?.toISOString() ?? '',
    now: new Date().toISOString(),
  };
}

/** The action with its templates filled in for one firing. */
export function renderAction(action: TriggerAction, scope: TemplateScope): TriggerAction {
  if (action.kind === 'session') return { ...action, prompt: renderText(action.prompt, scope) };
  return {
    ...action,
    path: renderPath(action.path, scope),
    ...(action.body === undefined ? {} : { body: renderBody(action.body, scope) }),
  };
}

export async function lockTrigger(
  tx: Db,
  workspaceId: string,
  triggerId: string,
): Promise<TriggerRow | undefined> {
  const [row] = await tx
    .select()
    .from(triggers)
    .where(and(eq(triggers.workspaceId, workspaceId), eq(triggers.id, triggerId)))
    .for('update');
  return row;
}

export class TriggerEngine {
  constructor(private readonly deps: EngineDeps) {}

  /**
   * Claims one firing of `trigger` in `tx`. Returns the run, or undefined when this
   * firing was already claimed (by this or another instance) or the trigger is off.
   */
  async claim(tx: Db, trigger: TriggerRow, firing: Firing, skip?: string): Promise<RunRow | undefined> {
    const locked = await lockTrigger(tx, trigger.workspaceId, trigger.id);
    if (!locked?.enabled) return undefined;
    const now = new Date();
    let reason = skip;
    if (!reason && locked.backoffUntil && locked.backoffUntil > now) reason = 'backing_off';
    if (!reason) {
      const [recent] = await tx
        .select({ n: count() })
        .from(runs)
        .where(
          and(
            eq(runs.triggerId, locked.id),
            ne(runs.status, 'skipped'),
            gt(runs.createdAt, new Date(now.getTime() - HOUR_MS)),
          ),
        );
      if ((recent?.n ?? 0) >= locked.maxFiresPerHour) reason = 'rate_limited';
    }
    const [run] = await tx
      .insert(runs)
      .values({
        workspaceId: locked.workspaceId,
        triggerId: locked.id,
        fireKey: firing.key,
        status: reason ? 'skipped' : 'pending',
        reason,
        eventId: firing.event?.id,
        scheduledFor: firing.scheduledFor,
        action: reason ? undefined : renderAction(locked.action, templateScope(locked, firing)),
        finishedAt: reason ? now : undefined,
      })
      .onConflictDoNothing({ target: [runs.triggerId, runs.fireKey] })
      .returning();
    if (!run || reason) return run;
    await tx.update(triggers).set({ lastFiredAt: now }).where(eq(triggers.id, locked.id));
    await this.deps.jobs.enqueue(tx, {
      queue: FIRE_QUEUE,
      workspaceId: locked.workspaceId,
      payload: { runId: run.id },
      singletonKey: run.id,
      // each attempt either finishes the run or finds it finished: retries are safe
      maxAttempts: 5,
      timeoutMs: 120_000,
    });
    return run;
  }

  /** The fire job: runs a claimed run's action once. */
  async execute(db: Db, workspaceId: string, runId: string): Promise<void> {
    const operation = await db.transaction(async (tx) => {
      const [run] = await tx
        .select()
        .from(runs)
        .where(and(eq(runs.workspaceId, workspaceId), eq(runs.id, runId)))
        .for('update');
      if (!run || run.status === 'succeeded' || run.status === 'failed' || run.status === 'skipped')
        return undefined;
      const trigger = await lockTrigger(tx, workspaceId, run.triggerId);
      if (!trigger) return undefined;
      if (run.status === 'running') {
        await this.fail(
          tx,
          trigger,
          run,
          'interrupted: the instance stopped during the call; it was not repeated',
        );
        return undefined;
      }
      const action = run.action ?? trigger.action;
      if (action.kind === 'session') {
        await this.startSession(tx, trigger, run, action);
        return undefined;
      }
      await tx.update(runs).set({ status: 'running' }).where(eq(runs.id, run.id));
      return { trigger, run, action };
    });
    if (!operation) return;
    const { trigger, run, action } = operation;
    let result: { status: number; body: unknown };
    try {
      result = await this.deps.actAs.call({
        actorId: trigger.createdBy,
        workspaceId,
        method: action.method,
        path: action.path,
        ...(action.body === undefined ? {} : { body: action.body }),
      });
    } catch (error) {
      result = { status: 0, body: { error: (error as Error).message } };
    }
    await db.transaction(async (tx) => {
      const current = await lockTrigger(tx, workspaceId, trigger.id);
      if (!current) return;
      if (result.status >= 200 && result.status < 300) await this.succeed(tx, current, run, { result });
      else await this.fail(tx, current, run, failureText(result), result);
    });
  }

  private async startSession(
    tx: Db,
    trigger: TriggerRow,
    run: RunRow,
    action: TriggerAction & { kind: 'session' },
  ) {
    try {
      // a savepoint: a refused session undoes its own writes, not the run's outcome
      const session = await tx.transaction((savepoint) =>
        this.deps.sessions.create(savepoint, {
          workspaceId: trigger.workspaceId,
          agentId: action.agent_id,
          prompt: action.prompt,
          createdBy: trigger.createdBy,
          triggerId: trigger.id,
          ...(action.config ? { config: action.config } : {}),
        }),
      );
      await this.succeed(tx, trigger, run, { sessionId: session.id });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      await this.fail(tx, trigger, run, `${error.code}: ${error.message}`);
    }
  }

  private async succeed(
    tx: Db,
    trigger: TriggerRow,
    run: RunRow,
    outcome: { sessionId?: string; result?: { status: number; body: unknown } },
  ) {
    await tx
      .update(runs)
      .set({
        status: 'succeeded',
        sessionId: outcome.sessionId,
        result: outcome.result,
        finishedAt: new Date(),
      })
      .where(eq(runs.id, run.id));
    await tx
      .update(triggers)
      .set({ consecutiveFailures: 0, backoffUntil: null })
      .where(eq(triggers.id, trigger.id));
    await this.deps.events.record(tx, {
      workspaceId: trigger.workspaceId,
      actorId: trigger.createdBy,
      type: 'trigger.fired',
      entityType: 'trigger',
      entityId: trigger.id,
      data: {
        run_id: run.id,
        fire_key: run.fireKey,
        ...(run.eventId ? { event_id: run.eventId } : {}),
        ...(outcome.sessionId ? { session_id: outcome.sessionId } : {}),
        ...(outcome.result ? { status: outcome.result.status } : {}),
      },
    });
  }

  private async fail(
    tx: Db,
    trigger: TriggerRow,
    run: RunRow,
    reason: string,
    result?: { status: number; body: unknown },
  ) {
    const settings = await this.deps.settings(trigger.workspaceId);
    const failures = trigger.consecutiveFailures + 1;
    const delay = Math.min(HOUR_MS, settings.failure_backoff_seconds * 1000 * 2 ** (failures - 1));
    const breaks = failures >= settings.max_consecutive_failures;
    await tx
      .update(runs)
      .set({ status: 'failed', reason: reason.slice(0, 2000), result, finishedAt: new Date() })
      .where(eq(runs.id, run.id));
    await tx
      .update(triggers)
      .set({
        consecutiveFailures: failures,
        backoffUntil: new Date(Date.now() + delay),
        ...(breaks
          ? {
              enabled: false,
              disabledReason: `failed ${failures} times in a row`,
              nextJobId: null,
              nextRunAt: null,
            }
          : {}),
      })
      .where(eq(triggers.id, trigger.id));
    const base = {
      workspaceId: trigger.workspaceId,
      actorId: trigger.createdBy,
      entityType: 'trigger',
      entityId: trigger.id,
    };
    await this.deps.events.record(tx, {
      ...base,
      type: 'trigger.failed',
      data: {
        run_id: run.id,
        fire_key: run.fireKey,
        reason: reason.slice(0, 500),
        consecutive_failures: failures,
      },
    });
    if (breaks) {
      await this.deps.events.record(tx, {
        ...base,
        type: 'trigger.disabled',
        data: { reason: 'consecutive_failures', consecutive_failures: failures },
      });
    }
  }
}

function failureText(result: { status: number; body: unknown }): string {
  const error = (result.body as { error?: { code?: string; message?: string } } | null)?.error;
  if (result.status === 0) return `call failed: ${JSON.stringify(result.body)}`;
  return `HTTP ${result.status}${error?.code ? ` ${error.code}` : ''}${error?.message ? `: ${error.message}` : ''}`;
}
