/**
 * The instance side of sessions: this server process runs the sessions it claims.
 *
 * - Start: the `start` job (claimed once across instances by jobsRef) claims the
 *   session row (`status = 'starting' and instance_id is null`, so a retried job never
 *   starts a second process), mints the session key (agentKeysRef: this workspace only,
 *   expiring at the deadline), prepares the working directory, and starts the agent
 *   through the SessionRuntime. The job ends once the agent runs; the process belongs to
 *   this instance from then on.
 * - Heartbeat: the instance's row in sessions_instances is touched every `heartbeat_ms`.
 *   The sweep (a jobsRef schedule, one run per slot across instances) fails the active
 *   sessions of an instance silent for `dead_after_ms` with reason `instance_lost: ...`,
 *   which also revokes their keys, so an orphaned agent can do nothing more.
 * - Control: every `control_ms` the instance reads its sessions' rows. A status that is
 *   no longer active (stopped from any instance, budget, reaped) kills the process group;
 *   a passed deadline makes it `timeout`; `pause_requested` snapshots and pauses; queued
 *   inputs go to stdin. Commands travel through the database, so a stop sent to any
 *   instance reaches the one that runs the process.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type {
  ExtensionBlobs,
  ExtensionMembers,
  ExtensionPointRegistrations,
  ExtensionSecretSettings,
  ExtensionSecrets,
  JobContext,
} from '@maskin/contract';
import { orm } from '@maskin/contract';
import type { Logger } from 'pino';
import type { SessionCredentialProvider } from './api.ts';
import { resolveCredentials } from './credentials.ts';
import type { LogWriter } from './logs.ts';
import type { SessionsConfig } from './manifest.ts';
import { decryptEnv, readProfile } from './profiles.ts';
import { buildCommand } from './runtime/commands.ts';
import type { RunningAgent, RuntimeExit, SessionRuntime } from './runtime/session-runtime.ts';
import { ACTIVE, admit, isTerminal, type SessionCore, transition } from './service.ts';
import { restoreSnapshot, saveSnapshot } from './snapshots.ts';
import { inputs, instances, type SessionRow, sessions } from './tables.ts';
import { exhaustedBudget, parseStreamJsonLine, recordTotals, type UsageTotals } from './usage.ts';

const { and, eq, inArray, isNull, lt, ne, sql } = orm;

export type MaterializeSkills = (
  db: SessionCore['db'],
  workspaceId: string,
  actorId: string,
  workingDir: string,
) => Promise<unknown>;

export interface RunnerDeps extends SessionCore {
  config: SessionsConfig;
  apiUrl: string;
  workRoot: string;
  blobs: ExtensionBlobs;
  secrets: ExtensionSecrets;
  secretSettings: ExtensionSecretSettings;
  members: ExtensionMembers;
  providers: ExtensionPointRegistrations<SessionCredentialProvider>;
  runtime: SessionRuntime;
  logger: Logger;
  /** Skills into the working directory (wired by the lead from ./skills at merge). */
  materializeSkills?: MaterializeSkills;
}

interface LocalSession {
  id: string;
  workspaceId: string;
  actorId: string;
  agent: RunningAgent;
  writer: LogWriter;
  baseDir: string;
  workDir: string;
  /**
   * The work of ending the run, set once this instance decided how it ends (exit, stop
   * seen, timeout, pause, shutdown); shutdown waits for it so no write outlives the pool.
   */
  ending: Promise<void> | null;
  /** Usage and id updates, one after another. */
  chain: Promise<void>;
  base: UsageTotals;
  model: string | null;
  runtimeSessionId: string | null;
}

const totalsOf = (row: SessionRow): UsageTotals => ({
  inputTokens: row.inputTokens,
  outputTokens: row.outputTokens,
  cacheReadTokens: row.cacheReadTokens,
  cacheCreationTokens: row.cacheCreationTokens,
  costUsd: Number(row.costUsd),
});

const DEFAULT_RESUME_PROMPT =
  'You were paused and are resumed now. Continue the task where you left off; your working directory is as you left it.';

