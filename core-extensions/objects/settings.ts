/**
 * Per-workspace settings of `objects`: the object types a workspace uses (with their
 * display names, allowed statuses and custom metadata fields). Every write is
 * validated against them. (Relationship types are relationships' own settings.)
 *
 * Settings are stored whole: a workspace that sets `types` replaces the default
 * types (it must list every type it wants, including insight/bet/task if it keeps
 * them). That keeps "what types exist here" answerable from one document.
 */
import { z } from '@maskin/contract';

const KEY = /^[a-z][a-z0-9_]*$/;
const keyMessage = 'must be lowercase snake_case, such as in_progress';

export const fieldTypes = ['text', 'number', 'date', 'enum', 'boolean'] as const;

const fieldSchema = z
  .object({
    type: z.enum(fieldTypes),
    display_name: z.string().min(1).max(100).optional(),
    required: z.boolean().default(false),
    /** Allowed values of an `enum` field. */
    options: z.array(z.string().min(1).max(100)).min(1).max(200).optional(),
  })
  .refine((field) => field.type !== 'enum' || (field.options?.length ?? 0) > 0, {
    message: 'an enum field needs a non-empty options list',
    path: ['options'],
  });

const typeSchema = z.object({
  display_name: z.string().min(1).max(100),
  /** The first status is the default for new objects of this type. */
  statuses: z
    .array(z.string().regex(KEY, keyMessage).max(50))
    .min(1)
    .max(50)
    .refine((list) => new Set(list).size === list.length, 'statuses must be unique'),
  fields: z.record(z.string().regex(KEY, keyMessage).max(50), fieldSchema).default({}),
  /** When true, metadata keys that are not declared in `fields` are refused. */
  strict_metadata: z.boolean().default(false),
});

export const defaultTypes = {
  insight: {
    display_name: 'Insight',
    statuses: ['new', 'processing', 'clustered', 'discarded'],
    fields: {},
    strict_metadata: false,
  },
  bet: {
    display_name: 'Bet',
    statuses: ['signal', 'proposed', 'active', 'completed', 'succeeded', 'failed', 'paused'],
    fields: {},
    strict_metadata: false,
  },
  task: {
    display_name: 'Task',
    statuses: ['todo', 'in_progress', 'in_review', 'done', 'blocked'],
    fields: {},
    strict_metadata: false,
  },
};

export const settingsSchema = z.object({
  types: z
    .record(z.string().regex(KEY, keyMessage).max(50), typeSchema)
    .refine((types) => Object.keys(types).length > 0, 'define at least one object type')
    .default(defaultTypes),
});

export type ObjectsSettings = z.output<typeof settingsSchema>;
export type ObjectTypeSettings = ObjectsSettings['types'][string];
export type FieldDefinition = ObjectTypeSettings['fields'][string];
