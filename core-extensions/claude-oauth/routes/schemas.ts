/** Request and response schemas of the claude-oauth routes (components prefixed `ClaudeOAuth`). */
import { isStorableTime, z } from '@maskin/contract';

export const tokenStatusSchema = z
  .object({
    configured: z.boolean().openapi({ description: 'Whether the workspace has Claude subscription tokens' }),
    expires_at: z.string().nullable().openapi({ description: 'When the current access token expires' }),
    expired: z.boolean().nullable(),
    refreshed_at: z.string().nullable().openapi({ description: 'The last successful refresh' }),
    last_refresh_error: z
      .string()
      .nullable()
      .openapi({ description: 'Why the last refresh failed (cleared by the next success or import)' }),
    created_by: z.string().uuid().nullable().openapi({ description: 'Who imported the tokens' }),
    created_at: z.string().nullable(),
    updated_at: z.string().nullable(),
  })
  .openapi('ClaudeOAuthStatus');

export const importTokensSchema = z
  .object({
    access_token: z
      .string()
      .min(1)
      .max(4096)
      .openapi({ description: 'The OAuth access token (sk-ant-oat...)' }),
    refresh_token: z
      .string()
      .min(1)
      .max(4096)
      .openapi({ description: 'The OAuth refresh token (sk-ant-ort...)' }),
    expires_at: z
      .union([z.string().datetime({ offset: true }), z.number().int().positive()])
      .refine(
        (value) => isStorableTime(typeof value === 'number' ? value : Date.parse(value)),
        'must be a time between the years 0001 and 9999',
      )
      .openapi({
        description:
          "When the access token expires: ISO-8601, or milliseconds since the epoch (Claude Code's credentials file, claudeAiOauth.expiresAt)",
      }),
  })
  .openapi('ClaudeOAuthImport');
