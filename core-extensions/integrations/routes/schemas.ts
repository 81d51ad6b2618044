/** Wire shapes of integrations (component names carry the extension id). */
import { pageOf, z } from '@maskin/contract';

export const integrationSchema = z
  .object({
    id: z.string().uuid(),
    provider: z.string(),
    provider_name: z.string(),
    auth_kind: z.enum(['oauth2', 'api_key']).nullable(),
    external_id: z
      .string()
      .nullable()
      .openapi({ description: 'Installation, team or organization id at the provider (routes webhooks)' }),
    label: z.string().nullable(),
    scopes: z.array(z.string()),
    expires_at: z.string().nullable(),
    refreshed_at: z.string().nullable(),
    last_refresh_error: z.string().nullable(),
    created_by: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('IntegrationsConnection', { description: 'A connection; never its credentials' });

export const integrationPageSchema = pageOf(integrationSchema).openapi('IntegrationsConnectionPage');

export const providerSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    auth_kind: z.enum(['oauth2', 'api_key']),
    configured: z.boolean().openapi({ description: 'Whether the installation configured its OAuth client' }),
    scopes: z.array(z.string()),
    config_schema: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'JSON Schema of the connect body' }),
    events: z.array(z.string()),
    webhooks: z.boolean(),
  })
  .openapi('IntegrationsProvider');

export const providerListSchema = z
  .object({ items: z.array(providerSchema) })
  .openapi('IntegrationsProviderList');

export const connectSchema = z
  .object({
    api_key: z.string().min(1).max(4000).optional().openapi({ description: 'API-key providers: the key' }),
    config: z
      .record(z.string(), z.unknown())
      .default({})
      .openapi({ description: 'Provider-specific fields (its config_schema)' }),
  })
  .strict()
  .openapi('IntegrationsConnect');

export const connectAnswerSchema = z
  .object({
    authorize_url: z.string().optional().openapi({ description: 'OAuth2: send the browser here' }),
    integration: integrationSchema.optional().openapi({ description: 'API key: the stored connection' }),
  })
  .openapi('IntegrationsConnectAnswer');

export const providerParam = z.object({
  provider: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,39}$/)
    .openapi({ param: { name: 'provider', in: 'path' } }),
});
export const idParam = z.object({
  id: z
    .string()
    .uuid()
    .openapi({ param: { name: 'id', in: 'path' } }),
});

export const callbackQuery = z
  .object({
    state: z.string().max(200).optional(),
    code: z.string().max(2000).optional(),
    error: z.string().max(200).optional(),
  })
  .catchall(z.string().max(500));
