import { z } from '@hono/zod-openapi';
import { roles } from '../db/schema.ts';

export const roleSchema = z.enum(roles).openapi('Role');

export const workspaceSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    settings: z.record(z.string(), z.unknown()),
    created_by: z.string().uuid().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    role: roleSchema.optional().openapi({ description: "The caller's role in this workspace" }),
  })
  .openapi('Workspace');

export const memberSchema = z
  .object({
    workspace_id: z.string().uuid(),
    actor_id: z.string().uuid(),
    role: roleSchema,
    actor: z.object({ id: z.string().uuid(), type: z.enum(['human', 'agent']), name: z.string() }),
    created_at: z.string(),
  })
  .openapi('Member');

export const workspaceIdParam = z.object({
  workspace_id: z
    .string()
    .uuid()
    .openapi({ param: { name: 'workspace_id', in: 'path' } }),
});
