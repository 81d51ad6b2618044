import { z } from '@maskin/contract';

// Component names carry the extension's name: they share one OpenAPI document.
export const itemSchema = z
  .object({
    id: z.string().uuid(),
    title: z.string(),
    created_by: z.string().uuid().nullable(),
    created_at: z.string(),
  })
  .openapi('TemplateItemsItem');

export const createItemSchema = z
  .object({ title: z.string().trim().min(1).max(1000) })
  .openapi('TemplateItemsCreateInput');