export class SessionRunner {
  readonly instanceId = randomUUID();
  private readonly local = new Map<string, LocalSession>();
  private timers: NodeJS.Timeout[] = [];
  private registered: Promise<void> | undefined;
  private controlling = false;
  private closed = false;
  /** Starts in flight: shutdown waits for them, so a process spawned meanwhile ends with the rest. */
  private readonly starting = new Set<Promise<void>>();

  constructor(private readonly deps: RunnerDeps) {}

  get runningHere(): number {
    return this.local.size;
  }

  private ensureRegistered(): Promise<void> {
    this.registered ??= (async () => {
      await this.deps.db
        .insert(instances)
        .values({ id: this.instanceId, host: hostname(), pid: process.pid })
        .onConflictDoUpdate({ target: instances.id, set: { heartbeatAt: sql`now()` } });
    })();
    return this.registered;
  }

  async start(): Promise<void> {
    await this.ensureRegistered();
    this.timers.push(
      setInterval(
        () => void this.heartbeat().catch((error) => this.warn(error, 'heartbeat failed')),
        this.deps.config.heartbeat_ms,
      ),
      setInterval(
        () => void this.control().catch((error) => this.warn(error, 'control failed')),
        this.deps.config.control_ms,
      ),
    );
  }

  /** Shutdown: the agents of this instance end with it (failed, with the reason). */
  async stop(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await Promise.allSettled([...this.starting]);
    await Promise.all(
      [...this.local.values()].map((session) =>
        this.end(session, async () => {
          await session.agent.stop(1_000);
          await this.finish(
            session,
            ['starting', 'running'],
            'failed',
            'instance_shutdown: the server running it stopped',
          );
        }),
      ),
    );
    await this.deps.db.delete(instances).where(eq(instances.id, this.instanceId));
  }

  /**
   * Ends a run once: the first decision wins, later ones (a shutdown racing the agent's own
   * exit) wait for it. A failure is logged, never an unhandled rejection.
   */
  private end(session: LocalSession, work: () => Promise<void>): Promise<void> {
    session.ending ??= work().catch((error) => this.warn(error, `could not end session ${session.id}`));
    return session.ending;
  }

  private warn(error: unknown, message: string) {
    this.deps.logger.warn({ err: error, instance: this.instanceId }, `sessions: ${message}`);
  }

  private async heartbeat() {
    const touched = await this.deps.db
      .update(instances)
      .set({ heartbeatAt: sql`now()` })
      .where(eq(instances.id, this.instanceId))
      .returning({ id: instances.id });
    if (touched.length === 0) {
      // Reaped while we stalled: our sessions were failed (control kills them); carry on.
      this.registered = undefined;
      await this.ensureRegistered();
    }
  }

  /** The `start` job: claim, prepare, spawn. */
  async handleStart(job: JobContext<{ sessionId: string }>): Promise<void> {
    if (this.closed) throw new Error('this instance is shutting down');
    const starting = this.startSession(job);
    this.starting.add(starting);
    try {
      await starting;
    } finally {
      this.starting.delete(starting);
    }
  }

