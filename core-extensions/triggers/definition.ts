/**
 * What a trigger is, as data: when it fires (a cron schedule, matching events, or one
 * time) and what it does (start a session for an agent, or call one operation of the
 * composed API as the trigger's creator). One zod schema serves validation, the
 * OpenAPI document and the MCP tools.
 */
import { z } from '@maskin/contract';
import { Cron } from 'croner';

export type TriggerType = 'cron' | 'event' | 'reminder';

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** croner's reason an expression is invalid, or undefined when it is valid. */
export function cronProblem(expression: string, timezone: string): string | undefined {
  try {
    new Cron(expression, { timezone, paused: true }).nextRun(new Date(0));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export const conditionOperators = [
  'equals',
  'not_equals',
  'greater_than',
  'less_than',
  'before',
  'after',
  'within_days',
  'is_set',
  'is_not_set',
  'contains',
] as const;
export type ConditionOperator = (typeof conditionOperators)[number];

const fieldPath = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, 'a dotted path such as data.to or data.metadata.priority')
  .openapi({
    description:
      'Dotted path into the event: type, actor_id, entity_type, entity_id, created_at, or data.<field> (data.from and data.to of object.status_changed, data.metadata.<key> of events that carry metadata)',
  });

export const metadataConditionSchema = z
  .object({
    field: fieldPath,
    operator: z.enum(conditionOperators),
    value: z
      .union([z.string().max(1000), z.number(), z.boolean()])
      .optional()
      .openapi({
        description: 'Compared value; not used by is_set and is_not_set; a number of days for within_days',
      }),
  })
  .strict()
  .superRefine((condition, ctx) => {
    const needsValue = condition.operator !== 'is_set' && condition.operator !== 'is_not_set';
    if (needsValue && condition.value === undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `${condition.operator} needs a value` });
    }
    if (condition.operator === 'within_days' && typeof condition.value !== 'number') {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'within_days needs a number of days' });
    }
    if (
      (condition.operator === 'before' || condition.operator === 'after') &&
      Number.isNaN(Date.parse(String(condition.value)))
    ) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `${condition.operator} needs an ISO date` });
    }
  })
  .openapi('TriggersCondition');

export const eventConditionsSchema = z
  .object({
    entity_type: z.string().min(1).max(100).optional().openapi({
      description:
        "Only events about this entity type: the event's entity_type (object, trigger, ...) or an object's type (task, bet, insight)",
    }),
    from_status: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: 'object.status_changed: the status it left' }),
    to_status: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: 'object.status_changed: the status it entered' }),
    metadata: z.array(metadataConditionSchema).max(20).default([]),
  })
  .strict()
  .openapi('TriggersEventConditions');

export const cronConfigSchema = z
  .object({
    expression: z.string().min(1).max(200).openapi({
      description: 'croner syntax: 5 fields, or 6 with seconds first (`*/30 * * * * *`)',
    }),
    timezone: z
      .string()
      .min(1)
      .max(64)
      .default('UTC')
      .openapi({ description: 'IANA time zone, e.g. Europe/Oslo' }),
    missed: z.enum(['skip', 'run_once']).default('skip').openapi({
      description:
        'Slots missed while no instance ran (or the extension was disabled): skip them, or run once for the latest',
    }),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (!isTimeZone(config.timezone)) {
      ctx.addIssue({ code: 'custom', path: ['timezone'], message: `unknown time zone "${config.timezone}"` });
      return;
    }
    const problem = cronProblem(config.expression, config.timezone);
    if (problem) ctx.addIssue({ code: 'custom', path: ['expression'], message: `invalid cron: ${problem}` });
  });

export const eventConfigSchema = z
  .object({
    types: z
      .array(
        z
          .string()
          .min(1)
          .max(100)
          .regex(/^[a-z0-9_]+(\.[a-z0-9_]+)+$/, 'an event type such as object.created'),
      )
      .min(1)
      .max(20)
      .openapi({ description: 'Event types that fire it, e.g. ["object.status_changed"]' }),
    conditions: eventConditionsSchema.default({ metadata: [] }),
  })
  .strict();

export const reminderConfigSchema = z
  .object({
    at: z.iso
      .datetime({ offset: true })
      .openapi({ description: 'When it fires, once (ISO 8601 with offset)' }),
  })
  .strict();

export type CronConfig = z.output<typeof cronConfigSchema>;
export type EventConfig = z.output<typeof eventConfigSchema>;
export type ReminderConfig = z.output<typeof reminderConfigSchema>;
export type TriggerConfig = CronConfig | EventConfig | ReminderConfig;
export type EventConditions = z.output<typeof eventConditionsSchema>;
export type MetadataCondition = z.output<typeof metadataConditionSchema>;

export const sessionActionSchema = z
  .object({
    kind: z.literal('session'),
    agent_id: z.string().uuid().openapi({ description: 'An agent that is a member of the workspace' }),
    prompt: z.string().min(1).max(20_000).openapi({
      description:
        'Prompt template: {{event.type}}, {{event.entity_id}}, {{event.data.to}}, {{trigger.name}}, {{scheduled_for}}',
    }),
    config: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: "Overrides of the agent's profile for these sessions" }),
  })
  .strict()
  .openapi('TriggersSessionAction');

export const operationActionSchema = z
  .object({
    kind: z.literal('operation'),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
    path: z
      .string()
      .min(5)
      .max(2000)
      .regex(/^\/api\//, 'an API path starting with /api/')
      .openapi({ description: 'Path template of one operation, e.g. /api/objects/{{event.entity_id}}' }),
    body: z.unknown().optional().openapi({
      description:
        'JSON body; string values are templates, and a value that is exactly one {{placeholder}} takes the raw value',
    }),
  })
  .strict()
  .openapi('TriggersOperationAction');

export const actionSchema = z.discriminatedUnion('kind', [sessionActionSchema, operationActionSchema]);
export type SessionAction = z.output<typeof sessionActionSchema>;
export type OperationAction = z.output<typeof operationActionSchema>;
export type TriggerAction = z.output<typeof actionSchema>;

export const configSchemaOf: Record<TriggerType, z.ZodType> = {
  cron: cronConfigSchema,
  event: eventConfigSchema,
  reminder: reminderConfigSchema,
};
