import { z } from '@maskin/contract';

/** Per-workspace settings; every field has a default, so `{}` is valid. */
export const settingsSchema = z.object({
  max_title_length: z.number().int().min(1).max(1000).default(200),
});

export type TemplateItemsSettings = z.output<typeof settingsSchema>;