  private async startSession(job: JobContext<{ sessionId: string }>): Promise<void> {
    await this.ensureRegistered();
    const { db } = this.deps;
    const workspaceId = job.workspaceId!;
    const { sessionId } = job.payload;
    const settings = await this.deps.settings(workspaceId);
    const [peek] = await db
      .select()
      .from(sessions)
      .where(and(eq(sessions.workspaceId, workspaceId), eq(sessions.id, sessionId)));
    if (peek?.status !== 'starting' || peek.instanceId !== null) return;
    const budget = await exhaustedBudget(db, workspaceId, peek.actorId, settings.monthly_budget_usd);
    if (budget) {
      await db.transaction((tx) =>
        transition(this.deps, tx, workspaceId, sessionId, {
          from: ['starting'],
          to: 'stopped',
          actorId: null,
          reason: 'budget_exceeded',
          data: { budget_scope: budget.scope },
        }),
      );
      await admit(this.deps, workspaceId);
      return;
    }
    const timeoutSeconds = Math.min(
      peek.config.timeout_seconds ?? settings.default_timeout_seconds,
      settings.max_timeout_seconds,
    );
    const claimed = await db.transaction(async (tx) => {
      const deadline = new Date(Date.now() + timeoutSeconds * 1000);
      const [row] = await tx
        .update(sessions)
        .set({ instanceId: this.instanceId, deadlineAt: deadline, updatedAt: sql`now()` })
        .where(and(eq(sessions.id, sessionId), eq(sessions.status, 'starting'), isNull(sessions.instanceId)))
        .returning();
      if (!row) return undefined;
      const profile = await readProfile(tx, workspaceId, row.actorId);
      if (!profile) {
        await transition(this.deps, tx, workspaceId, sessionId, {
          from: ['starting'],
          to: 'failed',
          actorId: null,
          reason: 'The agent has no runtime profile in this workspace',
        });
        return undefined;
      }
      const key = await this.deps.agentKeys.mint(tx, {
        agentId: row.actorId,
        workspaceId,
        name: `session ${sessionId}`,
        expiresAt: deadline,
        createdBy: row.createdBy,
      });
      await tx.update(sessions).set({ apiKeyId: key.id }).where(eq(sessions.id, sessionId));
      return { row, profile, key, deadline };
    });
    if (!claimed) {
      await admit(this.deps, workspaceId);
      return;
    }
    const { row, profile, key } = claimed;
    const baseDir = join(this.deps.workRoot, workspaceId, sessionId);
    const workDir = join(baseDir, `work-${row.resumeCount}`);
    const configDir = join(baseDir, 'config');
    const resuming = row.resumeCount > 0;
    let agent: RunningAgent;
    const systemLines: string[] = [];
    try {
      rmSync(workDir, { recursive: true, force: true });
      mkdirSync(configDir, { recursive: true, mode: 0o700 });
      if (resuming && row.snapshotKey) {
        await restoreSnapshot(this.deps.blobs, workspaceId, row.snapshotKey, workDir);
        systemLines.push(`restored the working directory from ${row.snapshotKey}`);
      } else {
        mkdirSync(workDir, { recursive: true, mode: 0o700 });
      }
      const mcpConfigPath = join(configDir, 'mcp.json');
      const mcpServers = {
        ...profile.mcpServers,
        maskin: {
          type: 'http',
          url: `${this.deps.apiUrl}/mcp`,
          headers: { Authorization: `Bearer ${key.key}`, 'X-Workspace-Id': workspaceId },
        },
      };
      writeFileSync(mcpConfigPath, JSON.stringify({ mcpServers }, null, 2), { mode: 0o600 });

      // The agent's attached skills, where the runtime expects them (Claude Code:
      // .claude/skills/<name>/SKILL.md). A fresh start only: a resumed directory is the
      // snapshot, skills included, exactly as the agent left it.
      if (!resuming) await this.deps.materializeSkills?.(this.deps.db, workspaceId, row.actorId, workDir);

      const agentEnv = decryptEnv(this.deps.secrets, profile);
      const credentials = await resolveCredentials(
        { providers: this.deps.providers, secretSettings: this.deps.secretSettings },
        { workspaceId, runtime: profile.runtime, agentEnv },
      );
      systemLines.push(`credentials: ${credentials.source}`);
      const prompt = resuming ? (row.config.resume_input ?? DEFAULT_RESUME_PROMPT) : row.prompt;
      const path = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
      const argv = buildCommand({
        runtime: profile.runtime,
        customArgv: profile.command ?? null,
        prompt,
        model: row.config.model ?? profile.model,
        systemPrompt: row.config.system_prompt ?? profile.systemPrompt,
        mcpConfigPath,
        resumeRuntimeSessionId: resuming && profile.runtime === 'claude-code' ? row.runtimeSessionId : null,
        claudeBin: this.deps.config.claude_bin,
        codexBin: this.deps.config.codex_bin,
        path,
      });
      const env: Record<string, string> = {
        PATH: path,
        HOME: process.env.HOME ?? workDir,
        LANG: process.env.LANG ?? 'C.UTF-8',
        TERM: 'dumb',
        ...agentEnv,
        ...credentials.env,
        MASKIN_API_URL: this.deps.apiUrl,
        MASKIN_WORKSPACE_ID: workspaceId,
        MASKIN_SESSION_ID: sessionId,
        MASKIN_AGENT_ID: row.actorId,
        MASKIN_API_KEY: key.key,
        MASKIN_MCP_CONFIG: mcpConfigPath,
        MASKIN_PROMPT: prompt,
        ...(resuming ? { MASKIN_RESUME: '1' } : {}),
      };
      agent = await this.deps.runtime.start({ sessionId, argv, env, cwd: workDir });
    } catch (error) {
      rmSync(baseDir, { recursive: true, force: true });
      await db.transaction(async (tx) => {
        await this.deps.logs.writeIn(
          tx,
          workspaceId,
          sessionId,
          systemLines.map((text) => ({ stream: 'system' as const, text })),
        );
        await transition(this.deps, tx, workspaceId, sessionId, {
          from: ['starting'],
          to: 'failed',
          actorId: null,
          reason: (error as Error).message,
          set: { instanceId: null },
        });
      });
      await admit(this.deps, workspaceId);
      return;
    }

    const session: LocalSession = {
      id: sessionId,
      workspaceId,
      actorId: row.actorId,
      agent,
      writer: this.deps.logs.writer(workspaceId, sessionId),
      baseDir,
      workDir,
      ending: null,
      chain: Promise.resolve(),
      base: totalsOf(row),
      model: row.config.model ?? profile.model,
      runtimeSessionId: row.runtimeSessionId,
    };
    this.local.set(sessionId, session);
    agent.onLine((stream, text) => this.onLine(session, stream, text));
    const running = await db.transaction(async (tx) => {
      await this.deps.logs.writeIn(
        tx,
        workspaceId,
        sessionId,
        systemLines.map((text) => ({ stream: 'system' as const, text })),
      );
      return transition(this.deps, tx, workspaceId, sessionId, {
        from: ['starting'],
        to: 'running',
        actorId: null,
        event: resuming ? 'session.resumed' : 'session.started',
        set: { pid: agent.pid ?? null, startedAt: row.startedAt ?? new Date() },
        data: { instance_id: this.instanceId, runtime: profile.runtime, resume_count: row.resumeCount },
      });
    });
    if (!running) {
      // Stopped while it was starting: the process must not outlive that.
      await this.end(session, async () => {
        await agent.stop(500);
        await this.cleanup(session);
      });
      return;
    }
    void agent.exited.then((exit) => this.onExit(session, exit));
  }

