/**
 * The sessions extension's manifest as data: per-workspace settings (concurrency,
 * timeouts, the workspace budget), workspace LLM keys (secret settings), installation
 * config (where working directories live, the agent CLIs, instance liveness timings),
 * error codes and event types.
 */

import type { ExtensionErrors } from '@maskin/contract';
import { z } from '@maskin/contract';
import { SKILL_EVENT_TYPES } from './skills/service.ts';

export const settingsSchema = z.object({
  max_concurrent_sessions: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(3)
    .openapi({ description: 'Sessions of this workspace that run at once; the rest wait in a FIFO queue' }),
  default_timeout_seconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .default(1800)
    .openapi({ description: 'Timeout of a session that does not set one (default 30 minutes)' }),
  max_timeout_seconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .default(4 * 3600)
    .openapi({ description: 'The longest timeout a session may ask for' }),
  monthly_budget_usd: z
    .number()
    .min(0)
    .max(1_000_000)
    .nullable()
    .default(null)
    .openapi({ description: 'Spend of all sessions per calendar month (UTC) in USD; null: no budget' }),
});
export type SessionsSettings = z.output<typeof settingsSchema>;

/** Workspace-wide LLM keys, the last source of credentials (after the agent's own and providers'). */
export const secretsSchema = z.object({
  anthropic_api_key: z.string().min(1).max(500).optional(),
  openai_api_key: z.string().min(1).max(500).optional(),
});

/** MASKIN_EXT_SESSIONS_<FIELD>: per installation, from the environment. */
export const configSchema = z.object({
  /** Base URL agents reach this server at (default MASKIN_PUBLIC_URL, else http://HOST:PORT). */
  api_url: z.string().url().optional(),
  /** Where working directories live (default MASKIN_DATA_DIR/sessions). */
  work_dir: z.string().min(1).optional(),
  claude_bin: z.string().min(1).default('claude'),
  codex_bin: z.string().min(1).default('codex'),
  /** How often this instance proves it is alive. */
  heartbeat_ms: z.coerce.number().int().min(100).default(5_000),
  /** An instance silent this long is dead: its sessions fail (must exceed heartbeat_ms). */
  dead_after_ms: z.coerce.number().int().min(500).default(30_000),
  /** How often the owning instance looks for stops, pauses, inputs and timeouts. */
  control_ms: z.coerce.number().int().min(50).default(500),
  /** Cron (seconds first) of the sweep that reaps dead instances and admits queued sessions. */
  sweep_cron: z.string().default('*/5 * * * * *'),
});
export type SessionsConfig = z.output<typeof configSchema>;

export const errors = {
  SESSIONS_AGENT_NOT_FOUND: {
    status: 404,
    description: 'No agent actor with this id is a member of the workspace',
  },
  SESSIONS_NO_PROFILE: {
    status: 409,
    description:
      'The agent has no runtime profile in this workspace: PUT /api/sessions/agents/{id}/profile first',
  },
  SESSIONS_BUDGET_EXCEEDED: {
    status: 402,
    description: "The workspace's or agent's monthly budget is used up; raise it or wait for next month",
  },
  SESSIONS_INVALID_STATE: {
    status: 409,
    description: 'The session is not in a state that allows this (e.g. resuming one that is not paused)',
  },
} as const satisfies ExtensionErrors;

export const eventTypes = [
  'agent_profile.created',
  'agent_profile.updated',
  'agent_profile.deleted',
  'session.created',
  'session.queued',
  'session.starting',
  'session.started',
  'session.pause_requested',
  'session.paused',
  'session.resumed',
  'session.input',
  'session.completed',
  'session.failed',
  'session.timeout',
  'session.stopped',
  'session.budget_exceeded',
  'session.usage_reported',
] as const;
export type SessionEventType = (typeof eventTypes)[number];

export const manifest = {
  id: 'sessions',
  version: '1.0.0',
  kernel: '^1.0.0',
  description:
    'Agent sessions: agents run as processes on a prompt, with logs, pause/resume, usage and budgets.',
  mounts: ['sessions'],
  enablement: 'default-on' as const,
  settings: settingsSchema,
  secrets: secretsSchema,
  config: configSchema,
  errors,
  events: [...eventTypes, ...SKILL_EVENT_TYPES],
};
