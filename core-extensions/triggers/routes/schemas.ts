/** Request and response schemas of the triggers routes (components prefixed `Triggers`). */
import { z } from '@maskin/contract';
import { actionSchema, configSchemaOf, type TriggerType } from '../definition.ts';
import type { RunRow, TriggerRow } from '../tables.ts';

const triggerType = z.enum(['cron', 'event', 'reminder']);

const configDescription =
  'cron: {expression, timezone, missed: skip|run_once}; event: {types, conditions: {entity_type, from_status, to_status, metadata: [{field, operator, value}]}}; reminder: {at}';

/** Checks `config` against the schema of `type`, reporting paths under `config`. */
function refineConfig(
  value: { config?: unknown },
  ctx: z.core.$RefinementCtx,
  type: TriggerType | undefined,
) {
  if (!type || value.config === undefined) return;
  const parsed = configSchemaOf[type].safeParse(value.config);
  if (parsed.success) return;
  for (const issue of parsed.error.issues) {
    ctx.addIssue({ code: 'custom', path: ['config', ...issue.path.map(String)], message: issue.message });
  }
}

export const createTriggerSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    type: triggerType,
    config: z.record(z.string(), z.unknown()).openapi({ description: configDescription }),
    action: actionSchema,
    enabled: z.boolean().default(true),
    max_fires_per_hour: z.number().int().min(1).max(3600).default(60).openapi({
      description: 'Firings past this many in the last hour are skipped (rate_limited)',
    }),
  })
  .strict()
  .superRefine((value, ctx) => refineConfig(value, ctx, value.type))
  .openapi('TriggersCreateInput');

export const updateTriggerSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    config: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: `Replaces the config. ${configDescription}` }),
    action: actionSchema.optional(),
    enabled: z.boolean().optional().openapi({
      description: 'Enabling a trigger also clears its failure count and back-off',
    }),
    max_fires_per_hour: z.number().int().min(1).max(3600).optional(),
  })
  .strict()
  .refine((value) => Object.keys(value).length > 0, 'Send at least one field to change')
  .openapi('TriggersUpdateInput');

export const triggerSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    type: triggerType,
    config: z.record(z.string(), z.unknown()),
    action: z.record(z.string(), z.unknown()),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable(),
    max_fires_per_hour: z.number().int(),
    consecutive_failures: z.number().int(),
    backoff_until: z.string().nullable(),
    next_run_at: z.string().nullable(),
    last_fired_at: z.string().nullable(),
    created_by: z.string().uuid(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('TriggersTrigger');

export const runSchema = z
  .object({
    id: z.string().uuid(),
    trigger_id: z.string().uuid(),
    fire_key: z.string(),
    status: z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped']),
    reason: z.string().nullable().openapi({
      description: 'Why it was skipped (rate_limited, backing_off, missed, loop_guard) or failed',
    }),
    event_id: z.number().int().nullable(),
    scheduled_for: z.string().nullable(),
    action: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: 'The action as rendered for this firing' }),
    session_id: z.string().uuid().nullable(),
    result: z.object({ status: z.number().int(), body: z.unknown() }).nullable(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('TriggersRun');

export const testResultSchema = z
  .object({
    matches: z
      .array(
        z.object({ event: z.record(z.string(), z.unknown()), action: z.record(z.string(), z.unknown()) }),
      )
      .openapi({
        description: 'event triggers: recent events that match, newest first, with the action each would run',
      }),
    checked_events: z
      .number()
      .int()
      .openapi({ description: 'How many recent events of the listed types were checked' }),
    next_runs: z
      .array(z.string())
      .openapi({ description: 'cron and reminder triggers: the next firing times' }),
    action: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'The action rendered for the latest match or the next slot' }),
  })
  .openapi('TriggersTestResult');

export const listTriggersQuery = z
  .object({
    type: triggerType.optional(),
    enabled: z.enum(['true', 'false']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(500).optional(),
  })
  .strict();

export const listRunsQuery = z
  .object({
    status: z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(500).optional(),
  })
  .strict();

export const triggerIdParam = z.object({ id: z.string().uuid() });

const iso = (date: Date | null) => date?.toISOString() ?? null;

export const toTriggerJson = (row: TriggerRow) => ({
  id: row.id,
  name: row.name,
  type: row.type,
  config: row.config as Record<string, unknown>,
  action: row.action as Record<string, unknown>,
  enabled: row.enabled,
  disabled_reason: row.disabledReason,
  max_fires_per_hour: row.maxFiresPerHour,
  consecutive_failures: row.consecutiveFailures,
  backoff_until: iso(row.backoffUntil),
  next_run_at: iso(row.nextRunAt),
  last_fired_at: iso(row.lastFiredAt),
  created_by: row.createdBy,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});

export const toRunJson = (row: RunRow) => ({
  id: row.id,
  trigger_id: row.triggerId,
  fire_key: row.fireKey,
  status: row.status,
  reason: row.reason,
  event_id: row.eventId,
  scheduled_for: iso(row.scheduledFor),
  action: (row.action as Record<string, unknown> | null) ?? null,
  session_id: row.sessionId,
  result: row.result ?? null,
  created_at: row.createdAt.toISOString(),
  finished_at: iso(row.finishedAt),
});