  private onLine(session: LocalSession, stream: 'stdout' | 'stderr', text: string) {
    session.writer.push(stream, text);
    if (stream !== 'stdout') return;
    const parsed = parseStreamJsonLine(text);
    if (!parsed) return;
    session.chain = session.chain
      .then(() => this.applyParsed(session, parsed))
      .catch((error) => this.warn(error, 'could not record usage'));
  }

  private async applyParsed(
    session: LocalSession,
    parsed: NonNullable<ReturnType<typeof parseStreamJsonLine>>,
  ) {
    const { db } = this.deps;
    if (parsed.model) session.model = parsed.model;
    if (parsed.runtimeSessionId && parsed.runtimeSessionId !== session.runtimeSessionId) {
      session.runtimeSessionId = parsed.runtimeSessionId;
      await db
        .update(sessions)
        .set({ runtimeSessionId: parsed.runtimeSessionId })
        .where(eq(sessions.id, session.id));
    }
    if (!parsed.totals) return;
    const totals = parsed.totals;
    const recorded = await db.transaction(async (tx) => {
      const [row] = await tx.select().from(sessions).where(eq(sessions.id, session.id));
      return row ? recordTotals(tx, row, session.base, totals, session.model) : false;
    });
    if (recorded) await this.enforceBudgets(session.workspaceId, session.actorId);
  }

