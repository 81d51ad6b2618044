/**
 * What other extensions may import from sessions: the sessions service (start, resume
 * and read agent sessions: triggers, notifications and comments use it) and the
 * credential-provider extension point (claude-oauth contributes the workspace's
 * Claude subscription through it).
 *
 * This file is the seam between the sessions extension and its neighbours; its shapes
 * are agreed first so they can be built in parallel.
 */
import type { Db } from '@maskin/contract';
import { createExtensionPoint, createServiceRef } from '@maskin/contract';

export type SessionStatus =
  | 'pending'
  | 'queued'
  | 'starting'
  | 'running'
  | 'paused'
  | 'completed'
  | 'failed'
  | 'timeout'
  | 'stopped';

export const TERMINAL_SESSION_STATUSES: readonly SessionStatus[] = [
  'completed',
  'failed',
  'timeout',
  'stopped',
];

/** A session as other extensions see it (the wire shape is in routes/schemas.ts). */
export interface SessionSummary {
  id: string;
  workspaceId: string;
  /** The agent actor that runs it. */
  actorId: string;
  status: SessionStatus;
  prompt: string;
  /** Who asked for it (a human, another agent, or a trigger's creator). */
  createdBy: string;
  /** The trigger that started it, if any (triggers' loop guard reads it). */
  triggerId: string | null;
  /** Why it ended, when it did (`budget_exceeded`, `timeout`, `instance_lost: ...`, an exit code). */
  reason: string | null;
  createdAt: string;
}

export interface CreateSessionInput {
  workspaceId: string;
  /** An agent actor that is a member of the workspace. */
  agentId: string;
  prompt: string;
  /** The actor asking; recorded as the session's creator and in its events. */
  createdBy: string;
  /** Set by triggers: the session's own actions do not re-fire this trigger. */
  triggerId?: string;
  /** A session this one continues (notifications answer a finished session this way). */
  parentSessionId?: string;
  /** Default true: queue it at once; false leaves it pending until started. */
  autoStart?: boolean;
  /** Per-session overrides of the agent's profile (model, timeout, ...). */
  config?: Record<string, unknown>;
}

export interface SessionsService {
  /**
   * Creates a session in the caller's transaction (it is queued when that commits)
   * and records `session.created`. Refuses with the extension's error codes when the
   * agent is not a member, has no profile, or a budget is exhausted.
   */
  create(tx: Db, input: CreateSessionInput): Promise<SessionSummary>;
  /** Pass `tx` inside a transaction (on PGlite a read outside it would wait for it). */
  get(workspaceId: string, sessionId: string, tx?: Db): Promise<SessionSummary | undefined>;
  /**
   * Resumes a paused session, sending `input` as the next message (notifications use it
   * when a human answers an agent's question). Refused for a session that is not paused.
   */
  resume(
    tx: Db,
    workspaceId: string,
    sessionId: string,
    options: { input?: string; actorId: string },
  ): Promise<SessionSummary>;
  /**
   * Whether `actorId` was running a session started by `triggerId` at `at` (from its
   * start to its end): triggers' loop guard, so an agent's own actions in a session a
   * trigger started do not fire that trigger again.
   */
  wasRunningForTrigger(
    tx: Db,
    query: { workspaceId: string; triggerId: string; actorId: string; at: Date },
  ): Promise<boolean>;
}

export const sessionsServiceRef = createServiceRef<SessionsService>({
  id: 'sessions.service',
  owner: 'sessions',
});

/**
 * LLM credentials for a session, contributed by other extensions (claude-oauth). When
 * a session starts, sessions asks in order: the agent's own secret environment, then
 * every provider whose `runtimes` include the session's runtime, then the
 * workspace's keys. A provider answers environment variables for the child process
 * (for Claude: `CLAUDE_CODE_OAUTH_TOKEN`), or undefined when it has none for that
 * workspace. Values are secrets: never log or return them.
 */
export interface SessionCredentialProvider {
  /** Shown in the session's system log line ("credentials: claude-oauth"). */
  name: string;
  /**
   * `llm` (default): one LLM credential, first answer wins, as above. `tool`: tokens
   * for tools the agent calls (integrations' GITHUB_TOKEN), always added beside the
   * LLM credential, never instead of it; a variable the agent's own secret
   * environment sets wins over a tool provider's.
   */
  kind?: 'llm' | 'tool';
  runtimes: readonly string[];
  credentialsFor(workspaceId: string): Promise<Record<string, string> | undefined>;
}

export const sessionCredentialsPoint = createExtensionPoint<SessionCredentialProvider>({
  id: 'sessions.credential-providers',
  owner: 'sessions',
});
