/**
 * daily-digest's manifest as data: per-workspace settings (when the digest runs),
 * secrets (where it goes and the key that signs it), installation config (how big a
 * digest may be), its error codes and its event types.
 */
import type { ExtensionErrors } from '@maskin/contract';
import { z } from '@maskin/contract';

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

export const settingsSchema = z.object({
  hour: z
    .number()
    .int()
    .min(0)
    .max(23)
    .default(9)
    .openapi({ description: 'Hour of the daily digest (0-23)' }),
  timezone: z
    .string()
    .min(1)
    .max(64)
    .refine(isTimeZone, 'must be an IANA time zone such as Europe/Oslo')
    .default('UTC')
    .openapi({ description: 'IANA time zone the hour is read in' }),
});
export type DailyDigestSettings = z.output<typeof settingsSchema>;

export const secretsSchema = z.object({
  webhook_url: z.string().url().max(2000).optional(),
  signing_secret: z.string().min(16).max(200).optional(),
});
export interface DailyDigestSecrets {
  webhook_url: string;
  signing_secret: string;
}

/** MASKIN_EXT_DAILY_DIGEST_MAX_ITEMS: the most items one digest carries (the rest wait for the next). */
export const configSchema = z.object({
  max_items: z.coerce.number().int().min(1).max(10_000).default(200),
});
export type DailyDigestConfig = z.output<typeof configSchema>;

export const errors = {
  WEBHOOK_NOT_CONFIGURED: {
    status: 409,
    description: 'The workspace has not set the webhook_url and signing_secret secrets of daily-digest',
  },
  DIGEST_EMPTY: { status: 409, description: 'No object activity is waiting for a digest' },
  SIGNATURE_INVALID: {
    status: 401,
    description: 'The receipt is not signed with the signing_secret (X-Daily-Digest-Signature)',
  },
} as const satisfies ExtensionErrors;

export const eventTypes = [
  'daily_digest.requested',
  'daily_digest.compiled',
  'daily_digest.summarised',
  'daily_digest.delivered',
  'daily_digest.receipt_acknowledged',
] as const;

export const manifest = {
  id: 'daily-digest',
  version: '1.0.0',
  kernel: '^1.0.0',
  description: 'A daily digest of object activity per workspace, posted to a signed webhook.',
  enablement: 'opt-in' as const,
  requires: ['objects'],
  settings: settingsSchema,
  secrets: secretsSchema,
  config: configSchema,
  errors,
  events: [...eventTypes],
};