  /** Stops every active or queued session under a budget that is used up, with its event. */
  async enforceBudgets(workspaceId: string, actorId: string) {
    const { db } = this.deps;
    const settings = await this.deps.settings(workspaceId);
    const verdict = await exhaustedBudget(db, workspaceId, actorId, settings.monthly_budget_usd);
    if (!verdict) return;
    await db.transaction(async (tx) => {
      const under = await tx
        .select({ id: sessions.id })
        .from(sessions)
        .where(
          and(
            eq(sessions.workspaceId, workspaceId),
            inArray(sessions.status, ['queued', 'starting', 'running']),
            verdict.scope === 'agent' ? eq(sessions.actorId, actorId) : undefined,
          ),
        )
        .for('update');
      if (under.length === 0) return;
      for (const { id } of under) {
        await transition(this.deps, tx, workspaceId, id, {
          from: ['queued', 'starting', 'running'],
          to: 'stopped',
          actorId: null,
          reason: 'budget_exceeded',
          data: { budget_scope: verdict.scope },
        });
      }
      await this.deps.events.record(tx, {
        workspaceId,
        actorId: null,
        type: 'session.budget_exceeded',
        entityType: verdict.scope === 'agent' ? 'agent_profile' : 'workspace',
        entityId: verdict.scope === 'agent' ? actorId : workspaceId,
        data: {
          scope: verdict.scope,
          budget_usd: verdict.budgetUsd,
          spent_usd: verdict.spentUsd,
          stopped_sessions: under.map((session) => session.id),
        },
      });
    });
  }

  private onExit(session: LocalSession, exit: RuntimeExit): Promise<void> {
    const ok = exit.code === 0;
    const reason = ok
      ? null
      : exit.code !== null
        ? `exit code ${exit.code}`
        : `ended by signal ${exit.signal}`;
    return this.end(session, () => this.finish(session, ['running'], ok ? 'completed' : 'failed', reason));
  }

  /** Flushes output and usage, applies the final transition (if still due), cleans up, admits the next. */
  private async finish(
    session: LocalSession,
    from: SessionRow['status'][],
    to: SessionRow['status'] | undefined,
    reason: string | null,
  ) {
    await session.writer.close();
    await session.chain;
    if (to) {
      await this.deps.db.transaction((tx) =>
        transition(this.deps, tx, session.workspaceId, session.id, { from, to, actorId: null, reason }),
      );
    }
    await this.cleanup(session);
    if (!this.closed)
      await admit(this.deps, session.workspaceId).catch((error) => this.warn(error, 'admit failed'));
  }

  private async cleanup(session: LocalSession) {
    this.local.delete(session.id);
    rmSync(session.baseDir, { recursive: true, force: true });
  }

  /** One control pass over this instance's sessions. */
  async control(): Promise<void> {
    if (this.controlling || this.local.size === 0) return;
    this.controlling = true;
    try {
      const { db } = this.deps;
      const ids = [...this.local.keys()];
      const rows = await db.select().from(sessions).where(inArray(sessions.id, ids));
      const now = Date.now();
      for (const row of rows) {
        const session = this.local.get(row.id);
        if (!session || session.ending) continue;
        if (!ACTIVE.includes(row.status) || (row.instanceId !== null && row.instanceId !== this.instanceId)) {
          // Ended elsewhere (stop, budget, reaped): the process must not outlive its session.
          void this.end(session, async () => {
            await session.agent.stop();
            await this.finish(session, [], undefined, null);
          });
        } else if (row.deadlineAt && row.deadlineAt.getTime() <= now) {
          const limit = Math.round((row.deadlineAt.getTime() - (row.startedAt?.getTime() ?? now)) / 1000);
          void this.end(session, async () => {
            await session.agent.stop();
            await this.finish(session, ['running'], 'timeout', `timed out after ${limit} s`);
          });
        } else if (row.pauseRequested) {
          void this.end(session, () => this.pause(session));
        }
      }
      const pending = await db
        .select()
        .from(inputs)
        .where(and(inArray(inputs.sessionId, ids), isNull(inputs.deliveredAt)))
        .orderBy(inputs.createdAt);
      for (const input of pending) {
        const session = this.local.get(input.sessionId);
        if (!session || session.ending) continue;
        session.agent.write(input.text);
        await db.update(inputs).set({ deliveredAt: sql`now()` }).where(eq(inputs.id, input.id));
      }
    } finally {
      this.controlling = false;
    }
  }

