/** Wire shapes of the sessions extension (snake_case), named after the extension. */
import { z } from '@maskin/contract';

export const statusSchema = z.enum([
  'pending',
  'queued',
  'starting',
  'running',
  'paused',
  'completed',
  'failed',
  'timeout',
  'stopped',
]);

export const sessionIdParam = z.object({ id: z.string().uuid().openapi({ description: 'The session id' }) });
export const actorIdParam = z.object({
  actor_id: z.string().uuid().openapi({ description: 'The agent actor id' }),
});

const usageTotalsSchema = z.object({
  input_tokens: z.number(),
  output_tokens: z.number(),
  cache_read_tokens: z.number(),
  cache_creation_tokens: z.number(),
  cost_usd: z.number(),
});

export const sessionSchema = z
  .object({
    id: z.string().uuid(),
    workspace_id: z.string().uuid(),
    actor_id: z.string().uuid(),
    created_by: z.string().uuid().nullable(),
    trigger_id: z.string().uuid().nullable(),
    parent_session_id: z.string().uuid().nullable(),
    status: statusSchema,
    prompt: z.string(),
    config: z.record(z.string(), z.unknown()),
    reason: z
      .string()
      .nullable()
      .openapi({ description: 'Why it ended or failed (budget_exceeded, instance_lost: ..., exit code 2)' }),
    pause_requested: z.boolean(),
    runtime_session_id: z
      .string()
      .nullable()
      .openapi({ description: "The agent CLI's own session id (Claude Code), used to resume" }),
    resume_count: z.number().int(),
    has_snapshot: z.boolean(),
    usage: usageTotalsSchema,
    queued_at: z.string().nullable(),
    started_at: z.string().nullable(),
    deadline_at: z.string().nullable(),
    ended_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('SessionsSession');

export const createSessionSchema = z
  .object({
    agent_id: z
      .string()
      .uuid()
      .openapi({ description: 'An agent actor of the workspace with a runtime profile' }),
    prompt: z.string().min(1).max(100_000),
    auto_start: z
      .boolean()
      .default(true)
      .openapi({ description: 'Queue it at once (default); false leaves it pending' }),
    parent_session_id: z.string().uuid().optional(),
    config: z
      .object({
        model: z.string().min(1).max(200).optional(),
        timeout_seconds: z
          .number()
          .int()
          .min(1)
          .max(7 * 24 * 3600)
          .optional(),
        system_prompt: z.string().max(100_000).optional(),
      })
      .strict()
      .default({})
      .openapi({ description: "Overrides of the agent's profile for this session" }),
  })
  .openapi('SessionsCreateSession');

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'an environment variable name');
const reservedEnv = (name: string) => !name.startsWith('MASKIN_');

export const profileInputSchema = z
  .object({
    runtime: z.enum(['claude-code', 'codex', 'custom']),
    command: z
      .array(z.string().min(1).max(4000))
      .min(1)
      .max(100)
      .nullable()
      .optional()
      .openapi({ description: 'custom only: the argv to run (never a shell string)' }),
    model: z.string().min(1).max(200).nullable().optional(),
    system_prompt: z.string().max(100_000).nullable().optional(),
    mcp_servers: z
      .record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), z.record(z.string(), z.unknown()))
      .refine((servers) => !('maskin' in servers), 'the name maskin is reserved for this server')
      .optional()
      .openapi({ description: 'Extra MCP servers for the agent, as in a Claude Code MCP config' }),
    env: z
      .record(
        envName.refine(reservedEnv, 'MASKIN_ variables are set by the server'),
        z.string().max(10_000).nullable(),
      )
      .optional()
      .openapi({
        description: 'Secret environment: values are encrypted and never returned; null removes a key',
      }),
    max_concurrent_sessions: z.number().int().min(1).max(1000).nullable().optional(),
    monthly_budget_usd: z.number().min(0).max(1_000_000).nullable().optional(),
  })
  .strict()
  .openapi('SessionsProfileInput');

export const profileSchema = z
  .object({
    actor_id: z.string().uuid(),
    workspace_id: z.string().uuid(),
    runtime: z.enum(['claude-code', 'codex', 'custom']),
    command: z.array(z.string()).nullable(),
    model: z.string().nullable(),
    system_prompt: z.string().nullable(),
    mcp_servers: z.record(z.string(), z.unknown()),
    env_keys: z
      .array(z.string())
      .openapi({ description: 'Names of the secret environment variables (never values)' }),
    max_concurrent_sessions: z.number().int().nullable(),
    monthly_budget_usd: z.number().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('SessionsProfile');

export const logLineSchema = z
  .object({
    id: z.number().int(),
    stream: z.enum(['stdout', 'stderr', 'system']),
    kind: z.enum(['line', 'done']),
    text: z.string(),
    at: z.string(),
  })
  .openapi('SessionsLogLine');

export const usageBucketSchema = z
  .object({
    bucket_start: z.string(),
    key: z.string().nullable().openapi({ description: 'The agent id or the model, per group_by' }),
    input_tokens: z.number(),
    output_tokens: z.number(),
    cache_read_tokens: z.number(),
    cache_creation_tokens: z.number(),
    cost_usd: z.number(),
  })
  .openapi('SessionsUsageBucket');
