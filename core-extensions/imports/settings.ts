/** Per-workspace settings of `imports`. */
import { z } from '@maskin/contract';

export const settingsSchema = z.object({
  batch_size: z
    .number()
    .int()
    .min(1)
    .max(500)
    .default(500)
    .openapi({ description: 'Rows written per transaction (and per import.progress event)' }),
});
export type ImportsSettings = z.output<typeof settingsSchema>;