  private async pause(session: LocalSession) {
    await session.agent.stop();
    await session.writer.close();
    await session.chain;
    let snapshot: { key: string; size: number };
    try {
      snapshot = await saveSnapshot(this.deps.blobs, session.workspaceId, session.id, session.workDir);
    } catch (error) {
      await this.finish(
        session,
        ['running'],
        'failed',
        `pause failed: could not save the snapshot (${(error as Error).message})`,
      );
      return;
    }
    await this.deps.db.transaction((tx) =>
      transition(this.deps, tx, session.workspaceId, session.id, {
        from: ['running'],
        to: 'paused',
        actorId: null,
        set: { snapshotKey: snapshot.key, instanceId: null, pid: null, pauseRequested: false },
        data: { snapshot_bytes: snapshot.size },
      }),
    );
    await this.cleanup(session);
    if (!this.closed) await admit(this.deps, session.workspaceId);
  }

  /**
   * The sweep (once per slot across instances): fails the active sessions of dead
   * instances, fails sessions whose start never happened, stops sessions over a used-up
   * budget, and admits queued sessions.
   */
  async sweep(): Promise<void> {
    const { db, config } = this.deps;
    await db.transaction(async (tx) => {
      const dead = await tx
        .select()
        .from(instances)
        // Never this instance: it is running the sweep, so it is alive whatever its row says.
        .where(
          and(
            lt(instances.heartbeatAt, sql`now() - make_interval(secs => ${config.dead_after_ms / 1000})`),
            ne(instances.id, this.instanceId),
          ),
        )
        .for('update', { skipLocked: true });
      for (const instance of dead) {
        const orphans = await tx
          .select({ id: sessions.id, workspaceId: sessions.workspaceId })
          .from(sessions)
          .where(and(eq(sessions.instanceId, instance.id), inArray(sessions.status, ACTIVE)));
        for (const orphan of orphans) {
          await transition(this.deps, tx, orphan.workspaceId, orphan.id, {
            from: ACTIVE,
            to: 'failed',
            actorId: null,
            reason: `instance_lost: the server process running it (instance ${instance.id}, host ${instance.host}, pid ${instance.pid}) stopped heartbeating at ${instance.heartbeatAt.toISOString()}`,
          });
        }
        await tx.delete(instances).where(eq(instances.id, instance.id));
      }
    });
    // Admitted but never claimed (every start attempt failed): fail rather than hold a slot forever.
    const stuck = await db
      .select({ id: sessions.id, workspaceId: sessions.workspaceId })
      .from(sessions)
      .where(
        and(
          eq(sessions.status, 'starting'),
          isNull(sessions.instanceId),
          lt(sessions.updatedAt, sql`now() - interval '10 minutes'`),
        ),
      );
    for (const session of stuck) {
      await db.transaction((tx) =>
        transition(this.deps, tx, session.workspaceId, session.id, {
          from: ['starting'],
          to: 'failed',
          actorId: null,
          reason: 'no instance could start it within 10 minutes',
        }),
      );
    }
    // Budgets are enforced when usage is recorded; if that failed (a transient database
    // error, logged), nothing else would stop the session until it reported usage again.
    const spenders = await db
      .selectDistinct({ workspaceId: sessions.workspaceId, actorId: sessions.actorId })
      .from(sessions)
      .where(inArray(sessions.status, ACTIVE));
    for (const { workspaceId, actorId } of spenders) {
      await this.enforceBudgets(workspaceId, actorId).catch((error) =>
        this.warn(error, 'could not enforce budgets'),
      );
    }
    const waiting = await db
      .selectDistinct({ workspaceId: sessions.workspaceId })
      .from(sessions)
      .where(eq(sessions.status, 'queued'));
    for (const { workspaceId } of waiting) await admit(this.deps, workspaceId);
  }
}

export { isTerminal };
