/**
 * Per-workspace settings of `relationships`: the relationship types a workspace
 * accepts. (Before 0002_relationship_types_setting.sql they lived in objects'
 * settings; that migration moved stored values here.)
 */
import { z } from '@maskin/contract';

export const defaultRelationshipTypes = ['informs', 'breaks_into', 'blocks', 'relates_to', 'duplicates'];

export const settingsSchema = z.object({
  relationship_types: z
    .array(
      z
        .string()
        .regex(/^[a-z][a-z0-9_]*$/, 'must be lowercase snake_case, such as breaks_into')
        .max(50),
    )
    .min(1)
    .max(100)
    .refine((list) => new Set(list).size === list.length, 'relationship types must be unique')
    .default(defaultRelationshipTypes),
});

export type RelationshipsSettings = z.output<typeof settingsSchema>;
