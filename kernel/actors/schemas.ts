import { z } from '@hono/zod-openapi';

export const actorSchema = z
  .object({
    id: z.string().uuid(),
    type: z.enum(['human', 'agent']),
    name: z.string(),
    email: z.string().nullable(),
    created_by: z.string().uuid().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Actor');

export const apiKeySchema = z
  .object({
    id: z.string().uuid(),
    actor_id: z.string().uuid(),
    name: z.string(),
    prefix: z.string().openapi({ description: 'First characters of the key, to tell keys apart' }),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    expires_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .openapi('ApiKey');

export const createdApiKeySchema = apiKeySchema
  .extend({ key: z.string().openapi({ description: 'The secret. Shown only in this response.' }) })
  .openapi('CreatedApiKey');

export const name = z.string().trim().min(1).max(200);
