/** triggers' manifest as data: per-workspace settings, error codes and event types. */
import type { ExtensionErrors } from '@maskin/contract';
import { z } from '@maskin/contract';

export const settingsSchema = z.object({
  max_consecutive_failures: z.number().int().min(1).max(100).default(5).openapi({
    description: 'Failures in a row after which a trigger disables itself (trigger.disabled)',
  }),
  failure_backoff_seconds: z.number().int().min(1).max(3600).default(30).openapi({
    description: 'Back-off after the first failure; it doubles with each further failure, up to an hour',
  }),
  missed_grace_seconds: z.number().int().min(1).max(3600).default(60).openapi({
    description:
      'A cron slot that runs later than this after its time counts as missed (see the missed policy)',
  }),
});
export type TriggersSettings = z.output<typeof settingsSchema>;

export const errors = {
  AGENT_NOT_AVAILABLE: {
    status: 422,
    description: 'The session action names an actor that is not an agent member of this workspace',
  },
} as const satisfies ExtensionErrors;

export const eventTypes = [
  'trigger.created',
  'trigger.updated',
  'trigger.deleted',
  'trigger.fired',
  'trigger.failed',
  'trigger.disabled',
] as const;
export type TriggerEventType = (typeof eventTypes)[number];
