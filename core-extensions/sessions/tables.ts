/** The drizzle view of the sessions extension's tables (migrations/0001_sessions.sql). */
import { pg } from '@maskin/contract';
import type { SessionStatus } from './api.ts';

const time = (name: string) => pg.timestamp(name, { withTimezone: true, mode: 'date' });
const tokens = (name: string) => pg.bigint(name, { mode: 'number' }).notNull().default(0);

export type AgentRuntimeKind = 'claude-code' | 'codex' | 'custom';

export const profiles = pg.pgTable(
  'sessions_agent_profiles',
  {
    workspaceId: pg.uuid('workspace_id').notNull(),
    actorId: pg.uuid('actor_id').notNull(),
    runtime: pg.text('runtime').$type<AgentRuntimeKind>().notNull(),
    command: pg.jsonb('command').$type<string[] | null>(),
    model: pg.text('model'),
    systemPrompt: pg.text('system_prompt'),
    mcpServers: pg.jsonb('mcp_servers').$type<Record<string, unknown>>().notNull().default({}),
    envCiphertext: pg.jsonb('env_ciphertext').$type<Record<string, string>>().notNull().default({}),
    maxConcurrentSessions: pg.integer('max_concurrent_sessions'),
    monthlyBudgetUsd: pg.numeric('monthly_budget_usd', { precision: 12, scale: 4 }),
    createdBy: pg.uuid('created_by'),
    createdAt: time('created_at').notNull().defaultNow(),
    updatedAt: time('updated_at').notNull().defaultNow(),
  },
  (table) => [pg.primaryKey({ columns: [table.workspaceId, table.actorId] })],
);
export type ProfileRow = typeof profiles.$inferSelect;

export const sessions = pg.pgTable('sessions', {
  id: pg.uuid('id').primaryKey().defaultRandom(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  actorId: pg.uuid('actor_id').notNull(),
  createdBy: pg.uuid('created_by'),
  triggerId: pg.uuid('trigger_id'),
  parentSessionId: pg.uuid('parent_session_id'),
  status: pg.text('status').$type<SessionStatus>().notNull(),
  prompt: pg.text('prompt').notNull(),
  config: pg.jsonb('config').$type<SessionConfig>().notNull().default({}),
  reason: pg.text('reason'),
  pauseRequested: pg.boolean('pause_requested').notNull().default(false),
  instanceId: pg.uuid('instance_id'),
  pid: pg.integer('pid'),
  apiKeyId: pg.uuid('api_key_id'),
  runtimeSessionId: pg.text('runtime_session_id'),
  snapshotKey: pg.text('snapshot_key'),
  resumeCount: pg.integer('resume_count').notNull().default(0),
  queuedAt: time('queued_at'),
  startedAt: time('started_at'),
  deadlineAt: time('deadline_at'),
  endedAt: time('ended_at'),
  inputTokens: tokens('input_tokens'),
  outputTokens: tokens('output_tokens'),
  cacheReadTokens: tokens('cache_read_tokens'),
  cacheCreationTokens: tokens('cache_creation_tokens'),
  costUsd: pg.numeric('cost_usd', { precision: 14, scale: 6 }).notNull().default('0'),
  createdAt: time('created_at').notNull().defaultNow(),
  updatedAt: time('updated_at').notNull().defaultNow(),
});
export type SessionRow = typeof sessions.$inferSelect;

/** Per-session overrides of the agent's profile, fixed when the session is created. */
export interface SessionConfig {
  model?: string;
  timeout_seconds?: number;
  system_prompt?: string;
  /** Set when the session is resumed: the message it continues with. */
  resume_input?: string;
}

export const instances = pg.pgTable('sessions_instances', {
  id: pg.uuid('id').primaryKey(),
  host: pg.text('host').notNull(),
  pid: pg.integer('pid').notNull(),
  startedAt: time('started_at').notNull().defaultNow(),
  heartbeatAt: time('heartbeat_at').notNull().defaultNow(),
});

export type LogStream = 'stdout' | 'stderr' | 'system';

export const logLines = pg.pgTable(
  'sessions_log_lines',
  {
    scope: pg.text('scope').notNull(),
    id: pg.bigint('id', { mode: 'number' }).notNull(),
    workspaceId: pg.uuid('workspace_id').notNull(),
    sessionId: pg.uuid('session_id').notNull(),
    stream: pg.text('stream').$type<LogStream>().notNull(),
    kind: pg.text('kind').$type<'line' | 'done'>().notNull().default('line'),
    text: pg.text('text').notNull(),
    createdAt: time('created_at').notNull().defaultNow(),
  },
  (table) => [pg.primaryKey({ columns: [table.scope, table.id] })],
);
export type LogLineRow = typeof logLines.$inferSelect;

export const inputs = pg.pgTable('sessions_inputs', {
  id: pg.uuid('id').primaryKey().defaultRandom(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  sessionId: pg.uuid('session_id').notNull(),
  text: pg.text('text').notNull(),
  createdBy: pg.uuid('created_by'),
  createdAt: time('created_at').notNull().defaultNow(),
  deliveredAt: time('delivered_at'),
});

export const usage = pg.pgTable('sessions_usage', {
  id: pg.uuid('id').primaryKey().defaultRandom(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  sessionId: pg.uuid('session_id').notNull(),
  actorId: pg.uuid('actor_id').notNull(),
  model: pg.text('model'),
  inputTokens: tokens('input_tokens'),
  outputTokens: tokens('output_tokens'),
  cacheReadTokens: tokens('cache_read_tokens'),
  cacheCreationTokens: tokens('cache_creation_tokens'),
  costUsd: pg.numeric('cost_usd', { precision: 14, scale: 6 }).notNull().default('0'),
  recordedAt: time('recorded_at').notNull().defaultNow(),
});
