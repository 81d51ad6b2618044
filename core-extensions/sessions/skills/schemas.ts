/** Request and response schemas of the skills routes (components prefixed `SessionsSkill`). */
import { pageQuery, z } from '@maskin/contract';
import { MAX_SKILL_FILES } from './skill-files.ts';

export const skillSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string().openapi({ description: "The front matter's name: the folder under .claude/skills/" }),
    description: z.string().openapi({ description: "The latest version's front matter description" }),
    latest_version: z.number().int(),
    created_by: z.string().uuid().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('SessionsSkill');

const fileSummary = z.object({
  path: z.string().openapi({ description: 'Relative to the skill folder, e.g. scripts/check.sh' }),
  size: z.number().int(),
  executable: z.boolean(),
});

export const skillVersionSummarySchema = z
  .object({
    skill_id: z.string().uuid(),
    version: z.number().int(),
    description: z.string(),
    size_bytes: z.number().int(),
    created_by: z.string().uuid().nullable(),
    created_at: z.string(),
    files: z.array(fileSummary),
  })
  .openapi('SessionsSkillVersionSummary');

export const skillVersionSchema = skillVersionSummarySchema
  .extend({
    content: z.string().openapi({ description: 'The SKILL.md text' }),
    files: z.array(
      fileSummary.extend({ content_base64: z.string().openapi({ description: 'The exact bytes' }) }),
    ),
  })
  .openapi('SessionsSkillVersion');

export const skillWithVersionSchema = skillSchema
  .extend({ version: skillVersionSchema })
  .openapi('SessionsSkillWithVersion');

export const skillSavedSchema = skillSchema
  .extend({
    version: skillVersionSummarySchema,
    created: z
      .boolean()
      .openapi({ description: 'true: a new skill; false: a new version of the skill of that name' }),
  })
  .openapi('SessionsSkillSaved');

export const skillFileInput = z.object({
  path: z
    .string()
    .min(1)
    .max(200)
    .openapi({ description: 'Relative path in the skill folder, e.g. scripts/check.sh' }),
  content: z.string().openapi({ description: 'The file content, as text (utf8) or base64' }),
  encoding: z.enum(['utf8', 'base64']).default('utf8'),
  executable: z.boolean().default(false).openapi({ description: 'Written with mode 0755' }),
});

export const skillInputSchema = z
  .object({
    content: z.string().min(1).openapi({
      description:
        'The SKILL.md text: a front matter block (---, name:, description:, ---) then the instructions',
    }),
    files: z.array(skillFileInput).max(MAX_SKILL_FILES).default([]),
  })
  .openapi('SessionsSkillInput');

export const attachInputSchema = z
  .object({
    version: z.number().int().min(1).nullable().default(null).openapi({
      description: 'Pin this version; null (default) follows the latest version',
    }),
  })
  .openapi('SessionsSkillAttachInput');

export const attachmentSchema = z
  .object({
    skill_id: z.string().uuid(),
    actor_id: z.string().uuid(),
    pinned_version: z.number().int().nullable().openapi({ description: 'null: follows the latest version' }),
    created_by: z.string().uuid().nullable(),
    created_at: z.string(),
  })
  .openapi('SessionsSkillAttachment');

export const listSkillsQuery = pageQuery.extend({
  actor_id: z.string().uuid().optional().openapi({ description: 'Only skills attached to this agent' }),
});

export const skillParam = z.object({ skill_id: z.string().uuid() });
export const skillVersionParam = skillParam.extend({
  version: z.coerce.number().int().min(1).max(1_000_000),
});
export const attachmentParam = skillParam.extend({ actor_id: z.string().uuid() });
