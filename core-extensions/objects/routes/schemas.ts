/** Request and response schemas of the objects routes (components prefixed `Objects`). */
import { storableTimeSchema, z } from '@maskin/contract';
import { sortKeys } from '../queries.ts';

export const MAX_BULK = 500;

export const objectSchema = z
  .object({
    id: z.string().uuid(),
    type: z.string(),
    title: z.string(),
    content: z.string().openapi({ description: 'Markdown' }),
    status: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    driver_id: z.string().uuid().nullable().openapi({ description: 'The human or agent driving it' }),
    created_by: z.string().uuid().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    version: z.number().int().openapi({ description: 'Increases on every update; send it as If-Match' }),
  })
  .openapi('ObjectsObject');

export const edgeSchema = z
  .object({
    id: z.string().uuid(),
    type: z.string(),
    source_id: z.string().uuid(),
    target_id: z.string().uuid(),
    created_by: z.string().uuid().nullable(),
    created_at: z.string(),
  })
  .openapi('ObjectsEdge');

export const objectLinkSchema = z
  .object({
    id: z.string().uuid(),
    object_id: z.string().uuid(),
    extension_id: z.string().openapi({ description: 'The extension whose record this is' }),
    record_type: z.string().openapi({ description: "The linking extension's kind of record, e.g. session" }),
    record_id: z.string().openapi({ description: "The record's id, in its extension" }),
    created_by: z.string().uuid().nullable(),
    created_at: z.string(),
  })
  .openapi('ObjectsLink');

export const objectDetailSchema = objectSchema
  .extend({
    relationships: z.array(edgeSchema).openapi({
      description: 'The newest relationships, at most relationships_limit of them',
    }),
    relationships_truncated: z.boolean().openapi({
      description:
        'There are more relationships than shown: page through them with GET /api/relationships?source={id} and ?target={id}',
    }),
    connected_objects: z.array(
      objectSchema.extend({
        content_truncated: z.boolean().optional().openapi({
          description: 'Content cut to its first 2,000 characters; GET the object for all of it',
        }),
      }),
    ),
  })
  .openapi('ObjectsObjectDetail');

const title = z.string().trim().min(1).max(500);
const content = z.string().max(200_000);
const status = z.string().min(1).max(50);
const driverId = z.string().uuid().nullable();

export const createObjectSchema = z
  .object({
    type: z
      .string()
      .min(1)
      .max(50)
      .openapi({ description: 'An object type of this workspace, e.g. insight, bet, task' }),
    title,
    content: content.optional(),
    status: status.optional().openapi({ description: 'Default: the first status of the type' }),
    metadata: z
      .record(z.string().min(1).max(100), z.unknown())
      .optional()
      .openapi({ description: "Custom fields, checked against the type's field definitions" }),
    driver_id: driverId.optional(),
  })
  .openapi('ObjectsCreateInput');

/**
 * When the body fails structurally with a missing or mistyped field, zod reports the
 * union as a whole (path ""), since both branches fail; the message then spells out
 * the problems of the branch that matches the body's shape, naming the item and field
 * (`3.title: ...`). Settings problems (status, metadata) always carry their own path.
 */
function describeUnionFailure(issue: {
  code?: string;
  input?: unknown;
  errors?: { path: PropertyKey[]; message: string }[][];
}) {
  if (issue.code !== 'invalid_union' || !issue.errors) return undefined;
  const branch = issue.errors[Array.isArray(issue.input) ? 0 : 1] ?? [];
  const problems = branch.map((e) => `${e.path.map(String).join('.') || '(body)'}: ${e.message}`);
  return problems.length > 0 ? `Invalid objects: ${problems.join('; ')}` : undefined;
}

export const createBodySchema = z
  .union([z.array(createObjectSchema).min(1).max(MAX_BULK), createObjectSchema], {
    error: (issue) => describeUnionFailure(issue as never),
  })
  .openapi('ObjectsCreateBody', {
    description: `One object, or an array of up to ${MAX_BULK} created all or nothing`,
  });

export const createdSchema = z
  .union([objectSchema, z.object({ items: z.array(objectSchema) })])
  .openapi('ObjectsCreated');

export const updateObjectSchema = z
  .object({
    title: title.optional(),
    content: content.optional(),
    status: status.optional(),
    metadata: z
      .record(z.string().min(1).max(100), z.unknown())
      .optional()
      .openapi({ description: 'Merged into the stored metadata; a null value removes that key' }),
    driver_id: driverId.optional(),
    expected_version: z.number().int().min(1).optional().openapi({
      description: 'Like If-Match: refuse the update (412) unless the object is still at this version',
    }),
    // readOnly: documented as not sent, and left out of the update_object tool's arguments.
    type: z.unknown().optional().openapi({ readOnly: true, description: 'Immutable: sending it is refused' }),
  })
  .superRefine((patch, ctx) => {
    if (patch.type !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: 'type is immutable; create a new object instead',
      });
    }
    const { expected_version: _, type: __, ...fields } = patch;
    if (Object.keys(fields).length === 0)
      ctx.addIssue({ code: 'custom', path: [], message: 'Send at least one field to change' });
  })
  .openapi('ObjectsUpdateInput');

export const objectIdParam = z.object({ id: z.string().uuid() });

export const objectDetailQuery = z.object({
  relationships_limit: z.coerce.number().int().min(0).max(200).default(50).openapi({
    description: 'How many relationships (newest first) and connected objects to include, 0-200',
  }),
});

export const ifMatchHeader = z.object({
  'if-match': z.string().max(100).optional().openapi({ description: 'The ETag (version) you last read' }),
});

const pageFields = {
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: 'Page size, 1-200' }),
  cursor: z.string().max(500).optional().openapi({ description: 'next_cursor from the previous page' }),
};

export const linksQuery = z.object(pageFields);

export const listQuery = z.object({
  type: z.string().max(50).optional(),
  status: z.string().max(50).optional(),
  driver: z.string().uuid().optional().openapi({ description: 'Only objects driven by this actor' }),
  updated_since: storableTimeSchema()
    .optional()
    .openapi({ description: 'Only objects updated at or after this time (ISO-8601)' }),
  sort: z.enum(sortKeys).default('updated_at'),
  order: z.enum(['asc', 'desc']).default('desc'),
  ...pageFields,
});

export const searchQuery = z.object({
  q: z.string().trim().min(1).max(500).openapi({
    description: 'Web-search syntax: words, "quoted phrases", -excluded, or',
  }),
  type: z.string().max(50).optional(),
  status: z.string().max(50).optional(),
  ...pageFields,
});

export const searchHitSchema = objectSchema
  .extend({
    rank: z.number().openapi({ description: 'Relevance; higher is better' }),
    snippet: z
      .string()
      .openapi({ description: 'Title and content excerpt with matches in <mark>...</mark>' }),
    match: z.enum(['text', 'similar']).openapi({
      description:
        '`text`: a full-text match. `similar`: nothing matched as text, so this title is spelt like the query (typo tolerance); rank is then the similarity, 0-1',
    }),
  })
  .openapi('ObjectsSearchHit');
